"""Shared by the bad-input tests (``test_bad_input_*.py``): every public helper refuses bad input
with a ``TypeError``/``ValueError``/``FileNotFoundError`` raised by *our* code, naming the argument.

Each test module lists its cases in ``CASES`` with :func:`case`; arguments that need a fixture (a
tokenizer, a model) are written as ``Fixture("tokenizer")`` and filled in when the case runs.
``test_bad_input_inventory.py`` fails when a public function has no case.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest


@dataclass(frozen=True)
class Fixture:
    """A placeholder for a pytest fixture's value (``tokenizer``, ``tiny_bert``, ``tmp_path``, ...)."""

    name: str


def case(func: Any, *args: Any, error: type[Exception], match: str, **kwargs: Any) -> Any:
    """One bad call: ``func(*args, **kwargs)`` must raise ``error`` with a message matching ``match``."""
    name = getattr(func, "__qualname__", repr(func))
    return pytest.param(func, args, kwargs, error, match, id=f"{name}: {match[:40]}")


def run_case(request: pytest.FixtureRequest, func: Any, args: tuple, kwargs: dict, error: type, match: str) -> None:
    """Call ``func`` with fixtures filled in; check the error, its message and that our code raised it."""

    def fill(value: Any) -> Any:
        return request.getfixturevalue(value.name) if isinstance(value, Fixture) else value

    args = tuple(fill(a) for a in args)
    kwargs = {k: fill(v) for k, v in kwargs.items()}
    with pytest.raises(error, match=match) as info:
        func(*args, **kwargs)
    tb = info.tb
    while tb.tb_next is not None:
        tb = tb.tb_next
    raised_in = tb.tb_frame.f_code.co_filename
    assert "course_utils" in raised_in, (
        f"the error came from {raised_in}, not from course_utils: check the argument first"
    )


def covered(cases: list) -> set[str]:
    """Qualified names (``module.function`` or ``module.Class.method``) that ``cases`` exercise."""
    names = set()
    for param in cases:
        func = param.values[0]
        names.add(f"{func.__module__.removeprefix('course_utils.')}.{func.__qualname__}")
    return names
