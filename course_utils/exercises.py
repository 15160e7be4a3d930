"""Checkers for the notebooks' exercises: each prints a verdict and returns a truthy/falsy ``Verdict``.

An unanswered exercise (``answer is None``) prints a reminder instead of failing, so a
notebook runs top to bottom before the learner has done anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class Verdict:
    """A checker's result: truthy when the answer is right. It shows nothing in a notebook,
    since the checker has already printed its verdict."""

    def __init__(self, correct: bool) -> None:
        self.correct = bool(correct)

    def __bool__(self) -> bool:
        return self.correct

    def __repr__(self) -> str:
        return f"Verdict(correct={self.correct})"

    def _ipython_display_(self) -> None:
        pass


def check_answer(exercise: str, answer: Any, expected: Any, hint: str = "") -> Verdict:
    """Compare ``answer`` with ``expected`` and say so; ``hint`` is shown when they differ."""
    if answer is None:
        print(f"{exercise}: not answered yet - replace None with your answer.")
        return Verdict(False)
    if _same(answer, expected):
        print(f"{exercise}: correct!")
        return Verdict(True)
    print(f"{exercise}: not quite. You gave {answer!r}.{' Hint: ' + hint if hint else ''}")
    return Verdict(False)


def _same(answer: Any, expected: Any) -> bool:
    if hasattr(answer, "tolist"):
        answer = answer.tolist()
    if isinstance(expected, float):
        return isinstance(answer, (int, float)) and abs(answer - expected) <= 1e-6 * max(1.0, abs(expected))
    if isinstance(answer, tuple):
        answer = list(answer)
    return answer == expected


# Lesson 1 ------------------------------------------------------------------------------


def check_wordpieces(text: str, answer: Sequence[str] | None, tokenizer: Any) -> Verdict:
    """Lesson 1: the WordPiece tokens of ``text`` (without [CLS]/[SEP])."""
    return check_answer(
        "WordPiece tokens",
        answer,
        tokenizer.tokenize(text),
        "lower-case, split off punctuation, then take the longest vocabulary match from the left.",
    )


def check_pair_ids(first: str, second: str, max_length: int, answer: Sequence[int] | None, tokenizer: Any) -> Verdict:
    """Lesson 1: the padded ``input_ids`` of a sentence pair."""
    expected = tokenizer(first, second, padding="max_length", truncation=True, max_length=max_length)["input_ids"]
    return check_answer("Pair input ids", answer, expected, "[CLS] first [SEP] second [SEP], then [PAD] (id 0).")


# Lesson 2 ------------------------------------------------------------------------------


def check_padded_length(texts: Sequence[str], answer: int | None, tokenizer: Any) -> Verdict:
    """Lesson 2: the length of a batch padded with ``padding=True``."""
    expected = len(tokenizer(list(texts), padding=True)["input_ids"][0])
    return check_answer("Padded length", answer, expected, "the longest sentence's tokens plus [CLS] and [SEP].")


def check_attention_mask(texts: Sequence[str], answer: Sequence[Sequence[int]] | None, tokenizer: Any) -> Verdict:
    """Lesson 2: the attention mask of a batch padded with ``padding=True``."""
    expected = tokenizer(list(texts), padding=True)["attention_mask"]
    hint = "1 for every real token ([CLS] and [SEP] too), 0 for [PAD]."
    return check_answer("Attention mask", answer, expected, hint)


def check_token_type_ids(first: str, second: str, answer: Sequence[int] | None, tokenizer: Any) -> Verdict:
    """Lesson 2: the segment ids of a sentence pair."""
    expected = tokenizer(first, second)["token_type_ids"]
    return check_answer("Token type ids", answer, expected, "0 up to and including the first [SEP], then 1.")
