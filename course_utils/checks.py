"""Argument checks for every public helper of ``course_utils``: one home, one voice.

Each check takes the argument's *name* and its *value*, returns the value (converted where the
conversion is exact, e.g. a tuple of strings becomes a list) and raises ``TypeError`` (wrong kind)
or ``ValueError`` (right kind, impossible value) with a message that names the argument, says what
was passed and what to pass instead::

    texts = text_list("texts", texts)          # a lone string is an error, not a list of characters
    steps = integer("steps", steps, minimum=0)
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence, Sized
from numbers import Integral, Real
from pathlib import Path
from typing import Any

import numpy as np


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def text(name: str, value: Any, *, empty: bool = False) -> str:
    """``value`` as a string; ``empty=False`` also refuses '' and whitespace-only text."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {type(value).__name__} ({_shown(value)}).")
    if not empty and not value.strip():
        raise ValueError(f"{name} is empty: pass some text.")
    return value


def text_list(name: str, value: Any, *, empty: bool = False) -> list[str]:
    """``value`` as a list of strings. A lone string is refused (it would be read character by
    character); ``empty=False`` refuses an empty list."""
    if isinstance(value, str):
        raise TypeError(
            f"{name} must be a list of strings, not one string: wrap a single text as [{name[:-1] or 'text'}]."
        )
    if value is None or isinstance(value, (bytes, dict)) or not isinstance(value, Iterable):
        raise TypeError(f"{name} must be a list of strings, not {type(value).__name__} ({_shown(value)}).")
    items = list(value)
    if not empty and not items:
        raise ValueError(f"{name} is empty: pass at least one string.")
    for i, item in enumerate(items):
        if not isinstance(item, str):
            raise TypeError(f"{name}[{i}] is a {type(item).__name__} ({_shown(item)}), not a str: pass strings only.")
    return items


def integer(name: str, value: Any, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """``value`` as an int within [minimum, maximum]; bools and floats (even 2.0) are refused."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{name} must be an int, not {type(value).__name__} ({_shown(value)}).")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"{name}={value} is too small: pass an int >= {minimum}.")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name}={value} is too large: pass an int <= {maximum}.")
    return value


def number(name: str, value: Any, *, minimum: float | None = None, maximum: float | None = None) -> float:
    """``value`` as a finite float within [minimum, maximum]; bools, text and NaN are refused."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name} must be a number, not {type(value).__name__} ({_shown(value)}).")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name}={value} is not a finite number.")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name}={value:g} is too small: pass a number >= {minimum:g}.")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name}={value:g} is too large: pass a number <= {maximum:g}.")
    return value


def one_of(name: str, value: Any, choices: Iterable[Any]) -> Any:
    """``value`` if it is one of ``choices``; the error lists them."""
    choices = list(choices)
    try:
        known = value in choices
    except TypeError:  # unhashable values in a dict_keys view
        known = False
    if not known:
        raise ValueError(f"{name}={_shown(value)} is unknown: choose one of {choices}.")
    return value


def same_length(names: Sequence[str], *values: Sized) -> None:
    """Refuse sequences of different lengths that are read in pairs (labels and predictions, ...)."""
    lengths = [len(v) for v in values]
    if len(set(lengths)) > 1:
        shown = ", ".join(f"{n} has {k}" for n, k in zip(names, lengths, strict=True))
        raise ValueError(f"{' and '.join(names)} must have the same length: {shown}.")


def array(name: str, value: Any, *, ndim: int | None = None, empty: bool = False) -> np.ndarray:
    """``value`` (list, numpy array or tensor) as a float numpy array with ``ndim`` dimensions."""
    if isinstance(value, (str, bytes, dict)) or value is None:
        raise TypeError(f"{name} must be an array of numbers, not {type(value).__name__} ({_shown(value)}).")
    if hasattr(value, "detach"):
        value = value.detach().cpu().numpy()
    try:
        result = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be an array of numbers (rows of equal length), not {_shown(value)}.") from None
    if ndim is not None and result.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimension(s), not {result.ndim} (shape {result.shape}).")
    if not empty and result.size == 0:
        raise ValueError(f"{name} is empty: pass at least one value.")
    return result


def finite_numbers(name: str, value: Any, *, least: int = 1) -> np.ndarray:
    """A flat list of at least ``least`` finite numbers."""
    values = array(name, value, ndim=1)
    if len(values) < least:
        raise ValueError(f"{name} has {len(values)} value(s): pass at least {least}.")
    if not np.isfinite(values).all():
        raise ValueError(f"{name} contains NaN or infinity: pass finite numbers.")
    return values


def class_ids(name: str, value: Any) -> np.ndarray:
    """``value`` (list, array or tensor) as a 1-D int array of class ids; logits get a hint to take their argmax."""
    values = array(name, value)
    if values.ndim == 2:
        raise ValueError(
            f"{name} has shape {values.shape}: these look like logits, pass class ids ({name}.argmax(-1))."
        )
    values = array(name, values, ndim=1)
    whole = np.isfinite(values) & (values == np.round(values))
    if not whole.all():
        raise ValueError(
            f"{name} holds non-integer values ({values[~whole][:3]}...): {name} must hold class ids "
            "(ints such as 0, 1, 2), not probabilities."
        )
    return values.astype(int)


def tokenizer(name: str, value: Any) -> Any:
    """A Hugging Face tokenizer (something with ``convert_tokens_to_ids`` that can be called)."""
    if not (callable(value) and hasattr(value, "convert_tokens_to_ids")):
        hint = (
            " (that is a model: pass the tokenizer)" if hasattr(value, "config") and hasattr(value, "forward") else ""
        )
        raise TypeError(
            f"{name} must be a tokenizer, e.g. AutoTokenizer.from_pretrained(...), not {type(value).__name__}{hint}."
        )
    return value


def fast_tokenizer(name: str, value: Any, why: str) -> Any:
    """A fast (Rust-backed) tokenizer, the kind that gives offsets and word ids; ``why`` says what needs them."""
    tokenizer(name, value)
    if not getattr(value, "is_fast", False):
        raise TypeError(f"{name} must be a fast tokenizer ({why}): load it with AutoTokenizer.from_pretrained(name).")
    return value


def model(name: str, value: Any) -> Any:
    """A PyTorch model with a Hugging Face ``config`` (a transformers model or ``BertClassifier``)."""
    if not (hasattr(value, "config") and hasattr(value, "forward") and hasattr(value, "parameters")):
        hint = " (that is a tokenizer: pass the model)" if hasattr(value, "convert_tokens_to_ids") else ""
        raise TypeError(
            f"{name} must be a model, e.g. AutoModel.from_pretrained(...), not {type(value).__name__}{hint}."
        )
    return value


def columns(name: str, dataset: Any, needed: Iterable[str], hint: str = "") -> Any:
    """A ``datasets.Dataset`` (or dict of columns) that has the ``needed`` columns."""
    have = getattr(dataset, "column_names", None)
    if have is None and isinstance(dataset, dict):
        have = list(dataset)
    if have is None or isinstance(have, dict):
        raise TypeError(
            f"{name} must be a datasets.Dataset (one split, e.g. data['train']), not {type(dataset).__name__}."
        )
    missing = [c for c in needed if c not in have]
    if missing:
        raise ValueError(f"{name} has no column(s) {missing} (it has {list(have)}){': ' + hint if hint else '.'}")
    return dataset


def existing_path(name: str, value: Any, *, kind: str = "any") -> Path:
    """``value`` as a Path that exists; ``kind`` 'file' or 'dir' also checks what it is."""
    if not isinstance(value, (str, Path)):
        raise TypeError(f"{name} must be a path (str or Path), not {type(value).__name__}.")
    path = Path(value)
    if not path.exists():
        raise FileNotFoundError(f"{name}={str(path)!r} does not exist: check the path.")
    if kind == "file" and not path.is_file():
        raise ValueError(f"{name}={str(path)!r} is a folder: pass a file.")
    if kind == "dir" and not path.is_dir():
        raise ValueError(f"{name}={str(path)!r} is a file: pass a folder.")
    return path


def output_path(name: str, value: Any) -> Path:
    """``value`` as a Path to write to (it need not exist yet); '' is refused (it would mean the current folder)."""
    if not isinstance(value, (str, Path)):
        raise TypeError(f"{name} must be a path (str or Path), not {type(value).__name__} ({_shown(value)}).")
    if not str(value).strip():
        raise ValueError(f"{name} is empty: pass a file or folder path ('' would be the current folder).")
    return Path(value)
