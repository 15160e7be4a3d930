"""IOB2 tags and the entities they mark (lesson 9): repair, spans, entity-level scores, display.

An entity is a ``B-X`` tag followed by ``I-X`` tags of the same type. Predictions are repaired
first (an ``I-X`` that does not continue an ``X`` entity starts a new one), then scored with
``seqeval`` in strict IOB2 mode: an entity counts only when its type and both boundaries match.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from . import checks

ENTITY_COLOURS = {"PER": "#ffd6a5", "ORG": "#bde0fe", "LOC": "#caffbf", "MISC": "#e4c1f9"}


def _not_a_list(value: Any) -> bool:
    return value is None or isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable)


# -- Decoding and scoring ------------------------------------------------------------------------


def _check_tags(tags: Sequence[str], name: str = "tags") -> list[str]:
    """``tags`` as a list of IOB2 tag strings ('O', 'B-X', 'I-X')."""
    if isinstance(tags, str):
        raise TypeError(
            f"{name} must be a list of tag strings such as ['B-PER', 'I-PER', 'O'], not one string: pass a list."
        )
    if _not_a_list(tags):
        raise TypeError(f"{name} must be a list of tag strings such as ['B-PER', 'I-PER', 'O'], "
                        f"not {type(tags).__name__} ({tags!r:.60}).")
    tags = list(tags)
    for tag in tags:
        if not isinstance(tag, str):
            raise TypeError(f"{name} contains {tag!r}, not a tag string: map ids to tags with NER_TAGS[i].")
        if not (tag == "O" or tag[:2] in ("B-", "I-")):
            raise ValueError(
                f"{name} contains {tag!r}: use IOB2 tag strings ('O', 'B-X', 'I-X'); map ids with NER_TAGS."
            )
    return tags


def _tag_lists(name: str, value: Any) -> list[list[str]]:
    """One IOB2 tag list per sentence (a flat list of tags is refused)."""
    if _not_a_list(value):
        raise TypeError(f"{name} must be a list of tag lists, one per sentence, e.g. [['B-PER', 'I-PER', 'O']], "
                        f"not {type(value).__name__} ({value!r:.60}).")
    value = list(value)
    if not value:
        raise ValueError(f"{name} is empty: pass at least one sentence's tags.")
    if isinstance(value[0], str):
        raise TypeError(f"{name} is a flat list of tags ({value!r:.60}): pass one list per sentence, "
                        f"e.g. [{name}] for a single sentence.")
    return [_check_tags(tags, f"{name}[{i}]") for i, tags in enumerate(value)]


def repair_iob2(tags: Sequence[str]) -> list[str]:
    """Lesson 9: make a tag sequence valid IOB2: an ``I-X`` that does not continue ``X`` becomes ``B-X``."""
    fixed = []
    previous = "O"
    for tag in _check_tags(tags):
        if tag.startswith("I-") and (previous == "O" or previous[2:] != tag[2:]):
            tag = "B-" + tag[2:]
        fixed.append(tag)
        previous = tag
    return fixed

def entity_spans(tags: Sequence[str]) -> list[tuple[str, int, int]]:
    """Lesson 9: entities as ``(type, first word, last word + 1)`` after :func:`repair_iob2`."""
    spans = []
    start, kind = None, None
    for i, tag in enumerate([*repair_iob2(tags), "O"]):
        if start is not None and not (tag.startswith("I-") and tag[2:] == kind):
            spans.append((kind, start, i))
            start, kind = None, None
        if tag.startswith("B-"):
            start, kind = i, tag[2:]
    return spans


def entity_scores(
    y_true: Sequence[Sequence[str]], y_pred: Sequence[Sequence[str]], repair: bool = True, mode: str = "strict"
) -> dict[str, float]:
    """Lesson 9: entity-level precision, recall and F1 (seqeval, IOB2), predictions repaired first.

    ``mode="strict"`` counts an entity only when type and both boundaries match exactly;
    ``mode="default"`` is seqeval's conlleval-compatible mode.
    """
    from seqeval.metrics import f1_score, precision_score, recall_score
    from seqeval.scheme import IOB2

    checks.one_of("mode", mode, ("strict", "default"))
    y_true, y_pred = _prepare(y_true, y_pred, repair)
    kwargs = {"mode": "strict", "scheme": IOB2} if mode == "strict" else {}
    return {
        "precision": float(precision_score(y_true, y_pred, **kwargs)),
        "recall": float(recall_score(y_true, y_pred, **kwargs)),
        "f1": float(f1_score(y_true, y_pred, **kwargs)),
    }


def entity_report(y_true: Sequence[Sequence[str]], y_pred: Sequence[Sequence[str]], repair: bool = True) -> str:
    """Lesson 9: seqeval's per-type report (strict IOB2), predictions repaired first."""
    from seqeval.metrics import classification_report
    from seqeval.scheme import IOB2

    y_true, y_pred = _prepare(y_true, y_pred, repair)
    return classification_report(y_true, y_pred, mode="strict", scheme=IOB2, digits=3, zero_division=0)


def _prepare(y_true, y_pred, repair: bool) -> tuple[list[list[str]], list[list[str]]]:
    y_true, y_pred = _tag_lists("y_true", y_true), _tag_lists("y_pred", y_pred)
    if len(y_true) != len(y_pred):
        raise ValueError(
            f"y_true has {len(y_true)} sentences but y_pred has {len(y_pred)}: pass one list per sentence."
        )
    for i, (t, p) in enumerate(zip(y_true, y_pred, strict=True)):
        if len(t) != len(p):
            raise ValueError(f"sentence {i}: {len(t)} gold tags but {len(p)} predicted tags (one tag per word).")
    return y_true, [repair_iob2(p) if repair else p for p in y_pred]


# -- Display ----------------------------------------------------------------------------------------


def highlight_entities(words: Sequence[str], tags: Sequence[str]) -> str:
    """Lesson 9: HTML of the sentence with each entity in a coloured box labelled with its type."""
    if isinstance(words, str):
        raise TypeError(f"words must be a list of words, one per tag, not one string ({words!r:.60}): pass a list, "
                        "e.g. sentence.split().")
    words = checks.text_list("words", words, empty=True)
    tags = _check_tags(tags)
    if len(words) != len(tags):
        raise ValueError(f"words has {len(words)} items but tags has {len(tags)}: pass one tag per word.")
    spans = {start: (kind, end) for kind, start, end in entity_spans(tags)}
    parts = []
    i = 0
    while i < len(words):
        if i in spans:
            kind, end = spans[i]
            colour = ENTITY_COLOURS.get(kind, "#eeeeee")
            text = html.escape(" ".join(words[i:end]))
            parts.append(
                f'<span style="background:{colour};padding:1px 4px;border-radius:4px;color:#000">{text} '
                f'<b style="font-size:70%">{html.escape(kind)}</b></span>'
            )
            i = end
        else:
            parts.append(html.escape(words[i]))
            i += 1
    return '<div style="line-height:2">' + " ".join(parts) + "</div>"


def show_entities(words: Sequence[str], tags: Sequence[str]) -> None:
    """Lesson 9: display :func:`highlight_entities` in a notebook."""
    from IPython.display import HTML, display

    display(HTML(highlight_entities(words, tags)))
