"""A fine-tuned BERT served on a CPU with ONNX Runtime (lesson 10).

1. :func:`export_onnx` writes the model as an ONNX graph (torch's exporter, dynamic batch and
   sequence axes) and the tokenizer and config beside it;
2. :func:`quantize_int8` stores the weights of the matrix multiplications as 8-bit integers
   (ONNX Runtime's dynamic quantization: activations are quantized on the fly, per batch);
   ``keep_fp32`` names the layers that stay in fp32;
3. :class:`OnnxModel` runs either file in an ONNX Runtime session with the same tokenizer, as
   PyTorch would: ``logits(texts)`` and ``predict(texts)``;
4. :func:`torch_forward` and :func:`logits_in_batches` run the PyTorch model through the very
   same tokenization and batching, and :func:`call_times_ms` / :func:`throughput` time them, so
   the lesson compares runtimes, not input pipelines.
"""

from __future__ import annotations

import json
import logging
import time
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from . import checks
from .embeddings import length_sorted_batches

ONNX_FILE = "model.onnx"
INT8_FILE = "model-int8.onnx"
DEFAULT_OPSET = 18  # the opset torch's exporter writes natively (older ones are converted afterwards)
Forward = Callable[[dict[str, np.ndarray]], np.ndarray]


class _FirstOutput(nn.Module):
    """The model called with named inputs in a fixed order, returning its first output (the exporter traces this)."""

    def __init__(self, model: nn.Module, names: Sequence[str]) -> None:
        super().__init__()
        self.model, self.names = model, list(names)

    def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
        out = self.model(**dict(zip(self.names, inputs, strict=True)))
        return out.logits if getattr(out, "logits", None) is not None else out.last_hidden_state


def export_onnx(model: nn.Module, tokenizer: Any, folder: str | Path, opset: int = DEFAULT_OPSET) -> Path:
    """Lesson 10, section 2: write ``model`` to ``folder/model.onnx``, with its tokenizer and config.

    The graph takes the tokenizer's inputs (``input_ids``, ``attention_mask`` and, for BERT,
    ``token_type_ids``) of any batch size and length, and returns ``logits`` for a classifier
    or ``last_hidden_state`` for a bare encoder. Returns the path of the ``.onnx`` file.
    """
    checks.model("model", model)
    checks.tokenizer("tokenizer", tokenizer)
    folder = checks.output_path("folder", folder)
    opset = checks.integer("opset", opset, minimum=18, maximum=23)
    names = [name for name in tokenizer.model_input_names if name in ("input_ids", "attention_mask", "token_type_ids")]
    example = tokenizer(["an example sentence", "a second, longer example sentence"], padding=True, return_tensors="pt")
    was_training = model.training
    exporter_log = logging.getLogger("torch.onnx")
    level = exporter_log.level
    model.eval()
    try:
        with torch.no_grad():
            sample = model(**{name: example[name] for name in names})
        output = "logits" if getattr(sample, "logits", None) is not None else "last_hidden_state"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / ONNX_FILE
        exporter_log.setLevel(logging.ERROR)  # its "torchvision is not installed" notes concern image models
        with warnings.catch_warnings():
            # two notes from inside torch's exporter, not about our call: a deprecation in its own tree utilities,
            # and that the inputs share their batch and sequence axes (they do: one name each is kept)
            warnings.filterwarnings("ignore", message=".*LeafSpec.*is deprecated", category=FutureWarning)
            warnings.filterwarnings("ignore", message=".*axis name.*will not be used", category=UserWarning)
            torch.onnx.export(
                _FirstOutput(model, names).eval(), tuple(example[name] for name in names), str(path),
                input_names=names, output_names=[output], opset_version=opset, dynamo=True, external_data=False,
                dynamic_shapes={"inputs": tuple({0: "batch", 1: "sequence"} for _ in names)}, verbose=False,
            )
    finally:
        model.train(was_training)
        exporter_log.setLevel(level)
    tokenizer.save_pretrained(folder)
    model.config.save_pretrained(folder)
    return path


def matmul_nodes(onnx_path: str | Path) -> dict[str, str]:
    """The multiplications (MatMul / Gemm nodes) of an exported model, what int8 quantizes:
    ``{node name: "module:op"}``, e.g. ``"bert.encoder.layer.0.attention.self.query:linear"``
    (read from the name scopes torch's exporter records; the node name where there are none)."""
    import onnx

    path = checks.existing_path("onnx_path", onnx_path, kind="file")
    graph = onnx.load(str(path), load_external_data=False).graph
    found = {}
    for node in graph.node:
        if node.op_type in ("MatMul", "Gemm"):
            scopes = next((json.loads(p.value.replace("'", '"')) for p in node.metadata_props
                           if p.key == "pkg.torch.onnx.name_scopes"), [])
            module = scopes[-2].removeprefix("model.") if len(scopes) >= 2 else ""
            found[node.name] = f"{module}:{scopes[-1]}" if module else node.name
    return found


def quantize_int8(onnx_path: str | Path, output: str | Path | None = None, keep_fp32: Sequence[str] = ()) -> Path:
    """Lesson 10, section 4: dynamic int8 quantization of an exported model (ONNX Runtime).

    The weights of every MatMul/Gemm become int8 with one scale per matrix; activations are
    quantized per batch as the model runs. ``keep_fp32``: parts of module names (see
    :func:`matmul_nodes`, e.g. ``"classifier"`` or ``"layer.5."``) whose multiplications stay fp32.
    Writes ``model-int8.onnx`` beside the input unless ``output`` is given; returns its path.
    """
    from onnxruntime.quantization import QuantType, quantize_dynamic

    path = checks.existing_path("onnx_path", onnx_path, kind="file")
    target = path.with_name(INT8_FILE) if output is None else checks.output_path("output", output)
    if target.resolve() == path.resolve():
        raise ValueError("output is the input file: pass another path, e.g. model-int8.onnx.")
    keep = checks.text_list("keep_fp32", keep_fp32, empty=True)
    nodes = matmul_nodes(path)
    excluded = [node for node, module in nodes.items() if any(part in module for part in keep)]
    unmatched = [part for part in keep if not any(part in module for module in nodes.values())]
    if unmatched:
        raise ValueError(f"keep_fp32 {unmatched} match no MatMul/Gemm node: see matmul_nodes(onnx_path) for the "
                         f"names (the first: {list(nodes.values())[:2]}).")
    excluded += [f"{node}_MatMul" for node in excluded]  # the quantizer splits a Gemm into MatMul + Add first
    root = logging.getLogger()
    level = root.level
    # it suggests its pre-processing (shape inference), which fails on this exporter's graphs and, with the
    # symbolic part skipped, changed neither accuracy nor speed here: dynamic quantization does not need it
    root.setLevel(logging.ERROR)
    try:
        quantize_dynamic(str(path), str(target), weight_type=QuantType.QInt8, nodes_to_exclude=excluded)
    finally:
        root.setLevel(level)
    return target


def file_mb(path: str | Path) -> float:
    """Size of a file on disk, in MB (10^6 bytes)."""
    return checks.existing_path("path", path, kind="file").stat().st_size / 1e6


# Running a model: the same tokenization and batching for PyTorch and ONNX Runtime ----------------------


def logits_in_batches(
    forward: Forward, tokenizer: Any, texts: Sequence[str], batch_size: int = 32, max_length: int = 128,
    input_names: Sequence[str] | None = None,
) -> np.ndarray:
    """Lesson 10: ``forward`` over ``texts`` in batches of up to ``batch_size`` texts of similar length
    (:func:`~course_utils.embeddings.length_sorted_batches`), each padded to its longest; outputs
    come back in the order of ``texts``. ``forward`` takes a dict of int64 arrays (the tokenizer's
    ``input_names``, all of them when None) and returns an array with one row per text."""
    if not callable(forward):
        raise TypeError(f"forward must be a function of a dict of arrays, not {type(forward).__name__}: "
                        "use torch_forward(model) or OnnxModel(...).forward.")
    checks.tokenizer("tokenizer", tokenizer)
    texts = checks.text_list("texts", texts)
    batch_size = checks.integer("batch_size", batch_size, minimum=1)
    max_length = checks.integer("max_length", max_length, minimum=tokenizer.num_special_tokens_to_add() + 1)
    lengths = [len(ids) for ids in tokenizer(texts, truncation=True, max_length=max_length)["input_ids"]]
    rows: np.ndarray | None = None
    for batch in length_sorted_batches(lengths, batch_tokens=batch_size * max_length, max_batch_size=batch_size):
        encoded = tokenizer([texts[i] for i in batch], padding=True, truncation=True, max_length=max_length,
                            return_tensors="np")
        names = encoded.keys() if input_names is None else input_names
        out = np.asarray(forward({name: encoded[name].astype(np.int64) for name in names}))
        if rows is None:
            rows = np.empty((len(texts), *out.shape[1:]), dtype=np.float32)
        rows[batch] = out
    assert rows is not None  # texts is not empty
    return rows


def torch_forward(model: nn.Module) -> Forward:
    """The PyTorch model as a ``forward`` for :func:`logits_in_batches`: arrays in, logits out, no gradients."""
    checks.model("model", model)
    model.eval()

    def forward(inputs: dict[str, np.ndarray]) -> np.ndarray:
        with torch.inference_mode():
            out = model(**{name: torch.from_numpy(array) for name, array in inputs.items()})
        return out.logits.float().numpy()

    return forward


class OnnxModel:
    """Lesson 10, section 3: an exported classifier in an ONNX Runtime session, with its tokenizer.

    ``path``: an ``.onnx`` file written by :func:`export_onnx` or :func:`quantize_int8`; the
    tokenizer and label names are read from its folder. ``threads``: ONNX Runtime's
    ``intra_op_num_threads`` (None: one per core).
    """

    def __init__(self, path: str | Path, threads: int | None = None) -> None:
        import onnxruntime as ort
        from transformers import AutoConfig, AutoTokenizer

        self.path = checks.existing_path("path", path, kind="file")
        if self.path.suffix != ".onnx":
            raise ValueError(f"path={str(self.path)!r} is not an .onnx file: pass what export_onnx returned.")
        options = ort.SessionOptions()
        if threads is not None:
            options.intra_op_num_threads = checks.integer("threads", threads, minimum=1)
        try:
            self.session = ort.InferenceSession(str(self.path), options, providers=["CPUExecutionProvider"])
        except Exception as error:  # ONNX Runtime says what is wrong (a bad file, an opset it lacks)
            raise ValueError(f"ONNX Runtime cannot load {self.path.name}: {error}") from error
        self.input_names = [i.name for i in self.session.get_inputs()]
        self.tokenizer = AutoTokenizer.from_pretrained(self.path.parent)
        config = AutoConfig.from_pretrained(self.path.parent)
        self.id2label = {int(i): name for i, name in config.id2label.items()}

    def forward(self, inputs: dict[str, np.ndarray]) -> np.ndarray:
        """One batch: a dict of int64 arrays (the graph's inputs) -> its first output."""
        if not isinstance(inputs, dict):
            raise TypeError(f"inputs must be a dict of arrays (tokenizer(..., return_tensors='np')), "
                            f"not {type(inputs).__name__}.")
        missing = [name for name in self.input_names if name not in inputs]
        if missing:
            raise ValueError(f"inputs lacks {missing}: pass every input the graph takes ({self.input_names}).")
        return self.session.run(None, {name: inputs[name] for name in self.input_names})[0]

    def logits(self, texts: Sequence[str], batch_size: int = 32, max_length: int = 128) -> np.ndarray:
        """Logits for a list of texts (one row each, in order)."""
        return logits_in_batches(self.forward, self.tokenizer, texts, batch_size, max_length, self.input_names)

    def predict(self, texts: Sequence[str]) -> list[dict[str, Any]]:
        """``[{"label": name, "score": probability}, ...]``, as the ``text-classification`` pipeline gives."""
        logits = self.logits(texts)
        probs = np.exp(logits - logits.max(-1, keepdims=True))
        probs /= probs.sum(-1, keepdims=True)
        return [{"label": self.id2label.get(int(p.argmax()), str(int(p.argmax()))), "score": float(p.max())}
                for p in probs]


# Timing -------------------------------------------------------------------------------------------------


def call_times_ms(call: Callable[[], Any], calls: int = 100, warmup: int = 10) -> list[float]:
    """Milliseconds taken by each of ``calls`` timed calls of ``call()``, after ``warmup`` untimed ones
    (the lesson takes their percentiles: p50, the median, and p95)."""
    if not callable(call):
        raise TypeError(f"call must be a function without arguments, not {type(call).__name__}.")
    calls = checks.integer("calls", calls, minimum=1)
    for _ in range(checks.integer("warmup", warmup, minimum=0)):
        call()
    times = []
    for _ in range(calls):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return times


def throughput(run: Callable[[Sequence[str]], Any], texts: Sequence[str], repeats: int = 3) -> float:
    """Texts per second of ``run(texts)``: the best of ``repeats`` runs, after a warm-up call on the first
    32 texts (the best run is the one least disturbed by whatever else the machine was doing)."""
    if not callable(run):
        raise TypeError(f"run must be a function of a list of texts, not {type(run).__name__}.")
    texts = checks.text_list("texts", texts)
    repeats = checks.integer("repeats", repeats, minimum=1)
    run(texts[:32])
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        run(texts)
        best = min(best, time.perf_counter() - started)
    return len(texts) / best


__all__ = [
    "ONNX_FILE",
    "INT8_FILE",
    "OnnxModel",
    "call_times_ms",
    "export_onnx",
    "file_mb",
    "logits_in_batches",
    "matmul_nodes",
    "quantize_int8",
    "throughput",
    "torch_forward",
]
