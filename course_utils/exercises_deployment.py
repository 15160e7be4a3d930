"""Exercise checkers of lesson 10 (BERT on a CPU)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from . import checks
from .exercises import Verdict, check_close, check_vector


def check_int8_weights(weights: Sequence[float], answer: Any) -> Verdict:
    """Lesson 10: symmetric int8 quantization of a row of weights: round(w / scale), scale = max|w| / 127."""
    w = checks.finite_numbers("weights", weights)
    if not np.abs(w).max() > 0:
        raise ValueError("weights are all zero: pass some non-zero weights (there would be no scale).")
    expected = np.round(w / (np.abs(w).max() / 127))
    return check_vector(
        "int8 weights", answer, expected, 0.5, "divide by the scale (the largest |w| over 127), then round."
    )


def check_model_megabytes(parameters: int, bytes_per_parameter: int, answer: float | None) -> Verdict:
    """Lesson 10: a model's weights on disk, in MB (10^6 bytes), to one decimal."""
    parameters = checks.integer("parameters", parameters, minimum=1)
    width = checks.one_of("bytes_per_parameter", bytes_per_parameter, (1, 2, 4))
    return check_close(
        "Size on disk", answer, parameters * width / 1e6, 0.05, "parameters x bytes each, divided by 10^6.",
        minimum=0,
    )


def check_percentile(times_ms: Sequence[float], q: float, answer: float | None) -> Verdict:
    """Lesson 10: the ``q``-th percentile of a list of latencies (NumPy's default, linear interpolation)."""
    times = checks.finite_numbers("times_ms", times_ms, least=2)
    q = checks.number("q", q, minimum=0, maximum=100)
    return check_close(
        f"p{q:g}", answer, float(np.percentile(times, q)), 0.005,
        "sort the times; the value at position q/100 x (n - 1), interpolating between neighbours.", minimum=0,
    )
