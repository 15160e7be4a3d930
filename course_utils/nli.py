"""Natural language inference helpers (lesson 7): a phenomenon tagger, per-group accuracy, zero-shot.

SNLI has no "phenomenon" column, so lesson 7 groups its errors with :func:`tag_phenomenon`, a
small word-list heuristic that works on any premise/hypothesis pair. Offline, the course's
``data/nli`` files also carry a writer-annotated ``phenomenon`` column (the loader drops it so
both sources look alike); :func:`annotated_phenomena` reads it back and
:func:`tagger_agreement` says how well the heuristic matches it.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from . import checks

#: What the heuristic can tag, in the order it decides a pair's single (primary) tag.
TAGS = ("negation", "quantifier", "word_overlap", "number", "temporal", "other")

NEGATION_WORDS = frozenset("not no never nobody nothing none neither nor nowhere without cannot hardly barely".split())
QUANTIFIER_WORDS = frozenset(
    "all every each some most many few several any both everyone everybody everything someone somebody "
    "something anyone anybody majority minority whole entire".split()
)
NUMBER_WORDS = frozenset(
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred thousand "
    "million billion dozen dozens twice once half double triple first second third fourth fifth".split()
)
TEMPORAL_WORDS = frozenset(
    "before after yesterday today tomorrow tonight morning afternoon evening night nights week weeks weekend "
    "month months year years hour hours minute minutes day days since until ago already still later earlier "
    "soon recently then now while during when monday tuesday wednesday thursday friday saturday sunday "
    "january february march april may june july august september october november december spring summer "
    "autumn fall winter past future finally last next".split()
)
STOP_WORDS = frozenset(
    "a an the is are was were be been being am of to in on at by for with and or but that this it its "
    "his her their he she they we i you my our your as from has have had do does did".split()
)
OVERLAP_THRESHOLD = 0.8
# CJK ideographs: each one is a word, as BERT's basic tokenizer splits them (its _is_chinese_char ranges)
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002a6df\U0002a700-\U0002ceaf\U0002f800-\U0002fa1f"
_WORD = re.compile(rf"[{_CJK}]|[^\W_{_CJK}]+(?:'[^\W\d_{_CJK}]+)?")


def words(text: str) -> list[str]:
    """Lower-cased words of ``text``: runs of letters and digits, accented ones included ("café");
    "hadn't" (or "hadn’t") stays one word, punctuation goes, and each CJK character is a word."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a string, not {type(text).__name__} ({text!r:.60}).")
    return _WORD.findall(unicodedata.normalize("NFC", text).lower().replace("\u2019", "'"))


def _negations(tokens: list[str]) -> int:
    return sum(1 for w in tokens if w in NEGATION_WORDS or w.endswith("n't"))


def word_overlap(premise: str, hypothesis: str) -> float:
    """Share of the hypothesis's content words (not stop words) that also occur in the premise
    (0.0 when the hypothesis has none)."""
    checks.text("premise", premise, empty=True)
    checks.text("hypothesis", hypothesis, empty=True)
    hyp = [w for w in words(hypothesis) if w not in STOP_WORDS]
    if not hyp:
        return 0.0
    prem = set(words(premise))
    return sum(w in prem for w in hyp) / len(hyp)


def tag_phenomena(premise: str, hypothesis: str) -> list[str]:
    """Every heuristic tag that applies to a pair, in :data:`TAGS` order (``["other"]`` if none).

    * negation: the hypothesis has a negation word (not, no, never, -n't...);
    * quantifier: the hypothesis has a quantifier (all, some, most, few, every...);
    * word_overlap: at least 80% of the hypothesis's content words occur in the premise;
    * number: the hypothesis has a digit or a number word (two, dozen, twice, half...);
    * temporal: the hypothesis has a time word (before, yesterday, week, still...).

    The order (most telling first) was chosen on the course's annotated data: a negation in the
    hypothesis is a strong cue; one in the premise alone is too common to mean much.
    """
    checks.text("premise", premise, empty=True)
    checks.text("hypothesis", hypothesis, empty=True)
    hyp = words(hypothesis)
    found = {
        "negation": _negations(hyp) > 0,
        "quantifier": any(w in QUANTIFIER_WORDS for w in hyp),
        "word_overlap": word_overlap(premise, hypothesis) >= OVERLAP_THRESHOLD,
        "number": any(w.isdigit() or w in NUMBER_WORDS for w in hyp),
        "temporal": any(w in TEMPORAL_WORDS for w in hyp),
    }
    tags = [tag for tag in TAGS if found.get(tag)]
    return tags or ["other"]


def tag_phenomenon(premise: str, hypothesis: str) -> str:
    """The pair's primary tag: the first of :func:`tag_phenomena` (so each pair falls in one group)."""
    return tag_phenomena(premise, hypothesis)[0]


def _is_list(value: Any) -> bool:
    """A list, array, column or Series (one entry per example), not a string or a dict."""
    return isinstance(value, Iterable) and hasattr(value, "__len__") and not isinstance(value, (str, bytes, Mapping))


def accuracy_by_group(groups: Sequence[str], labels: Sequence[int], preds: Sequence[int]) -> Any:
    """A DataFrame with, per group, its size, its errors and its accuracy (worst group first).

    ``groups`` has one group name per example (e.g. :func:`tag_phenomenon`'s); ``None`` is a group too.
    """
    import pandas as pd

    if not _is_list(groups):
        raise TypeError(
            f"groups must be a list with one group name per example, not {type(groups).__name__} ({groups!r:.60})."
        )
    for i, group in enumerate(groups):
        if isinstance(group, (list, tuple, set, dict, np.ndarray)):
            raise TypeError(
                f"groups[{i}] is a {type(group).__name__} ({group!r:.60}): pass one group name per example "
                "(tag_phenomenon, not tag_phenomena)."
            )
    labels, preds = checks.class_ids("labels", labels), checks.class_ids("preds", preds)
    if not (len(groups) == len(labels) == len(preds)):
        raise ValueError(
            f"groups ({len(groups)}), labels ({len(labels)}) and preds ({len(preds)}) must have one entry per example."
        )
    frame = pd.DataFrame({"group": list(groups), "correct": labels == preds})
    table = frame.groupby("group", dropna=False)["correct"].agg(n="size", accuracy="mean")
    table.insert(1, "errors", table["n"] - (table["accuracy"] * table["n"]).round().astype(int))
    return table.sort_values(["accuracy", "n"], ascending=[True, False])


def annotated_phenomena(pairs: Any, split: str) -> list[str | None]:
    """The writer-annotated phenomenon of each pair, read from ``data/nli/<split>.jsonl`` (offline data only).

    ``pairs`` is a dataset (or list of dicts) with ``premise`` and ``hypothesis``; the result lines up
    with it (empty for no pairs), ``None`` where a pair is not in the file (e.g. SNLI rows online).
    """
    from .data import offline_files

    files = offline_files("nli")
    if not isinstance(split, str) or split not in files:
        raise ValueError(f"split={split!r} is not an NLI split: choose one of {sorted(files)}.")
    if isinstance(pairs, (list, tuple)):
        for i, row in enumerate(pairs):
            if not isinstance(row, Mapping) or "premise" not in row or "hypothesis" not in row:
                raise TypeError(
                    f"pairs[{i}] is {row!r:.60}: pass dicts with 'premise' and 'hypothesis' (or a dataset split)."
                )
    elif isinstance(pairs, Mapping) and not hasattr(pairs, "column_names"):
        raise TypeError("pairs must be a dataset split or a list of dicts with 'premise' and 'hypothesis', "
                        "not a dict of columns.")
    else:
        checks.columns("pairs", pairs, ("premise", "hypothesis"), hint="pass the NLI rows, e.g. data['test']")
    lookup: dict[tuple[str, str], str] = {}
    for line in Path(files[split]).read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            lookup.setdefault((row["premise"], row["hypothesis"]), row.get("phenomenon"))
    return [lookup.get((row["premise"], row["hypothesis"])) for row in pairs]


def tagger_agreement(tags: Sequence[str], annotated: Sequence[str | None]) -> Any:
    """Per heuristic tag: how many pairs it tags, and its precision/recall against the annotations.

    Precision: of the pairs the heuristic gives tag T, the share annotated T. Recall: of the pairs
    annotated T, the share the heuristic tags T. Pairs without an annotation are left out.
    ``tags`` holds one of :data:`TAGS` per pair (:func:`tag_phenomenon`'s).
    """
    import pandas as pd

    tags = checks.text_list("tags", tags)
    for i, tag in enumerate(tags):
        checks.one_of(f"tags[{i}]", tag, TAGS)
    if not _is_list(annotated):
        raise TypeError(f"annotated must be a list (annotated_phenomena's result), not {type(annotated).__name__} "
                        f"({annotated!r:.60}).")
    if len(tags) != len(annotated):
        raise ValueError(f"tags ({len(tags)}) and annotated ({len(annotated)}) must have one entry per pair.")
    kept = [(t, a) for t, a in zip(tags, annotated, strict=True) if a is not None]
    if not kept:
        raise ValueError("annotated has no annotations (all None): the annotated column exists offline only.")
    rows = []
    for tag in TAGS:
        tagged = [a for t, a in kept if t == tag]
        gold = [t for t, a in kept if a == tag]
        rows.append(
            {
                "tag": tag,
                "tagged": len(tagged),
                "annotated": len(gold),
                "precision": sum(a == tag for a in tagged) / len(tagged) if tagged else float("nan"),
                "recall": sum(t == tag for t in gold) / len(gold) if gold else float("nan"),
            }
        )
    return pd.DataFrame(rows).set_index("tag")


# Zero-shot classification by entailment ----------------------------------------------------


def entailment_id(model: Any) -> int:
    """The class id whose label starts with "entail": from ``model.id2label`` (a :class:`BertClassifier`)
    or ``model.config.id2label`` (a transformers model)."""
    checks.model("model", model)
    names = getattr(model, "id2label", None) or model.config.id2label
    for i, name in names.items():
        if str(name).lower().startswith("entail"):
            return int(i)
    raise ValueError(
        f"the model's id2label={names} has no 'entailment' label: set id2label when you create the model "
        "(e.g. id2label=dict(enumerate(NLI_LABELS)))."
    )


def zero_shot_scores(
    model: Any,
    tokenizer: Any,
    texts: Sequence[str],
    candidate_labels: Sequence[str],
    template: str = "This example is {}.",
) -> np.ndarray:
    """Zero-shot classification by hand (lesson 7): one (text, template(label)) pair per label, the
    entailment logit of each, and a softmax across labels. Returns an array texts x labels.

    This is what ``pipeline("zero-shot-classification")`` does with ``multi_label=False``. One string
    for ``texts`` is one text (a 1 x labels array).
    """
    import torch

    checks.model("model", model)
    checks.tokenizer("tokenizer", tokenizer)
    texts = [texts] if isinstance(texts, str) else checks.text_list("texts", texts)
    if isinstance(candidate_labels, str):
        raise TypeError(f"candidate_labels must be a list of labels, not one string ({candidate_labels!r:.60}): "
                        "pass a list of at least two, e.g. ['sports', 'politics'].")
    candidate_labels = checks.text_list("candidate_labels", candidate_labels)
    checks.text("template", template)
    try:
        filled = template.format("x")
    except (IndexError, KeyError, ValueError):  # a second '{}', or '{label}'
        filled = None
    if "{}" not in template or filled is None:
        raise ValueError(f"template={template!r} needs one '{{}}' where the label goes (and no other braces), "
                         "e.g. 'This example is {}.'")
    if len(candidate_labels) < 2:
        raise ValueError("candidate_labels needs at least two labels to choose between.")
    entail = entailment_id(model)
    positions = getattr(model.config, "max_position_embeddings", None) or tokenizer.model_max_length
    limit = min(tokenizer.model_max_length, positions)
    hypotheses = [template.format(label) for label in candidate_labels]
    premises = [t for t in texts for _ in hypotheses]
    model.eval()
    with torch.no_grad():
        enc = tokenizer(
            premises, hypotheses * len(texts), truncation=True, max_length=limit, padding=True, return_tensors="pt"
        )
        device = next(model.parameters()).device
        logits = model(**{k: v.to(device) for k, v in enc.items()}).logits.float().cpu()
    entail_logits = logits[:, entail].reshape(len(texts), len(hypotheses))
    return torch.softmax(entail_logits, dim=-1).numpy()


__all__ = [
    "TAGS",
    "accuracy_by_group",
    "annotated_phenomena",
    "entailment_id",
    "tag_phenomena",
    "tag_phenomenon",
    "tagger_agreement",
    "word_overlap",
    "words",
    "zero_shot_scores",
]
