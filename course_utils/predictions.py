"""Using a fine-tuned classifier (lesson 6): labels for new texts, and texts longer than the model reads.

* :func:`predict`: pipeline-like ``{"label", "score"}`` for each text;
* :func:`truncate_ids` / :func:`long_text_logits`: keep the head, the tail or both of a long text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from numbers import Integral
from typing import Any

import numpy as np
import torch
from torch import nn

from . import checks
from .classifier import BertClassifier
from .training import _device_of, _inputs, _logits


def _check_max_length(model: nn.Module, max_length: Any, minimum: int) -> int:
    """An int from ``minimum`` up to the model's number of positions."""
    max_length = checks.integer("max_length", max_length, minimum=minimum)
    limit = getattr(model.config, "max_position_embeddings", 512)
    if max_length > limit:
        raise ValueError(f"max_length={max_length} is more than the model's {limit} positions: use at most {limit}.")
    return max_length


def _id2label(model: nn.Module) -> dict[int, str]:
    if isinstance(model, BertClassifier):
        return model.id2label
    return {int(k): v for k, v in model.config.id2label.items()}


@torch.no_grad()
def predict(
    model: nn.Module,
    tokenizer: Any,
    texts: str | Sequence[str],
    text_pairs: str | Sequence[str] | None = None,
    max_length: int = 128,
) -> list[dict[str, Any]]:
    """Label and probability for each new text (or text pair, lesson 7): ``[{"label", "score", "probs"}]``.

    ``texts`` is one string (one prediction) or a non-empty list of strings; ``text_pairs`` likewise,
    one per text.
    """
    checks.model("model", model)
    checks.tokenizer("tokenizer", tokenizer)
    texts = [texts] if isinstance(texts, str) else checks.text_list("texts", texts)
    if text_pairs is not None:
        text_pairs = [text_pairs] if isinstance(text_pairs, str) else checks.text_list("text_pairs", text_pairs)
        if len(text_pairs) != len(texts):
            raise ValueError(
                f"text_pairs has {len(text_pairs)} items but texts has {len(texts)}: give one pair per text."
            )
    _check_max_length(model, max_length, minimum=3)
    model.eval()
    enc = tokenizer(list(texts), text_pairs, truncation=True, max_length=max_length, padding=True, return_tensors="pt")
    probs = torch.softmax(_logits(model(**_inputs(enc, _device_of(model))), model).float(), -1).cpu().numpy()
    names = _id2label(model)
    return [
        {
            "label": names[int(p.argmax())],
            "score": float(p.max()),
            "probs": {names[i]: float(v) for i, v in enumerate(p)},
        }
        for p in probs
    ]


KEEPS = ("head", "tail", "head+tail")


def truncate_ids(ids: Sequence[int], budget: int, keep: str = "head") -> list[int]:
    """Lesson 6: cut a long list of token ids to ``budget`` ids.

    "head" keeps the start (what ``truncation=True`` does), "tail" the end, "head+tail" a quarter of
    the budget from the start and the rest from the end (Sun et al., 2019, found this best on IMDb).
    ``ids`` is one text's ids (``tokenizer(text)["input_ids"]``), a list, array or 1-D tensor.
    """
    if isinstance(ids, Mapping):
        raise TypeError("ids must be a list of token ids, not a tokenizer output: pass tokenizer(text)['input_ids'].")
    if isinstance(ids, (str, bytes)) or ids is None or not hasattr(ids, "__iter__"):
        raise TypeError(f"ids must be a list of token ids (ints), not {type(ids).__name__}: "
                        "tokenize the text first, tokenizer(text)['input_ids'].")
    ids = ids.tolist() if hasattr(ids, "tolist") else list(ids)
    for i, item in enumerate(ids):
        if isinstance(item, bool) or not isinstance(item, Integral):
            raise TypeError(f"ids[{i}] is a {type(item).__name__}, not an int: pass one text's token ids "
                            "(a flat list of ints).")
    checks.integer("budget", budget, minimum=2)
    checks.one_of("keep", keep, KEEPS)
    return _truncate(ids, budget, keep)


def _truncate(ids: list[int], budget: int, keep: str) -> list[int]:
    if len(ids) <= budget:
        return ids
    if keep == "head":
        return ids[:budget]
    if keep == "tail":
        return ids[-budget:]
    head = budget // 4
    return ids[:head] + ids[len(ids) - (budget - head) :]


@torch.no_grad()
def long_text_logits(
    model: nn.Module, tokenizer: Any, texts: Sequence[str], max_length: int, keep: str = "head", batch_size: int = 16
) -> np.ndarray:
    """Lesson 6: logits for long texts cut to ``max_length`` tokens ([CLS], [SEP] included) by :func:`truncate_ids`.

    ``texts`` is a non-empty list of strings (wrap one text as ``[text]``).
    """
    checks.model("model", model)
    checks.tokenizer("tokenizer", tokenizer)
    texts = checks.text_list("texts", texts)
    _check_max_length(model, max_length, minimum=3)  # it includes [CLS] and [SEP]
    checks.one_of("keep", keep, KEEPS)
    batch_size = checks.integer("batch_size", batch_size, minimum=1)
    cls, sep = tokenizer.cls_token_id, tokenizer.sep_token_id
    if cls is None or sep is None:
        raise ValueError("tokenizer has no [CLS]/[SEP] tokens: pass a BERT-style tokenizer.")
    pieces = tokenizer(texts, add_special_tokens=False)["input_ids"]
    rows = [[cls, *_truncate(list(ids), max_length - 2, keep), sep] for ids in pieces]
    model.eval()
    device = _device_of(model)
    out = []
    for start in range(0, len(rows), batch_size):
        batch = tokenizer.pad({"input_ids": rows[start : start + batch_size]}, return_tensors="pt")
        out.append(_logits(model(**_inputs(batch, device)), model).float().cpu().numpy())
    return np.concatenate(out)
