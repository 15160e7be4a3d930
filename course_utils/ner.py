"""Named entity recognition as token classification (lesson 9).

* **Alignment**: CoNLL data labels *words*; BERT sees WordPiece *sub-tokens*. With
  ``word_ids()`` each word's first sub-token gets the word's label and the other pieces
  ``-100`` (ignored by the loss), or -- ``label_all=True`` -- every piece is labelled and
  continuation pieces of a ``B-X`` word get ``I-X``.
* **Decoding**: one tag per word (its first sub-token's prediction), then entity spans with
  IOB2 repair: an ``I-X`` that does not continue an ``X`` entity starts a new one.
* **Scoring**: entity-level precision / recall / F1 with ``seqeval`` (strict IOB2 mode).
* **Features**: frozen encoder vectors of each word's first sub-token (last layer, or the
  last four concatenated as in the BERT paper's feature-based NER) for a linear tagger.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .data import NER_TAGS

IGNORE_INDEX = -100

ENTITY_COLOURS = {"PER": "#ffd6a5", "ORG": "#bde0fe", "LOC": "#caffbf", "MISC": "#e4c1f9"}


# -- Alignment ---------------------------------------------------------------------------------


def _inside_ids(label_names: Sequence[str]) -> list[int]:
    """For each label id, the id to use on continuation pieces: B-X -> I-X, others unchanged."""
    index = {name: i for i, name in enumerate(label_names)}
    result = []
    for name in label_names:
        inside = "I-" + name[2:] if name.startswith("B-") else name
        if inside not in index:
            raise ValueError(f"label_names has {name!r} but no {inside!r}: pass a complete IOB2 tag list.")
        result.append(index[inside])
    return result


def align_labels(
    word_ids: Sequence[int | None],
    word_labels: Sequence[int],
    label_all: bool = False,
    label_names: Sequence[str] = NER_TAGS,
) -> list[int]:
    """Lesson 9: one label per sub-token from one label per word.

    Special tokens (``word_id is None``) get -100. The first sub-token of a word gets the
    word's label; later sub-tokens get -100, or with ``label_all`` the word's label with
    ``B-X`` turned into ``I-X`` (``label_names`` says which id is which tag).
    """
    if isinstance(word_labels, (str, bytes)):
        raise TypeError("word_labels must be a list of label ids (ints), one per word.")
    inside = _inside_ids(label_names) if label_all else None
    labels = []
    previous = None
    for word_id in word_ids:
        if word_id is None:
            labels.append(IGNORE_INDEX)
        elif word_id >= len(word_labels):
            raise ValueError(f"word_ids mentions word {word_id} but word_labels has only {len(word_labels)} labels.")
        elif word_id != previous:
            labels.append(int(word_labels[word_id]))
        else:
            labels.append(inside[word_labels[word_id]] if inside is not None else IGNORE_INDEX)
        previous = word_id
    return labels


def tokenize_and_align(
    examples: Mapping[str, Sequence[Any]],
    tokenizer: Any,
    label_all: bool = False,
    label_names: Sequence[str] = NER_TAGS,
    max_length: int = 256,
) -> dict[str, list]:
    """Lesson 9: tokenize pre-split words and align ``ner_tags`` (use with ``Dataset.map(batched=True)``)."""
    for column in ("tokens", "ner_tags"):
        if column not in examples:
            raise ValueError(f"examples has no {column!r} column: pass CoNLL-style rows (see load_ner()).")
    enc = tokenizer(list(examples["tokens"]), is_split_into_words=True, truncation=True, max_length=max_length)
    enc["labels"] = [
        align_labels(enc.word_ids(i), tags, label_all, label_names) for i, tags in enumerate(examples["ner_tags"])
    ]
    return dict(enc)


def word_level(token_values: Sequence[Any], word_ids: Sequence[int | None], n_words: int, fill: Any = 0) -> list:
    """Lesson 9: one value per word, taken from its first sub-token; words with no token get ``fill``."""
    result: list = [fill] * n_words
    seen = set()
    for value, word_id in zip(token_values, word_ids, strict=False):
        if word_id is not None and word_id not in seen:
            seen.add(word_id)
            result[word_id] = value
    return result


# -- Decoding and scoring ------------------------------------------------------------------------


def _check_tags(tags: Sequence[str], name: str = "tags") -> None:
    if isinstance(tags, str):
        raise TypeError(f"{name} must be a list of tag strings such as ['B-PER', 'I-PER', 'O'], not one string.")
    for tag in tags:
        if not isinstance(tag, str) or not (tag == "O" or tag[:2] in ("B-", "I-")):
            raise ValueError(
                f"{name} contains {tag!r}: use IOB2 tag strings ('O', 'B-X', 'I-X'); map ids with NER_TAGS."
            )


def repair_iob2(tags: Sequence[str]) -> list[str]:
    """Lesson 9: make a tag sequence valid IOB2: an ``I-X`` that does not continue ``X`` becomes ``B-X``."""
    _check_tags(tags)
    fixed = []
    previous = "O"
    for tag in tags:
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

    y_true, y_pred = _prepare(y_true, y_pred, repair)
    kwargs = {"mode": "strict", "scheme": IOB2} if mode == "strict" else {}
    if mode not in ("strict", "default"):
        raise ValueError(f"mode={mode!r} is unknown: use 'strict' or 'default'.")
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
    if len(y_true) != len(y_pred):
        raise ValueError(
            f"y_true has {len(y_true)} sentences but y_pred has {len(y_pred)}: pass one list per sentence."
        )
    for i, (t, p) in enumerate(zip(y_true, y_pred, strict=True)):
        _check_tags(t, "y_true")
        _check_tags(p, "y_pred")
        if len(t) != len(p):
            raise ValueError(f"sentence {i}: {len(t)} gold tags but {len(p)} predicted tags (one tag per word).")
    return [list(t) for t in y_true], [repair_iob2(p) if repair else list(p) for p in y_pred]


# -- Running a model ------------------------------------------------------------------------------


def _batches(sentences: Sequence[Sequence[str]], batch_size: int):
    """(indices, word lists) of batches of similar length, so little compute goes into padding."""
    if isinstance(sentences, str) or any(isinstance(s, str) for s in sentences[:1]):
        raise TypeError("sentences must be a list of word lists, e.g. [['EU', 'rejects', 'German', 'call']].")
    if not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size={batch_size!r} must be a positive int.")
    sentences = [list(s) for s in sentences]
    order = sorted(range(len(sentences)), key=lambda i: sum(len(w) for w in sentences[i]))
    for start in range(0, len(order), batch_size):
        indices = order[start : start + batch_size]
        yield indices, [sentences[i] for i in indices]


def predict_tags(
    model: Any,
    tokenizer: Any,
    sentences: Sequence[Sequence[str]],
    label_names: Sequence[str] = NER_TAGS,
    batch_size: int = 32,
    max_length: int = 256,
) -> list[list[str]]:
    """Lesson 9: one predicted tag per word (first sub-token's argmax) for pre-split sentences."""
    import torch

    device = next(model.parameters()).device
    model.eval()
    result: list[list[str]] = [[] for _ in sentences]
    with torch.no_grad():
        for indices, batch in _batches(sentences, batch_size):
            enc = tokenizer(
                batch,
                is_split_into_words=True,
                truncation=True,
                max_length=max_length,
                padding=True,
                return_tensors="pt",
            )
            ids = model(**{k: v.to(device) for k, v in enc.items()}).logits.argmax(-1).cpu().tolist()
            for i, (index, words) in enumerate(zip(indices, batch, strict=True)):
                per_word = word_level(ids[i], enc.word_ids(i), len(words), fill=label_names.index("O"))
                result[index] = [label_names[j] for j in per_word]
    return result


def select_layers(hidden_states: Sequence[Any], layers: str | int = "last") -> Any:
    """Lesson 9: one vector per token from ``output_hidden_states``: ``"last"``, ``"concat_last4"``,
    ``"sum_last4"``, ``"embeddings"`` or a layer index (0 = embeddings)."""
    import torch

    if layers == "last":
        return hidden_states[-1]
    if layers in ("concat_last4", "sum_last4"):
        if len(hidden_states) < 4:
            raise ValueError(
                f"layers={layers!r} needs 4 hidden states, the model has {len(hidden_states)}: use 'last'."
            )
        last4 = tuple(hidden_states[-4:])
        return torch.cat(last4, dim=-1) if layers == "concat_last4" else torch.stack(last4).sum(0)
    if layers == "embeddings":
        return hidden_states[0]
    if isinstance(layers, int) and not isinstance(layers, bool) and -len(hidden_states) <= layers < len(hidden_states):
        return hidden_states[layers]
    raise ValueError(
        f"layers={layers!r} is not a choice: use 'last', 'concat_last4', 'sum_last4', 'embeddings' "
        f"or a layer index below {len(hidden_states)}."
    )


def word_features(
    model: Any,
    tokenizer: Any,
    sentences: Sequence[Sequence[str]],
    layers: str | int | Sequence[str | int] = "last",
    batch_size: int = 32,
    max_length: int = 256,
) -> Any:
    """Lesson 9: frozen features of each word's first sub-token, all sentences stacked: ``(n_words, dim)``.

    ``model`` is a bare encoder (``AutoModel``); words cut off by truncation get zero vectors.
    With a list of layer choices (``["last", "concat_last4"]``) one pass over the data returns
    a dict ``{choice: array}``.
    """
    import torch

    choices = [layers] if isinstance(layers, (str, int)) else list(layers)
    if not choices:
        raise ValueError("layers is empty: pass 'last', 'concat_last4', ... or a list of them.")
    if len(sentences) == 0:
        raise ValueError("sentences is empty: pass at least one sentence.")
    device = next(model.parameters()).device
    model.eval()
    rows: dict[Any, list] = {choice: [None] * len(sentences) for choice in choices}
    with torch.no_grad():
        for indices, batch in _batches(sentences, batch_size):
            enc = tokenizer(
                batch,
                is_split_into_words=True,
                truncation=True,
                max_length=max_length,
                padding=True,
                return_tensors="pt",
            )
            out = model(**{k: v.to(device) for k, v in enc.items()}, output_hidden_states=True)
            for choice in choices:
                vectors = select_layers(out.hidden_states, choice).float().cpu().numpy()
                zero = np.zeros(vectors.shape[-1], dtype=np.float32)
                for i, (index, words) in enumerate(zip(indices, batch, strict=True)):
                    per_word = word_level(list(vectors[i]), enc.word_ids(i), len(words), fill=zero)
                    rows[choice][index] = np.stack(per_word) if per_word else np.zeros((0, vectors.shape[-1]))
    arrays = {choice: np.concatenate(r).astype(np.float32) for choice, r in rows.items()}
    return arrays[layers] if isinstance(layers, (str, int)) else arrays


def fit_linear_tagger(features: np.ndarray, labels: Sequence[int], c: float = 0.1, max_iter: int = 50) -> Any:
    """Lesson 9: standardise + multinomial logistic regression, one word at a time (scikit-learn).

    ``max_iter`` caps L-BFGS (more iterations change the tagging little; the convergence warning is
    silenced). Fitted with one BLAS thread: on a busy 2-core machine, BLAS threads that wait for
    each other make the fit about ten times slower.
    """
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from threadpoolctl import threadpool_limits

    features = np.asarray(features)
    if features.ndim != 2 or len(features) != len(labels):
        raise ValueError(
            f"features {features.shape} and labels ({len(labels)}) do not match: pass one row and one label per word."
        )
    tagger = make_pipeline(StandardScaler(), LogisticRegression(C=c, max_iter=max_iter))
    with threadpool_limits(1), warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        tagger.fit(features, np.asarray(labels))
    return tagger


def split_by_sentence(
    word_labels: Sequence[int], lengths: Sequence[int], label_names: Sequence[str] = NER_TAGS
) -> list[list[str]]:
    """Lesson 9: cut one flat list of per-word label ids back into per-sentence tag lists."""
    if sum(lengths) != len(word_labels):
        raise ValueError(f"lengths add up to {sum(lengths)} words but there are {len(word_labels)} labels.")
    bounds = np.cumsum([0, *lengths])
    return [[label_names[int(i)] for i in word_labels[a:b]] for a, b in zip(bounds[:-1], bounds[1:], strict=True)]


def tags_from_logits(
    logits: Any, labels: Any, label_names: Sequence[str] = NER_TAGS
) -> tuple[list[list[str]], list[list[str]]]:
    """Lesson 9: (gold tags, predicted tags) per sentence from token logits, keeping labelled positions.

    With first-sub-token alignment the labelled positions are exactly one per word.
    """
    preds = np.asarray(logits).argmax(-1)
    labels = np.asarray(labels)
    if preds.shape != labels.shape:
        raise ValueError(f"logits {np.asarray(logits).shape} and labels {labels.shape} do not match: (batch, tokens).")
    y_true, y_pred = [], []
    for p_row, l_row in zip(preds, labels, strict=True):
        keep = l_row != IGNORE_INDEX
        y_true.append([label_names[i] for i in l_row[keep]])
        y_pred.append([label_names[i] for i in p_row[keep]])
    return y_true, y_pred


def ner_compute_metrics(label_names: Sequence[str] = NER_TAGS) -> Any:
    """Lesson 9: a ``compute_metrics`` for the Trainer: entity precision, recall and F1 (strict IOB2)."""

    def compute_metrics(eval_pred: Any) -> dict[str, float]:
        logits = eval_pred.predictions[0] if isinstance(eval_pred.predictions, tuple) else eval_pred.predictions
        y_true, y_pred = tags_from_logits(logits, eval_pred.label_ids, label_names)
        return entity_scores(y_true, y_pred)

    return compute_metrics


# -- Display ----------------------------------------------------------------------------------------


def highlight_entities(words: Sequence[str], tags: Sequence[str]) -> str:
    """Lesson 9: HTML of the sentence with each entity in a coloured box labelled with its type."""
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
