"""Checkers for the notebooks' exercises: each prints a verdict and returns a truthy/falsy ``Verdict``.

An unanswered exercise (``answer is None``) prints a reminder instead of failing, so a
notebook runs top to bottom before the learner has done anything. A learner's answer never
raises: a wrong one gets a hint, a malformed one (wrong type or shape, an impossible value) is
told what shape the answer must have. The exercise's own arguments (the text, the tokenizer,
the batch size ...) are checked and refused with a ``TypeError``/``ValueError``.

This module holds the machinery (``Verdict``, ``check_answer``, ``check_close``, ``check_vector``);
the checkers of each lesson live next to it: ``exercises_inputs`` (lessons 1-2),
``exercises_features`` (3-5), ``exercises_fine_tuning`` (6), ``exercises_tasks`` (7-9) and
``exercises_deployment`` (10).
"""

from __future__ import annotations

import math
import reprlib
from collections.abc import Iterable
from numbers import Integral, Real
from typing import Any

import numpy as np

from . import checks


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


# Verdicts --------------------------------------------------------------------------------------


def _not_answered(exercise: str) -> Verdict:
    print(f"{exercise}: not answered yet - replace None with your answer.")
    return Verdict(False)


def _correct(exercise: str) -> Verdict:
    print(f"{exercise}: correct!")
    return Verdict(True)


def _wrong(exercise: str, answer: Any, hint: str) -> Verdict:
    print(f"{exercise}: not quite. You gave {answer!r}.{' Hint: ' + hint if hint else ''}")
    return Verdict(False)


def _malformed(exercise: str, answer: Any, shape: str) -> Verdict:
    print(f"{exercise}: not quite - your answer must be {shape}; you gave {_given(answer)}.")
    return Verdict(False)


def _given(answer: Any) -> str:
    name = type(answer).__name__
    kind = "one string" if isinstance(answer, str) else f"{'an' if name[0] in 'aeiou' else 'a'} {name}"
    if getattr(answer, "ndim", 0):
        return f"{kind} of shape {tuple(answer.shape)}"
    return f"{kind}, {reprlib.repr(answer)}"


# The answer's shape, read from the expected answer ---------------------------------------------


def _plain(value: Any) -> Any:
    """NumPy/torch values (and lists of them) as plain Python numbers and lists."""
    if hasattr(value, "tolist") and not isinstance(value, (list, tuple, str)):
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        return type(value)(_plain(v) for v in value)
    return value


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "True/False"
    if isinstance(value, Integral):
        return "int"
    if isinstance(value, Real):
        return "number"
    if isinstance(value, str):
        return "string"
    return type(value).__name__


def _plural(value: Any) -> str:
    if isinstance(value, tuple):
        return f"({', '.join(_kind(v) for v in value)}) tuples"
    if isinstance(value, list):
        return f"lists of {_plural(value[0])}" if value and _uniform(value) else "lists"
    return "True/False values" if isinstance(value, bool) else _kind(value) + "s"


def _describe(expected: Any) -> str:
    """What an answer shaped like ``expected`` is: 'an int', 'a list of strings', ..."""
    if isinstance(expected, tuple):
        return f"a tuple ({', '.join(_kind(v) for v in expected)})"
    if isinstance(expected, list):
        if not expected:
            return "a list"
        if _uniform(expected):
            return f"a list of {_plural(expected[0])}"
        return f"a list like [{', '.join(_kind(v) for v in expected)}]"
    kind = _kind(expected)
    return {"True/False": "True or False", "int": "an int (a whole number)"}.get(kind, f"a {kind}")


def _uniform(items: list) -> bool:
    """A list whose items all have the first one's shape (then one item shows them all)."""
    return all(_fits(item, items[0]) for item in items[1:])


def _fits(answer: Any, expected: Any) -> bool:
    """Whether ``answer`` (plain Python values) has ``expected``'s type and structure, not its value.
    Lists and tuples stand for each other; a tuple's items are checked one by one."""
    if isinstance(expected, bool):
        return isinstance(answer, bool)
    if isinstance(expected, Real):
        if isinstance(answer, bool) or not isinstance(answer, Real) or not math.isfinite(answer):
            return False
        return float(answer).is_integer() if isinstance(expected, Integral) else True
    if isinstance(expected, str):
        return isinstance(answer, str)
    if isinstance(expected, (list, tuple)):
        if not isinstance(answer, (list, tuple)):
            return False
        if isinstance(expected, list) and expected and _uniform(expected):
            return all(_fits(item, expected[0]) for item in answer)
        if isinstance(expected, tuple) or len(answer) == len(expected):
            return len(answer) == len(expected) and all(_fits(a, e) for a, e in zip(answer, expected, strict=True))
    return True


def _same(answer: Any, expected: Any) -> bool:
    """Equal, with floats compared within a relative 1e-6 (0.1 + 0.2 is 0.3)."""
    if isinstance(expected, (list, tuple)):
        return (
            isinstance(answer, (list, tuple))
            and len(answer) == len(expected)
            and all(_same(a, e) for a, e in zip(answer, expected, strict=True))
        )
    if isinstance(answer, bool) or isinstance(expected, bool):
        return answer == expected
    numbers = isinstance(answer, Real) and isinstance(expected, Real)
    if numbers and (isinstance(answer, float) or isinstance(expected, float)):
        return math.isclose(answer, expected, rel_tol=1e-6, abs_tol=1e-9)
    return answer == expected


def check_answer(
    exercise: str,
    answer: Any,
    expected: Any,
    hint: str = "",
    *,
    shape: str = "",
    choices: Iterable[Any] | None = None,
) -> Verdict:
    """Compare ``answer`` with ``expected`` and say so; ``hint`` is shown when they differ.

    Floats are compared within a relative 1e-6 (and 1e-9 absolute), lists and tuples item by
    item. An answer of the wrong type or structure (one string for a list, 0.5 for an int, ...)
    is told to be ``shape`` (by default described from ``expected``); with ``choices``, an
    answer outside them is told to be one of them.
    """
    exercise = checks.text("exercise", exercise)
    hint = checks.text("hint", hint, empty=True)
    shape = checks.text("shape", shape, empty=True)
    if expected is None:
        raise ValueError("expected is None: pass the right answer to compare with.")
    if answer is None:
        return _not_answered(exercise)
    given, expected = _plain(answer), _plain(expected)
    if not _fits(given, expected):
        return _malformed(exercise, answer, shape or _describe(expected))
    if choices is not None:
        choices = list(choices)
        if not any(_same(given, choice) for choice in choices):
            return _malformed(exercise, answer, f"one of {choices}")
    if _same(given, expected):
        return _correct(exercise)
    return _wrong(exercise, answer, hint)


def check_close(
    exercise: str,
    answer: Any,
    expected: float,
    tolerance: float,
    hint: str,
    minimum: float | None = None,
    maximum: float | None = None,
) -> Verdict:
    """Like check_answer, for numbers a learner may round (within ``tolerance``) that lie in
    [minimum, maximum]."""
    exercise, hint = checks.text("exercise", exercise), checks.text("hint", hint, empty=True)
    expected = checks.number("expected", expected)
    tolerance = checks.number("tolerance", tolerance, minimum=0)
    if answer is None:
        return _not_answered(exercise)
    if hasattr(answer, "item") and math.prod(getattr(answer, "shape", ())) == 1:  # a NumPy or torch scalar
        answer = answer.item()
    if isinstance(answer, bool) or not isinstance(answer, Real) or not math.isfinite(answer):
        return _malformed(exercise, answer, "one number, e.g. 0.25")
    if (minimum is not None and answer < minimum) or (maximum is not None and answer > maximum):
        if maximum is None:
            shape = f"a number >= {minimum:g}"
        elif minimum is None:
            shape = f"a number <= {maximum:g}"
        else:
            shape = f"a number between {minimum:g} and {maximum:g}"
        if maximum == 1 and 1 < answer <= 100:
            shape += " (a fraction, not a percentage)"
        return _malformed(exercise, answer, shape)
    # a value rounded as asked may be off by exactly the tolerance: allow for float error there
    if abs(float(answer) - expected) <= tolerance * (1 + 1e-6):
        return _correct(exercise)
    return _wrong(exercise, answer, hint)


def check_vector(exercise: str, answer: Any, expected: Any, tolerance: float, hint: str) -> Verdict:
    """Like check_answer, for arrays (NumPy, torch or nested lists) equal within ``tolerance``."""
    exercise, hint = checks.text("exercise", exercise), checks.text("hint", hint, empty=True)
    tolerance = checks.number("tolerance", tolerance, minimum=0)
    want = checks.array("expected", expected)
    if answer is None:
        return _not_answered(exercise)
    shape = f"an array of numbers of shape {want.shape}"
    if hasattr(answer, "detach"):  # a torch tensor
        answer = answer.detach().cpu().float().numpy()
    if isinstance(answer, (str, bytes, dict)):
        return _malformed(exercise, answer, shape)
    try:
        got = np.asarray(answer, dtype=np.float64)
    except (TypeError, ValueError):
        return _malformed(exercise, answer, shape + " (rows of equal length, numbers only)")
    if got.size == 0 or np.squeeze(got).shape != np.squeeze(want).shape:
        print(f"{exercise}: not quite - you gave shape {got.shape}, expected {want.shape}. Hint: {hint}")
        return Verdict(False)
    got = got.reshape(want.shape)  # (1, d) for (d,) is fine
    if np.allclose(got, want, atol=tolerance, rtol=0):
        return _correct(exercise)
    print(f"{exercise}: not quite (largest difference {np.abs(got - want).max():.3g}). Hint: {hint}")
    return Verdict(False)
