"""benchmarks/embedding_speed.py: its sentences, its arithmetic, and one real worker run (lessons 3-5)."""

import importlib.util
import json
from pathlib import Path

import numpy as np
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


def test_floor_share_uses_the_fastest_matmul(bench):
    result = {"real_gflop": 100.0, "seconds": 1.0, "gflops": {"torch.matmul": 125.0, "oneDNN": 200.0}}
    assert bench.floor_share(result) == pytest.approx(0.5)  # 100 GFLOP at 200 GFLOP/s = 0.5 s of 1 s
    assert bench.floor_share(result, "torch.matmul") == pytest.approx(0.8)


def test_seed_memory_estimate_grows_with_padding(bench):
    from transformers import BertConfig

    config = BertConfig(hidden_size=384, intermediate_size=1536)
    one = bench.seed_memory_estimate_mb(1000, 20, config)
    assert bench.seed_memory_estimate_mb(2000, 20, config) == pytest.approx(2 * one)
    assert bench.seed_memory_estimate_mb(1000, 40, config) > 2 * one  # the attention mask grows with length^2


@pytest.mark.integration
def test_a_helper_worker_reports_real_measurements(bench, tmp_path):
    from transformers import AutoModel, AutoTokenizer

    from course_utils.embeddings import embed_texts
    from course_utils.profiles import bundled_model_path

    pool, _ = bench.sentence_pool()
    texts, _ = bench.build_sentences(24, pool)
    texts_file, vectors_file = tmp_path / "texts.json", tmp_path / "vectors.npy"
    texts_file.write_text(json.dumps(texts))
    result = bench.spawn("helper", str(texts_file), float("inf"), 1, str(vectors_file))
    assert result["timed"] == 24 and result["seconds"] > 0 and result["real_gflop"] > 0
    assert result["breakdown"]["linear layers"] > 0 and result["linear_gflop"] >= result["real_gflop"] * 0.9
    assert 0 < bench.floor_share(result) < 1.5
    path = str(bundled_model_path())
    expected = embed_texts(texts, AutoModel.from_pretrained(path), AutoTokenizer.from_pretrained(path), "mean")
    np.testing.assert_allclose(np.load(vectors_file), expected, atol=1e-4)
