"""course_utils.cpu_inference (lesson 10): export, int8, ONNX Runtime sessions and timing, on a tiny random BERT."""

from __future__ import annotations

import time

import numpy as np
import pytest
import torch

from course_utils import cpu_inference as ci

pytestmark = pytest.mark.usefixtures("one_thread")

TEXTS = ["A fine film.", "I checked my watch every five minutes, and then again.", "No.", "Loved it!"] * 3


def reference_logits(model, tokenizer, texts):
    """Each text alone, no padding: what the model computes without any batching of ours."""
    with torch.no_grad():
        return np.concatenate([model(**tokenizer([t], return_tensors="pt")).logits.numpy() for t in texts])


def test_export_writes_one_file_with_tokenizer_and_config(exported):
    assert exported.name == ci.ONNX_FILE and not list(exported.parent.glob("*.data"))  # weights inside the file
    assert (exported.parent / "config.json").is_file() and (exported.parent / "tokenizer.json").is_file()


def test_onnx_runtime_gives_pytorchs_logits_for_any_batch_and_length(tiny_classifier, tokenizer, exported):
    session = ci.OnnxModel(exported, threads=1)
    assert session.input_names == ["input_ids", "token_type_ids", "attention_mask"]
    expected = reference_logits(tiny_classifier, tokenizer, TEXTS)
    for batch_size in (1, 3, 32):  # batch sizes and padded lengths the export never saw
        np.testing.assert_allclose(session.logits(TEXTS, batch_size=batch_size), expected, atol=1e-4)


def test_pytorch_through_the_same_batching_keeps_the_input_order(tiny_classifier, tokenizer):
    got = ci.logits_in_batches(ci.torch_forward(tiny_classifier), tokenizer, TEXTS, batch_size=2)
    np.testing.assert_allclose(got, reference_logits(tiny_classifier, tokenizer, TEXTS), atol=1e-5)


def test_a_bare_encoder_exports_its_hidden_states(tiny_bert, tokenizer, tmp_path):
    path = ci.export_onnx(tiny_bert, tokenizer, tmp_path)
    import onnxruntime as ort

    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    assert [o.name for o in session.get_outputs()] == ["last_hidden_state"]
    enc = tokenizer(TEXTS[:2], padding=True, return_tensors="np")
    out = session.run(None, {k: v.astype(np.int64) for k, v in enc.items()})[0]
    with torch.no_grad():
        expected = tiny_bert(**tokenizer(TEXTS[:2], padding=True, return_tensors="pt")).last_hidden_state.numpy()
    np.testing.assert_allclose(out, expected, atol=1e-4)


def test_predict_gives_label_names_and_probabilities(exported, tiny_classifier, tokenizer):
    predictions = ci.OnnxModel(exported).predict(TEXTS[:4])
    expected = reference_logits(tiny_classifier, tokenizer, TEXTS[:4])
    assert [p["label"] for p in predictions] == [["negative", "positive"][i] for i in expected.argmax(-1)]
    assert all(0.5 <= p["score"] <= 1 for p in predictions)


def test_int8_is_smaller_and_close(exported, quantized, tiny_classifier, tokenizer):
    assert quantized.name == ci.INT8_FILE and ci.file_mb(quantized) < ci.file_mb(exported)
    int8 = ci.OnnxModel(quantized).logits(TEXTS)
    expected = reference_logits(tiny_classifier, tokenizer, TEXTS)
    assert 0 < np.abs(int8 - expected).max() < 0.5  # rounded, so not equal, but near


def test_matmul_nodes_name_the_modules(exported):
    modules = set(ci.matmul_nodes(exported).values())
    assert "classifier:linear_13" in modules or any(m.startswith("classifier:") for m in modules)
    assert any(m.startswith("bert.encoder.layer.1.intermediate.dense:") for m in modules)


def test_keep_fp32_leaves_those_multiplications_in_float(exported, tmp_path):
    import onnx

    kept = ci.quantize_int8(exported, tmp_path / "kept.onnx", keep_fp32=["classifier", "intermediate.dense"])
    ops = [(n.name, n.op_type) for n in onnx.load(str(kept)).graph.node]
    nodes = ci.matmul_nodes(exported)
    for node, module in nodes.items():
        if "classifier" in module or "intermediate.dense" in module:
            assert not any(name.startswith(node) and op == "MatMulInteger" for name, op in ops), module
    assert sum(op == "MatMulInteger" for _, op in ops) > 0  # the rest is still int8


def test_call_times_and_throughput_measure_what_they_are_given():
    calls = []
    times = ci.call_times_ms(lambda: calls.append(1), calls=20, warmup=3)
    assert len(calls) == 23 and len(times) == 20 and all(t >= 0 for t in times)
    slow = ci.call_times_ms(lambda: time.sleep(0.002), calls=3, warmup=0)
    assert min(slow) >= 2  # milliseconds, not seconds
    assert ci.throughput(lambda texts: [0] * len(texts), TEXTS) > 0


def test_a_file_that_is_not_onnx_is_refused_clearly(tmp_path):
    bad = tmp_path / "model.onnx"
    bad.write_bytes(b"not a graph")
    with pytest.raises(ValueError, match="ONNX Runtime cannot load model.onnx"):
        ci.OnnxModel(bad)
    text = tmp_path / "weights.bin"
    text.write_bytes(b"")
    with pytest.raises(ValueError, match="is not an .onnx file"):
        ci.OnnxModel(text)
