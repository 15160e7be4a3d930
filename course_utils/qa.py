"""Extractive question answering, done by hand (lesson 8): from start/end logits to answers.

transformers 5 has no ``question-answering`` pipeline any more (removed in 5.3), so the
steps it used to hide live in three small modules:

1. **Features** and 2. **labels** (``course_utils.qa_features``): ``[CLS] question [SEP] context
   [SEP]`` windows with a ``stride`` for long contexts, and the answer's start/end token positions.
3. **Decoding** (here): top-k start and end candidates, end >= start, at most
   ``max_answer_length`` tokens, context tokens only, the best span over all windows,
   cut out of the original text through the offsets; no valid span -> empty answer.
4. **Metrics** (``course_utils.squad_metrics``): SQuAD exact match and F1 with the official
   normalisation (the ``evaluate`` package cannot load its metric scripts offline).
"""

from __future__ import annotations

import collections
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import checks
from .qa_features import _check_questions_fit, _window_list, prepare_qa_features

Offsets = Sequence[tuple[int, int] | None]


# -- 3. Decoding ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Span:
    """One candidate answer: token positions (inclusive), character positions (end exclusive), score."""

    score: float
    start_token: int
    end_token: int
    start_char: int
    end_char: int
    window: int = 0


@dataclass(frozen=True)
class Answer:
    """The decoded answer of one question; ``text == ""`` when no valid span was found."""

    text: str
    score: float
    start_char: int
    end_char: int
    window: int

    @classmethod
    def empty(cls) -> Answer:
        return cls("", -math.inf, -1, -1, -1)


def span_candidates(
    start_logits: Sequence[float],
    end_logits: Sequence[float],
    offsets: Offsets,
    n_best: int = 20,
    max_answer_length: int = 30,
    window: int = 0,
) -> list[Span]:
    """Lesson 8: valid spans of one window, best first; ``offsets[i] is None`` marks a non-context token.

    Takes the ``n_best`` highest start and end logits and keeps the pairs with both ends in the
    context, ``end >= start`` and at most ``max_answer_length`` tokens; score = start + end logit.
    Logits longer than ``offsets`` (a padded batch) are fine: the padding is never chosen.
    """
    start_logits = checks.array("start_logits", start_logits, ndim=1)
    end_logits = checks.array("end_logits", end_logits, ndim=1)
    if start_logits.shape != end_logits.shape:
        raise ValueError(
            f"start_logits and end_logits must be of the same length (one window at a time): "
            f"start_logits has {len(start_logits)}, end_logits has {len(end_logits)}."
        )
    checks.integer("n_best", n_best, minimum=1)
    checks.integer("max_answer_length", max_answer_length, minimum=1)
    checks.integer("window", window, minimum=0)
    _window_list("offsets", offsets)
    if len(offsets) > len(start_logits):
        raise ValueError(
            f"offsets has {len(offsets)} entries but the logits only {len(start_logits)}: pass the "
            "offsets and logits of the same window."
        )
    if all(o is not None for o in offsets):
        raise ValueError(
            "offsets has no None entry, so the question and special tokens could be chosen as the answer: "
            "mark every non-context token None, e.g. [o if s == 1 else None for o, s in "
            "zip(enc['offset_mapping'], enc.sequence_ids())] (prepare_qa_features does this)."
        )
    n = min(len(offsets), len(start_logits))
    top_starts = np.argsort(start_logits[:n])[::-1][:n_best]
    top_ends = np.argsort(end_logits[:n])[::-1][:n_best]
    spans = []
    for s in top_starts:
        for e in top_ends:
            if offsets[s] is None or offsets[e] is None or e < s or e - s + 1 > max_answer_length:
                continue
            score = float(start_logits[s] + end_logits[e])
            spans.append(Span(score, int(s), int(e), offsets[s][0], offsets[e][1], window))
    spans.sort(key=lambda span: span.score, reverse=True)
    return spans


def best_answer(
    context: str,
    windows: Iterable[tuple[Sequence[float], Sequence[float], Offsets]],
    n_best: int = 20,
    max_answer_length: int = 30,
) -> Answer:
    """Lesson 8: the best span over all windows ``(start_logits, end_logits, offsets)`` of one question.

    Scores compare across windows because each is a sum of two logits. Returns
    :meth:`Answer.empty` when no window has a valid span (or ``windows`` is empty).
    """
    checks.text("context", context)
    if isinstance(windows, (str, Mapping)) or not isinstance(windows, Iterable):
        raise TypeError(
            f"windows must be a list of (start_logits, end_logits, offsets) tuples, not {type(windows).__name__}."
        )
    best: Span | None = None
    for w, item in enumerate(windows):
        if not isinstance(item, (tuple, list)) or len(item) != 3:
            raise TypeError(
                f"windows[{w}] must be a (start_logits, end_logits, offsets) tuple, not "
                f"{type(item).__name__}: for one window pass [(start_logits, end_logits, offsets)]."
            )
        start_logits, end_logits, offsets = item
        spans = span_candidates(start_logits, end_logits, offsets, n_best, max_answer_length, window=w)
        if spans and (best is None or spans[0].score > best.score):
            best = spans[0]
    if best is None:
        return Answer.empty()
    if best.end_char > len(context):
        raise ValueError(
            f"the windows point at characters {best.start_char}-{best.end_char} but context has only "
            f"{len(context)}: pass the context the windows were made from."
        )
    return Answer(context[best.start_char : best.end_char], best.score, best.start_char, best.end_char, best.window)


def naive_answer(start_logits: Sequence[float], end_logits: Sequence[float], tokens: Sequence[str]) -> str:
    """Lesson 8: argmax start and argmax end, no checks -- what can go wrong (end < start, question tokens)."""
    tokens = checks.text_list("tokens", tokens)
    start_logits = checks.array("start_logits", start_logits, ndim=1)
    end_logits = checks.array("end_logits", end_logits, ndim=1)
    checks.same_length(("start_logits", "end_logits", "tokens"), start_logits, end_logits, tokens)
    start, end = int(np.argmax(start_logits)), int(np.argmax(end_logits))
    return " ".join(tokens[start : end + 1]).replace(" ##", "")


# -- Running a model -------------------------------------------------------------------------


def qa_logits(
    model: Any, tokenizer: Any, features: Any, batch_size: int = 32, device: str | None = None
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Lesson 8: start and end logits of every window (``features`` from :func:`prepare_qa_features`).

    Batches are padded on the fly; each window's logits are cut back to its own length. ``features``
    may also be the dict of columns :func:`prepare_qa_features` returns; no features give two empty lists.
    """
    import torch

    checks.model("model", model)
    checks.tokenizer("tokenizer", tokenizer)
    checks.integer("batch_size", batch_size, minimum=1)
    if device is not None:
        try:
            torch.device(device)
        except (RuntimeError, TypeError):
            raise ValueError(f"device={device!r} is not a torch device: pass 'cpu', 'cuda' or 'cuda:0'.") from None
    features = _rows("features", features, ["input_ids"], "pass the output of prepare_qa_features")
    if len(features) == 0:
        return [], []
    device = device or next(model.parameters()).device
    columns = [c for c in ("input_ids", "attention_mask", "token_type_ids") if c in features[0]]
    model.eval()
    starts, ends = [], []
    with torch.no_grad():
        for i in range(0, len(features), batch_size):
            rows = features[i : i + batch_size]
            if isinstance(rows, Mapping):  # a datasets slice is a dict of columns
                rows = [dict(zip(rows, values, strict=True)) for values in zip(*rows.values(), strict=True)]
            batch = tokenizer.pad([{c: r[c] for c in columns} for r in rows], return_tensors="pt")
            out = model(**{k: v.to(device) for k, v in batch.items()})
            if not hasattr(out, "start_logits"):
                raise TypeError(
                    f"model ({type(model).__name__}) gives no start_logits: pass a question-answering model, "
                    "e.g. AutoModelForQuestionAnswering.from_pretrained(...)."
                )
            for j, row in enumerate(rows):
                n = len(row["input_ids"])
                starts.append(out.start_logits[j, :n].float().cpu().numpy())
                ends.append(out.end_logits[j, :n].float().cpu().numpy())
    return starts, ends


def postprocess_qa(
    examples: Any,
    features: Any,
    start_logits: Sequence[Sequence[float]],
    end_logits: Sequence[Sequence[float]],
    n_best: int = 20,
    max_answer_length: int = 30,
) -> dict[str, Answer]:
    """Lesson 8: one :class:`Answer` per example id, the best span over the example's windows.

    Every example needs at least one window in ``features`` (the features made from these examples).
    """
    examples = _rows("examples", examples, ["id", "context"], "pass the examples (SQuAD rows) the features came from")
    features = _rows("features", features, ["example_id", "offset_mapping"], "pass the output of prepare_qa_features")
    if isinstance(start_logits, (str, Mapping)) or isinstance(end_logits, (str, Mapping)):
        raise TypeError("start_logits and end_logits must be lists with one array per window (as qa_logits returns).")
    checks.same_length(("features", "start_logits", "end_logits"), features, start_logits, end_logits)
    checks.integer("n_best", n_best, minimum=1)
    checks.integer("max_answer_length", max_answer_length, minimum=1)
    windows: dict[str, list] = collections.defaultdict(list)
    for feature, s, e in zip(features, start_logits, end_logits, strict=True):
        windows[feature["example_id"]].append((s, e, feature["offset_mapping"]))
    answers = {}
    for ex in examples:
        if ex["id"] not in windows:  # it would silently get an empty answer
            raise ValueError(
                f"example id {ex['id']!r} has no window in features: pass the features made from these "
                "examples (every example has at least one window)."
            )
        answers[ex["id"]] = best_answer(ex["context"], windows[ex["id"]], n_best, max_answer_length)
    return answers


def answer_question(
    model: Any,
    tokenizer: Any,
    question: str,
    context: str,
    max_length: int = 384,
    stride: int = 128,
    n_best: int = 20,
    max_answer_length: int = 30,
) -> Answer:
    """Lesson 8: the whole pipeline for one question -- windows, logits, best span over windows."""
    checks.model("model", model)
    checks.tokenizer("tokenizer", tokenizer)
    checks.text("question", question)
    checks.text("context", context)
    max_length = checks.integer("max_length", max_length, minimum=1, maximum=tokenizer.model_max_length)
    stride = checks.integer("stride", stride, minimum=0)
    checks.integer("n_best", n_best, minimum=1)
    checks.integer("max_answer_length", max_answer_length, minimum=1)
    if stride < max_length // 2:  # else prepare_qa_features says so
        _check_questions_fit(tokenizer, [question.strip()], [context], max_length, stride, ["question"])
    examples = {"id": ["q"], "question": [question], "context": [context]}
    features = prepare_qa_features(examples, tokenizer, max_length, stride, with_labels=False)
    rows = [dict(zip(features, values, strict=True)) for values in zip(*features.values(), strict=True)]
    starts, ends = qa_logits(model, tokenizer, rows)
    return best_answer(context, zip(starts, ends, features["offset_mapping"], strict=True), n_best, max_answer_length)


# -- Plot -------------------------------------------------------------------------------------------


def plot_start_end(
    tokens: Sequence[str],
    start_logits: Sequence[float],
    end_logits: Sequence[float],
    positions: tuple[int, int] | None = None,
    title: str = "",
) -> None:
    """Lesson 8: softmax start and end probabilities over the tokens ``positions = (first, last)`` (inclusive)."""
    tokens = checks.text_list("tokens", tokens)
    start_logits = checks.array("start_logits", start_logits, ndim=1)
    end_logits = checks.array("end_logits", end_logits, ndim=1)
    checks.same_length(("tokens", "start_logits", "end_logits"), tokens, start_logits, end_logits)
    checks.text("title", title, empty=True)
    lo, hi = 0, len(tokens) - 1
    if positions is not None:
        if isinstance(positions, str) or not isinstance(positions, Sequence) or len(positions) != 2:
            raise TypeError(f"positions must be a (first, last) pair of token positions, not {positions!r}.")
        lo = checks.integer("positions[0]", positions[0], minimum=0, maximum=len(tokens) - 1)
        hi = checks.integer("positions[1]", positions[1], minimum=lo, maximum=len(tokens) - 1)
    import matplotlib.pyplot as plt

    start_p = _softmax(start_logits)
    end_p = _softmax(end_logits)
    x = np.arange(lo, hi + 1)
    fig, ax = plt.subplots(figsize=(max(6, 0.22 * len(x)), 3.6))
    ax.bar(x - 0.2, start_p[lo : hi + 1], width=0.4, label="P(start)")
    ax.bar(x + 0.2, end_p[lo : hi + 1], width=0.4, label="P(end)")
    ax.set_xticks(x)
    ax.set_xticklabels(tokens[lo : hi + 1], rotation=90, fontsize=8)
    ax.set_ylabel("probability")
    ax.set_title(title)
    ax.legend()
    fig.tight_layout()
    plt.show()


def _rows(name: str, value: Any, needed: Sequence[str], hint: str) -> Any:
    """``value`` (a Dataset, a list of row dicts or a dict of columns) as rows that have the ``needed`` keys."""
    if hasattr(value, "column_names"):
        return checks.columns(name, value, needed, hint)
    if isinstance(value, Mapping):
        checks.columns(name, value, needed, hint)
        if any(not isinstance(column, (list, tuple)) for column in value.values()):
            raise TypeError(
                f"{name} looks like one row, not a batch (its values are not lists): pass a dataset, "
                "a list of rows or a dict of columns."
            )
        checks.same_length([f"{name}[{k!r}]" for k in value], *value.values())
        return [dict(zip(value, row, strict=True)) for row in zip(*value.values(), strict=True)]
    if not isinstance(value, (list, tuple)):
        raise TypeError(f"{name} must be a datasets.Dataset or a list of rows, not {type(value).__name__}: {hint}.")
    for i, row in enumerate(value[:1]):
        if not isinstance(row, Mapping):
            raise TypeError(f"{name}[{i}] must be a row (a dict), not {type(row).__name__}: {hint}.")
        checks.columns(f"{name}[{i}]", dict(row), needed, hint)
    return value


def _softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max())
    return e / e.sum()
