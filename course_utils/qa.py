"""Extractive question answering, done by hand (lesson 8).

transformers 5 has no ``question-answering`` pipeline any more (removed in 5.3), so the
steps it used to hide live here, small enough to read:

1. **Features**: the tokenizer builds ``[CLS] question [SEP] context [SEP]`` windows with
   ``truncation="only_second"``, a ``stride`` (overlap) for long contexts, and
   ``offset_mapping`` + ``sequence_ids()`` to know which token covers which characters.
2. **Labels** for training: the start/end *token* positions of the answer in each window,
   or the ``[CLS]`` position 0 when the answer is not (entirely) inside the window.
3. **Decoding**: top-k start and end candidates, end >= start, at most
   ``max_answer_length`` tokens, context tokens only, the best span over all windows,
   cut out of the original text through the offsets; no valid span -> empty answer.
4. **Metrics**: SQuAD exact match and F1 with the official normalisation (the
   ``evaluate`` package cannot load its metric scripts offline).
"""

from __future__ import annotations

import collections
import math
import re
import string
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np


Offsets = Sequence[tuple[int, int] | None]
_PUNCTUATION = frozenset(string.punctuation)


# -- 1-2. Features and labels -----------------------------------------------------------


def context_range(sequence_ids: Sequence[int | None], context_id: int = 1) -> tuple[int, int]:
    """Lesson 8: the first and last token index of the context (segment ``context_id``) in one window."""
    positions = [i for i, s in enumerate(sequence_ids) if s == context_id]
    if not positions:
        raise ValueError(
            "sequence_ids has no context token: pass encoding.sequence_ids(i) of a (question, context) pair "
            "whose max_length leaves room for the context."
        )
    return positions[0], positions[-1]


def answer_token_span(
    offsets: Sequence[tuple[int, int]],
    sequence_ids: Sequence[int | None],
    start_char: int,
    end_char: int,
) -> tuple[int, int]:
    """Lesson 8: the (start, end) token positions of characters ``[start_char, end_char)`` in one window.

    Returns ``(0, 0)`` -- the ``[CLS]`` position, "no answer here" -- when the answer is not entirely
    inside the window's context. Both positions are inclusive.
    """
    if end_char <= start_char:
        raise ValueError(f"end_char={end_char} must be greater than start_char={start_char} (end is exclusive).")
    if len(offsets) != len(sequence_ids):
        raise ValueError("offsets and sequence_ids must come from the same window (same length).")
    first, last = context_range(sequence_ids)
    if offsets[first][0] > start_char or offsets[last][1] < end_char:
        return 0, 0
    start = first
    while start <= last and offsets[start][0] <= start_char:
        start += 1
    end = last
    while end >= first and offsets[end][1] >= end_char:
        end -= 1
    return start - 1, end + 1


def prepare_qa_features(
    examples: Mapping[str, Sequence[Any]],
    tokenizer: Any,
    max_length: int = 384,
    stride: int = 128,
    with_labels: bool = True,
) -> dict[str, list]:
    """Lesson 8: tokenize a batch of SQuAD-style rows into windows (use with ``Dataset.map(batched=True)``).

    Each window keeps ``example_id`` and an ``offset_mapping`` in which non-context tokens are
    ``None`` (so decoding cannot pick them). With ``with_labels``, ``start_positions`` and
    ``end_positions`` hold the answer's token positions, 0 ([CLS]) when it is not in the window.
    No padding: a data collator pads each batch.
    """
    for column in ("question", "context", "id") + (("answers",) if with_labels else ()):
        if column not in examples:
            raise ValueError(f"examples has no {column!r} column: pass SQuAD-style rows (see load_qa()).")
    if stride >= max_length // 2:
        raise ValueError(f"stride={stride} must be well below max_length={max_length}: try stride = max_length // 3.")
    questions = [q.strip() for q in examples["question"]]
    enc = tokenizer(
        questions,
        list(examples["context"]),
        truncation="only_second",
        max_length=max_length,
        stride=stride,
        return_overflowing_tokens=True,
        return_offsets_mapping=True,
    )
    sample_map = enc.pop("overflow_to_sample_mapping")
    enc["example_id"] = []
    starts, ends = [], []
    for i, offsets in enumerate(enc["offset_mapping"]):
        sequence_ids = enc.sequence_ids(i)
        row = sample_map[i]
        enc["example_id"].append(examples["id"][row])
        if with_labels:
            answers = examples["answers"][row]
            if not answers["text"]:
                starts.append(0)
                ends.append(0)
            else:
                start_char = answers["answer_start"][0]
                start, end = answer_token_span(offsets, sequence_ids, start_char, start_char + len(answers["text"][0]))
                starts.append(start)
                ends.append(end)
        enc["offset_mapping"][i] = [o if s == 1 else None for o, s in zip(offsets, sequence_ids, strict=True)]
    if with_labels:
        enc["start_positions"] = starts
        enc["end_positions"] = ends
    return dict(enc)


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
    start_logits = np.asarray(start_logits, dtype=float)
    end_logits = np.asarray(end_logits, dtype=float)
    if start_logits.ndim != 1 or start_logits.shape != end_logits.shape:
        raise ValueError("start_logits and end_logits must be 1-D and of the same length (one window at a time).")
    if n_best < 1 or max_answer_length < 1:
        raise ValueError(f"n_best={n_best} and max_answer_length={max_answer_length} must both be >= 1.")
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
    :meth:`Answer.empty` when no window has a valid span.
    """
    best: Span | None = None
    for w, (start_logits, end_logits, offsets) in enumerate(windows):
        spans = span_candidates(start_logits, end_logits, offsets, n_best, max_answer_length, window=w)
        if spans and (best is None or spans[0].score > best.score):
            best = spans[0]
    if best is None:
        return Answer.empty()
    return Answer(context[best.start_char : best.end_char], best.score, best.start_char, best.end_char, best.window)


def naive_answer(start_logits: Sequence[float], end_logits: Sequence[float], tokens: Sequence[str]) -> str:
    """Lesson 8: argmax start and argmax end, no checks -- what can go wrong (end < start, question tokens)."""
    start, end = int(np.argmax(start_logits)), int(np.argmax(end_logits))
    return " ".join(tokens[start : end + 1]).replace(" ##", "")


# -- Running a model -------------------------------------------------------------------------


def qa_logits(
    model: Any, tokenizer: Any, features: Any, batch_size: int = 32, device: str | None = None
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Lesson 8: start and end logits of every window (``features`` from :func:`prepare_qa_features`).

    Batches are padded on the fly; each window's logits are cut back to its own length.
    """
    import torch

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
    """Lesson 8: one :class:`Answer` per example id, the best span over the example's windows."""
    if not len(features) == len(start_logits) == len(end_logits):
        raise ValueError("features, start_logits and end_logits must have one entry per window.")
    windows: dict[str, list] = collections.defaultdict(list)
    for feature, s, e in zip(features, start_logits, end_logits, strict=True):
        windows[feature["example_id"]].append((s, e, feature["offset_mapping"]))
    return {
        ex["id"]: best_answer(ex["context"], windows.get(ex["id"], []), n_best, max_answer_length) for ex in examples
    }


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
    if not isinstance(question, str) or not isinstance(context, str):
        raise TypeError("question and context must be strings.")
    examples = {"id": ["q"], "question": [question], "context": [context]}
    features = prepare_qa_features(examples, tokenizer, max_length, stride, with_labels=False)
    rows = [dict(zip(features, values, strict=True)) for values in zip(*features.values(), strict=True)]
    starts, ends = qa_logits(model, tokenizer, rows)
    return best_answer(context, zip(starts, ends, features["offset_mapping"], strict=True), n_best, max_answer_length)


# -- 4. SQuAD metrics --------------------------------------------------------------------------


def normalize_answer(text: str) -> str:
    """Lesson 8: the official SQuAD normalisation: lower-case, drop punctuation and a/an/the, collapse spaces."""
    text = text.lower()
    text = "".join(ch for ch in text if ch not in _PUNCTUATION)
    text = re.sub(r"\b(a|an|the)\b", " ", text)
    return " ".join(text.split())


def exact_match(prediction: str, truth: str) -> float:
    """Lesson 8: 1.0 when the normalised strings are equal, else 0.0."""
    return float(normalize_answer(prediction) == normalize_answer(truth))


def token_f1(prediction: str, truth: str) -> float:
    """Lesson 8: the harmonic mean of precision and recall over normalised word tokens (SQuAD F1).

    An empty side (e.g. "no answer") scores 1.0 only when both are empty, as in SQuAD 2.0's script.
    """
    pred, gold = normalize_answer(prediction).split(), normalize_answer(truth).split()
    if not pred or not gold:
        return float(pred == gold)
    same = sum((collections.Counter(pred) & collections.Counter(gold)).values())
    if same == 0:
        return 0.0
    precision, recall = same / len(pred), same / len(gold)
    return 2 * precision * recall / (precision + recall)


def squad_scores(prediction: str, truths: Sequence[str]) -> tuple[float, float]:
    """Lesson 8: (exact match, F1) of one prediction: the maximum over the gold answers."""
    if isinstance(truths, str) or not truths:
        raise ValueError("truths must be a non-empty list of gold answer strings (answers['text']).")
    return max(exact_match(prediction, t) for t in truths), max(token_f1(prediction, t) for t in truths)


def squad_metrics(predictions: Mapping[str, str | Answer], references: Iterable[Mapping[str, Any]]) -> dict[str, float]:
    """Lesson 8: SQuAD ``exact_match`` and ``f1`` in percent over ``references`` (rows with id, answers)."""
    em_total = f1_total = 0.0
    count = 0
    for row in references:
        if row["id"] not in predictions:
            raise ValueError(f"predictions has no answer for id {row['id']!r}: predict every reference question.")
        prediction = predictions[row["id"]]
        text = prediction.text if isinstance(prediction, Answer) else prediction
        em, f1 = squad_scores(text, row["answers"]["text"])
        em_total += em
        f1_total += f1
        count += 1
    if count == 0:
        raise ValueError("references is empty: pass the validation rows.")
    return {"exact_match": 100 * em_total / count, "f1": 100 * f1_total / count, "count": count}


# -- Plot -------------------------------------------------------------------------------------------


def plot_start_end(
    tokens: Sequence[str],
    start_logits: Sequence[float],
    end_logits: Sequence[float],
    positions: tuple[int, int] | None = None,
    title: str = "",
) -> None:
    """Lesson 8: softmax start and end probabilities over the tokens ``positions = (first, last)``."""
    import matplotlib.pyplot as plt

    start_p = _softmax(np.asarray(start_logits, dtype=float))
    end_p = _softmax(np.asarray(end_logits, dtype=float))
    lo, hi = positions if positions is not None else (0, len(tokens) - 1)
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


def _softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max())
    return e / e.sum()
