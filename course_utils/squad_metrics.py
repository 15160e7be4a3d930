"""SQuAD exact match and F1 with the official answer normalisation (lesson 8, step 4).

The ``evaluate`` package cannot load its metric scripts offline, so the few lines they hold are here.
"""

from __future__ import annotations

import collections
import re
import string
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from . import checks
from .qa import Answer, _rows

_PUNCTUATION = frozenset(string.punctuation)


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
        raise TypeError(
            f"predictions must be a dict {{id: answer}} (as postprocess_qa returns), not {type(predictions).__name__}."
        )
    references = _rows(
        "references", references, ["id", "answers"], "pass the SQuAD rows (with answers) that were predicted"
    )
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
