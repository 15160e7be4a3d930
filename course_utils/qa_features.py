"""Question-answering features and labels (lesson 8, steps 1-2).

1. **Features**: the tokenizer builds ``[CLS] question [SEP] context [SEP]`` windows with
   ``truncation="only_second"``, a ``stride`` (overlap) for long contexts, and
   ``offset_mapping`` + ``sequence_ids()`` to know which token covers which characters.
2. **Labels** for training: the start/end *token* positions of the answer in each window,
   or the ``[CLS]`` position 0 when the answer is not (entirely) inside the window.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from . import checks


def _window_list(name: str, value: Any) -> Sequence:
    """One window's per-token list (``sequence_ids`` or ``offsets``): a list or tuple, not a string or a batch."""
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, (Sequence, np.ndarray)):
        raise TypeError(
            f"{name} must be the list of one window, e.g. enc.sequence_ids(0) or enc['offset_mapping'][0], "
            f"not {type(value).__name__}."
        )
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
        raise ValueError(
            f"offsets and sequence_ids must come from the same window (same length): offsets has "
            f"{len(offsets)}, sequence_ids has {len(sequence_ids)}."
        )
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
        raise TypeError(
            f"examples must be a batch of SQuAD-style rows (a dict of columns, as Dataset.map(batched=True) "
            f"passes), not {type(examples).__name__}."
        )
    for column in ("question", "context", "id") + (("answers",) if with_labels else ()):
        if column not in examples:
            raise ValueError(f"examples has no {column!r} column: pass SQuAD-style rows (see load_qa()).")
    if isinstance(examples["question"], str):
        raise TypeError(
            "examples is one row, not a batch: wrap each value in a list ({k: [v] for k, v in row.items()}) "
            "or use Dataset.map(..., batched=True)."
        )
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
        raise TypeError(
            f"{name} must be a dict of lists {{'text': [...], 'answer_start': [...]}} (SQuAD style), "
            f"not {type(answers).__name__}."
        )
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
