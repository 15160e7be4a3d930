"""Test-wide set-up: offline profile, no network, and tiny random BERT models."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import pytest

GUARD_DIR = Path(__file__).parent / "netguard"

# Tests never touch the network: the offline profile for this process and every kernel it starts ...
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] = "1"
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
os.environ["TOKENIZERS_PARALLELISM"] = "false"
# Notebooks executed by the tests record their results here, not in the committed results/ folder.
os.environ["BERT_COURSE_RESULTS_DIR"] = tempfile.mkdtemp(prefix="bert-course-results-")
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(GUARD_DIR), os.environ.get("PYTHONPATH")]))
# ... and a guard that makes any attempt fail, here and (through sitecustomize) in the kernels.
sys.path.insert(0, str(GUARD_DIR))
import drift_sentinel  # noqa: E402
import netguard  # noqa: E402

netguard.install()


def pytest_configure(config):
    """Deprecations from torch, transformers, datasets, huggingface_hub, sentence-transformers are errors."""
    for line in drift_sentinel.pytest_filters():
        config.addinivalue_line("filterwarnings", line)


@pytest.fixture(autouse=True)
def _no_network_attempts():
    netguard.attempts.clear()
    yield
    tried, netguard.attempts[:] = list(netguard.attempts), []
    if tried:
        pytest.fail(f"the test tried to use the network: {tried}")


@pytest.fixture(autouse=True)
def _fresh_profile():
    from course_utils.profiles import get_profile

    get_profile.cache_clear()
    yield
    get_profile.cache_clear()


@pytest.fixture(scope="module")
def one_thread():
    """Tiny models run fastest on one thread, and far faster than on two when the CPU is shared."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="session")
def bundled_dir() -> str:
    from course_utils.profiles import bundled_model_path

    return str(bundled_model_path())


@pytest.fixture(scope="session")
def tokenizer(bundled_dir):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(bundled_dir)


@pytest.fixture(scope="session")
def tiny_bert():
    """A randomly initialised 2-layer BERT with the real vocabulary size: fast, and offline."""
    import torch
    from transformers import BertConfig, BertModel

    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=30522, hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64
    )
    return BertModel(config).eval()


@pytest.fixture(scope="session")
def tiny_classifier():
    """A randomly initialised 2-layer BERT sentiment classifier (labels negative/positive): lesson 10's tests."""
    import torch
    from transformers import BertConfig, BertForSequenceClassification

    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=30522, hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64,
        num_labels=2, id2label={0: "negative", 1: "positive"}, label2id={"negative": 0, "positive": 1},
    )
    return BertForSequenceClassification(config).eval()


@pytest.fixture(scope="session")
def exported(tiny_classifier, tokenizer, tmp_path_factory):
    """``tiny_classifier`` exported to ONNX (a folder with model.onnx, tokenizer and config)."""
    from course_utils import cpu_inference as ci

    return ci.export_onnx(tiny_classifier, tokenizer, tmp_path_factory.mktemp("onnx"))


@pytest.fixture(scope="session")
def quantized(exported):
    """``exported`` quantized to int8 (model-int8.onnx beside it)."""
    from course_utils import cpu_inference as ci

    return ci.quantize_int8(exported)


def pytest_terminal_summary(terminalreporter):
    """After the run, each notebook's total time (its cells, kernel start included): lessons aim at 90-180 s."""
    totals: dict[str, float] = {}
    for reports in terminalreporter.stats.values():
        for report in reports:
            nodeid = getattr(report, "nodeid", "")
            if nodeid.startswith("notebooks/") and isinstance(getattr(report, "duration", None), float):
                path = nodeid.split("::")[0]
                totals[path] = totals.get(path, 0.0) + report.duration
    if totals:
        terminalreporter.write_sep("=", "notebook run times")
        for path, seconds in sorted(totals.items()):
            terminalreporter.write_line(f"{path}: {seconds:.0f} s")
