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

from . import checks

Offsets = Sequence[tuple[int, int] | None]
_PUNCTUATION = frozenset(string.punctuation)


# -- 1-2. Features and labels -----------------------------------------------------------


def _window_list(name: str, value: Any) -> Sequence:
    """One window's per-token list (``sequence_ids`` or ``offsets``): a list or tuple, not a string or a batch."""
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, (Sequence, np.ndarray)):
        raise TypeError(f"{name} must be the list of one window, e.g. enc.sequence_ids(0) or enc['offset_mapping'][0], "
                        f"not {type(value).__name__}.")
    return value


def context_range(sequence_ids: Sequence[int | None], context_id: int = 1) -> tuple[int, int]:
    """Lesson 8: the first and last token index of the context (segment ``context_id``) in one window."""
    _window_list("sequence_ids", sequence_ids)
    checks.one_of("context_id", context_id, (0, 1))
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
    _window_list("offsets", offsets)
    _window_list("sequence_ids", sequence_ids)
    checks.integer("start_char", start_char, minimum=0)  # -1 is what str.find says when the answer is not there
    checks.integer("end_char", end_char, minimum=0)
    if end_char <= start_char:
        raise ValueError(f"end_char={end_char} must be greater than start_char={start_char} (end is exclusive).")
    if len(offsets) != len(sequence_ids):
        raise ValueError(f"offsets and sequence_ids must come from the same window (same length): offsets has "
                         f"{len(offsets)}, sequence_ids has {len(sequence_ids)}.")
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
    No padding: a data collator pads each batch; an empty batch gives empty columns. A whole
    ``Dataset`` is taken as one batch. A question too long to leave room for more than ``stride``
    context tokens in a window is refused (the tokenizer cannot split its context).
    """
    checks.tokenizer("tokenizer", tokenizer)
    checks.one_of("with_labels", with_labels, (True, False))
    max_length = checks.integer("max_length", max_length, minimum=1, maximum=tokenizer.model_max_length)
    stride = checks.integer("stride", stride, minimum=0)
    if stride >= max_length // 2:
        raise ValueError(f"stride={stride} must be well below max_length={max_length}: try stride = max_length // 3.")
    if hasattr(examples, "column_names"):  # a Dataset: one batch (a DatasetDict is refused by checks.columns)
        examples = checks.columns("examples", examples, ()).to_dict()
    if not isinstance(examples, Mapping):
        raise TypeError(f"examples must be a batch of SQuAD-style rows (a dict of columns, as Dataset.map(batched=True) "
                        f"passes), not {type(examples).__name__}.")
    for column in ("question", "context", "id") + (("answers",) if with_labels else ()):
        if column not in examples:
            raise ValueError(f"examples has no {column!r} column: pass SQuAD-style rows (see load_qa()).")
    if isinstance(examples["question"], str):
        raise TypeError("examples is one row, not a batch: wrap each value in a list ({k: [v] for k, v in row.items()}) "
                        "or use Dataset.map(..., batched=True).")
    questions = checks.text_list("examples['question']", examples["question"], empty=True)
    contexts = checks.text_list("examples['context']", examples["context"], empty=True)
    keys = ["question", "context", "id"] + (["answers"] if with_labels else [])
    checks.same_length([f"examples[{k!r}]" for k in keys], *(examples[k] for k in keys))
    all_answers = examples["answers"] if with_labels else []
    for i, (question, context) in enumerate(zip(questions, contexts, strict=True)):
        if not question.strip() or not context.strip():
            empty = "question" if not question.strip() else "context"
            raise ValueError(f"examples[{empty!r}][{i}] is empty: every row needs a question and a context.")
        if with_labels:
            _check_answers(f"examples['answers'][{i}]", all_answers[i])
    if not questions:
        columns = [*tokenizer.model_input_names, "offset_mapping", "example_id"]
        return {c: [] for c in columns + (["start_positions", "end_positions"] if with_labels else [])}
    questions = [q.strip() for q in questions]
    names = [f"examples['question'][{i}]" for i in range(len(questions))]
    _check_questions_fit(tokenizer, questions, contexts, max_length, stride, names)
    enc = tokenizer(
        questions,
        contexts,
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


def _check_answers(name: str, answers: Any) -> None:
    if not isinstance(answers, Mapping) or "text" not in answers or "answer_start" not in answers:
        raise TypeError(f"{name} must be a dict of lists {{'text': [...], 'answer_start': [...]}} (SQuAD style), "
                        f"not {type(answers).__name__}.")
    checks.same_length([f"{name}['text']", f"{name}['answer_start']"], answers["text"], answers["answer_start"])


def _check_questions_fit(
    tokenizer: Any, questions: list[str], contexts: list[str], max_length: int, stride: int, names: list[str]
) -> None:
    """Refuse a question that leaves no more than ``stride`` context tokens per window when its context must be split.

    The tokenizer would stop with a library error (or a panic) there. Questions are short, so tokenizing them
    once more is cheap; contexts are only measured for the rare long question.
    """
    specials = tokenizer.num_special_tokens_to_add(pair=True)
    room = max_length - specials - stride  # a question needs fewer tokens than this
    lengths = [len(ids) for ids in tokenizer(questions, add_special_tokens=False)["input_ids"]]
    for name, n, context in zip(names, lengths, contexts, strict=True):
        if n >= room and n + len(tokenizer(context, add_special_tokens=False)["input_ids"]) + specials > max_length:
            raise ValueError(
                f"{name} is {n} tokens long, too long for max_length={max_length} with stride={stride}: a window holds "
                f"{specials} special tokens and more than stride context tokens, so a question may have at most "
                f"{room - 1} tokens. Raise max_length, lower stride or shorten the question."
            )


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
        raise ValueError(f"start_logits and end_logits must be of the same length (one window at a time): "
                         f"start_logits has {len(start_logits)}, end_logits has {len(end_logits)}.")
    checks.integer("n_best", n_best, minimum=1)
    checks.integer("max_answer_length", max_answer_length, minimum=1)
    checks.integer("window", window, minimum=0)
    _window_list("offsets", offsets)
    if len(offsets) > len(start_logits):
        raise ValueError(f"offsets has {len(offsets)} entries but the logits only {len(start_logits)}: pass the "
                         "offsets and logits of the same window.")
    if all(o is not None for o in offsets):
        raise ValueError("offsets has no None entry, so the question and special tokens could be chosen as the answer: "
                         "mark every non-context token None, e.g. [o if s == 1 else None for o, s in "
                         "zip(enc['offset_mapping'], enc.sequence_ids())] (prepare_qa_features does this).")
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
        raise TypeError(f"windows must be a list of (start_logits, end_logits, offsets) tuples, not {type(windows).__name__}.")
    best: Span | None = None
    for w, item in enumerate(windows):
        if not isinstance(item, (tuple, list)) or len(item) != 3:
            raise TypeError(f"windows[{w}] must be a (start_logits, end_logits, offsets) tuple, not "
                            f"{type(item).__name__}: for one window pass [(start_logits, end_logits, offsets)].")
        start_logits, end_logits, offsets = item
        spans = span_candidates(start_logits, end_logits, offsets, n_best, max_answer_length, window=w)
        if spans and (best is None or spans[0].score > best.score):
            best = spans[0]
    if best is None:
        return Answer.empty()
    if best.end_char > len(context):
        raise ValueError(f"the windows point at characters {best.start_char}-{best.end_char} but context has only "
                         f"{len(context)}: pass the context the windows were made from.")
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
                raise TypeError(f"model ({type(model).__name__}) gives no start_logits: pass a question-answering model, "
                                "e.g. AutoModelForQuestionAnswering.from_pretrained(...).")
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
            raise ValueError(f"example id {ex['id']!r} has no window in features: pass the features made from these "
                             "examples (every example has at least one window).")
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


# -- 4. SQuAD metrics --------------------------------------------------------------------------


def normalize_answer(text: str) -> str:
    """Lesson 8: the official SQuAD normalisation: lower-case, drop punctuation and a/an/the, collapse spaces."""
    text = checks.text("text", text, empty=True).lower()
    text = "".join(ch for ch in text if ch not in _PUNCTUATION)
    text = re.sub(r"\b(a|an|the)\b", " ", text)
    return " ".join(text.split())


def exact_match(prediction: str, truth: str) -> float:
    """Lesson 8: 1.0 when the normalised strings are equal, else 0.0."""
    checks.text("prediction", prediction, empty=True)
    checks.text("truth", truth, empty=True)
    return float(normalize_answer(prediction) == normalize_answer(truth))


def token_f1(prediction: str, truth: str) -> float:
    """Lesson 8: the harmonic mean of precision and recall over normalised word tokens (SQuAD F1).

    An empty side (e.g. "no answer") scores 1.0 only when both are empty, as in SQuAD 2.0's script.
    """
    checks.text("prediction", prediction, empty=True)
    checks.text("truth", truth, empty=True)
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
    checks.text("prediction", prediction, empty=True)
    if isinstance(truths, str):
        raise ValueError("truths must be a non-empty list of gold answer strings (answers['text']), not one string.")
    truths = checks.text_list("truths", truths)
    return max(exact_match(prediction, t) for t in truths), max(token_f1(prediction, t) for t in truths)


def squad_metrics(predictions: Mapping[str, str | Answer], references: Iterable[Mapping[str, Any]]) -> dict[str, float]:
    """Lesson 8: SQuAD ``exact_match`` and ``f1`` in percent over ``references`` (rows with id, answers)."""
    if not isinstance(predictions, Mapping):
        raise TypeError(f"predictions must be a dict {{id: answer}} (as postprocess_qa returns), "
                        f"not {type(predictions).__name__}.")
    references = _rows("references", references, ["id", "answers"], "pass the SQuAD rows (with answers) that were predicted")
    em_total = f1_total = 0.0
    count = 0
    for row in references:
        if row["id"] not in predictions:
            raise ValueError(f"predictions has no answer for id {row['id']!r}: predict every reference question.")
        prediction = predictions[row["id"]]
        text = prediction.text if isinstance(prediction, Answer) else prediction
        if not isinstance(text, str):
            raise TypeError(f"predictions[{row['id']!r}] must be a str or an Answer, not {type(text).__name__}.")
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
            raise TypeError(f"{name} looks like one row, not a batch (its values are not lists): pass a dataset, "
                            "a list of rows or a dict of columns.")
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
