"""Claims checked by the run (every lesson): a sentence that states a comparison is followed by
:func:`claim`, which prints the claim with its numbers and stops the notebook when it is false.

Under the Hub stand-in used by the tests of the online path (``BERT_COURSE_STANDIN=1``) models
are small and random, so their numbers mean nothing: claims are printed as skipped there.
"""

from __future__ import annotations

import math
import os
from numbers import Real

import numpy as np

STANDIN_ENV = "BERT_COURSE_STANDIN"


class ClaimError(AssertionError):
    """A lesson's stated result does not hold in this run."""


def _number(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, Real) or math.isnan(float(value)):
        raise TypeError(f"{name}={value!r} must be a real number (pass the measured value, not text or NaN).")
    return float(value)


def claim(statement: str, holds: bool, **numbers: float) -> None:
    """Print ``statement`` with the measured ``numbers``; raise :class:`ClaimError` when ``holds`` is False.

    ``claim("fine-tuning beats frozen features by 3 points", tuned >= frozen + 0.03, tuned=tuned, frozen=frozen)``
    """
    if not isinstance(statement, str) or not statement.strip():
        raise TypeError("statement must be a non-empty string: the sentence of the lesson being checked.")
    if not isinstance(holds, (bool, np.bool_)):
        holds_type = f"{type(holds).__module__}.{type(holds).__name__}"
        raise TypeError(f"holds must be a bool (the comparison itself, e.g. a > b), not {holds_type}.")
    holds = bool(holds)
    shown = ", ".join(f"{name} {_number(name, value):.4g}" for name, value in numbers.items())
    detail = f" ({shown})" if shown else ""
    if os.environ.get(STANDIN_ENV) == "1":
        print(f"claim skipped (stand-in models): {statement}{detail}")
        return
    if not holds:
        raise ClaimError(f"claim does not hold in this run: {statement}{detail}")
    print(f"claim holds: {statement}{detail}")
