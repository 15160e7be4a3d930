"""benchmarks/embedding_speed.py: its sentences, its memory estimate, and one real side-by-side run (lessons 3-5)."""

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("embedding_speed", ROOT / "benchmarks" / "embedding_speed.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_sentence_pool_is_distinct_and_bounded(bench):
    pool, sources = bench.sentence_pool()
    assert len(pool) == len(set(pool)) > 5000
    assert sum(sources.values()) == len(pool)
    assert all(3 <= len(s.split()) <= bench.MAX_WORDS for s in pool)


def test_build_sentences_is_seeded_and_tops_up_with_joined_pairs(bench):
    pool, _ = bench.sentence_pool()
    small, joined = bench.build_sentences(100, pool)
    assert (small, joined) == bench.build_sentences(100, pool) and joined == 0
    big, joined = bench.build_sentences(len(pool) + 50, pool)
    assert len(big) == len(set(big)) == len(pool) + 50 and joined == 50
    assert all(len(s.split()) <= bench.MAX_WORDS for s in big[-50:])


def test_seed_memory_estimate_grows_with_padding(bench):
    from transformers import BertConfig

    config = BertConfig(hidden_size=384, intermediate_size=1536)
    one = bench.seed_memory_estimate_mb(1000, 20, config)
    assert bench.seed_memory_estimate_mb(2000, 20, config) == pytest.approx(2 * one)
    assert bench.seed_memory_estimate_mb(1000, 40, config) > 2 * one  # the attention mask grows with length^2


@pytest.mark.integration
def test_one_run_compares_every_method_with_the_helper(bench):
    from sentence_transformers import SentenceTransformer
    from transformers import AutoModel, AutoTokenizer

    from course_utils.profiles import bundled_model_path

    path = str(bundled_model_path())
    model, tokenizer = AutoModel.from_pretrained(path).eval(), AutoTokenizer.from_pretrained(path)
    pool, _ = bench.sentence_pool()
    size = bench.run_size(24, pool, model, tokenizer, SentenceTransformer(path, device="cpu"), onnx_sessions={})
    rows = {r["method"]: r for r in size["rows"]}
    assert set(rows) == {"helper", "one at a time", "pad everything", "sentence-transformers"}
    for name in ("one at a time", "pad everything", "sentence-transformers"):
        assert rows[name]["max_cosine_distance"] < 1e-5, name  # the same vectors, up to float rounding
    assert all(r["seconds"] > 0 and r["timed"] == 24 for r in rows.values())
    text = bench.table([size])
    assert "| 24 | helper |" in text and "reference" in text and "sentence-transformers" in text
