"""Bad input to course_utils.cpu_inference (lesson 10)."""

from __future__ import annotations

import numpy as np
import pytest
from bad_input import Fixture, case, run_case

from course_utils import cpu_inference as ci

pytestmark = pytest.mark.usefixtures("one_thread")

TEXTS = ["A fine film.", "No."]

CASES = [
    case(
        ci.export_onnx,
        Fixture("tokenizer"),
        Fixture("tokenizer"),
        Fixture("tmp_path"),
        error=TypeError,
        match="model must be a model",
    ),
    case(
        ci.export_onnx,
        Fixture("tiny_bert"),
        Fixture("tiny_bert"),
        Fixture("tmp_path"),
        error=TypeError,
        match="tokenizer must be a tokenizer",
    ),
    case(ci.export_onnx, Fixture("tiny_bert"), Fixture("tokenizer"), "", error=ValueError, match="folder is empty"),
    case(
        ci.export_onnx,
        Fixture("tiny_bert"),
        Fixture("tokenizer"),
        Fixture("tmp_path"),
        opset=11,
        error=ValueError,
        match="opset=11 is too small",
    ),
    case(ci.matmul_nodes, "missing/model.onnx", error=FileNotFoundError, match="onnx_path='missing/model.onnx'"),
    case(ci.quantize_int8, "missing/model.onnx", error=FileNotFoundError, match="onnx_path="),
    case(ci.quantize_int8, Fixture("exported"), Fixture("exported"), error=ValueError, match="output is the input"),
    case(
        ci.quantize_int8,
        Fixture("exported"),
        keep_fp32=["no-such-layer"],
        error=ValueError,
        match="keep_fp32 \\['no-such-layer'\\] match no",
    ),
    case(
        ci.quantize_int8,
        Fixture("exported"),
        keep_fp32="classifier",
        error=TypeError,
        match="keep_fp32 must be a list of strings, not one string",
    ),
    case(ci.file_mb, "missing.onnx", error=FileNotFoundError, match="path='missing.onnx'"),
    case(ci.OnnxModel, "missing/model.onnx", error=FileNotFoundError, match="path='missing/model.onnx'"),
    case(ci.OnnxModel, Fixture("tmp_path"), error=ValueError, match="is a folder"),
    case(ci.OnnxModel, Fixture("exported"), threads=0, error=ValueError, match="threads=0 is too small"),
    case(ci.OnnxModel.logits, Fixture("onnx_model"), [], error=ValueError, match="texts is empty"),
    case(ci.OnnxModel.logits, Fixture("onnx_model"), "one text", error=TypeError, match="not one string"),
    case(ci.OnnxModel.predict, Fixture("onnx_model"), [], error=ValueError, match="texts is empty"),
    case(
        ci.OnnxModel.forward,
        Fixture("onnx_model"),
        {"input_ids": np.ones((1, 3), dtype=np.int64)},
        error=ValueError,
        match="inputs lacks \\['token_type_ids', 'attention_mask'\\]",
    ),
    case(ci.logits_in_batches, "not a function", Fixture("tokenizer"), TEXTS, error=TypeError, match="forward must"),
    case(
        ci.logits_in_batches,
        len,
        Fixture("tokenizer"),
        TEXTS,
        batch_size=0,
        error=ValueError,
        match="batch_size=0 is too small",
    ),
    case(ci.torch_forward, Fixture("tokenizer"), error=TypeError, match="model must be a model"),
    case(ci.call_times_ms, 42, error=TypeError, match="call must be a function"),
    case(ci.call_times_ms, lambda: None, calls=0, error=ValueError, match="calls=0 is too small"),
    case(ci.throughput, len, [], error=ValueError, match="texts is empty"),
    case(ci.throughput, None, TEXTS, error=TypeError, match="run must be a function"),
    case(ci.throughput, len, TEXTS, repeats=0, error=ValueError, match="repeats=0 is too small"),
]


@pytest.fixture
def onnx_model(exported):
    return ci.OnnxModel(exported)


@pytest.mark.parametrize(("func", "args", "kwargs", "error", "match"), CASES)
def test_bad_input_gets_a_clear_error(request, func, args, kwargs, error, match):
    run_case(request, func, args, kwargs, error, match)
