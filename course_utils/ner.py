"""Named entity recognition as token classification (lesson 9).

* **Alignment**: CoNLL data labels *words*; BERT sees WordPiece *sub-tokens*. With
  ``word_ids()`` each word's first sub-token gets the word's label and the other pieces
  ``-100`` (ignored by the loss), or -- ``label_all=True`` -- every piece is labelled and
  continuation pieces of a ``B-X`` word get ``I-X``.
* **Decoding**: one tag per word (its first sub-token's prediction); ``tags_from_logits`` and
  ``ner_compute_metrics`` turn a model's token logits into tag lists and entity scores.

Tags, entity spans, IOB2 repair and entity-level scores are in ``course_utils.entities``; the
frozen-feature probe (word vectors and a linear tagger) is in ``course_utils.ner_probe``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from numbers import Integral
from typing import Any

import numpy as np

from . import checks
from .data import NER_TAGS
from .embeddings import length_sorted_batches
from .entities import _check_tags, _not_a_list, entity_scores

IGNORE_INDEX = -100

EXAMPLE_SENTENCES = "[['EU', 'rejects', 'German', 'call']]"
_MISSING = object()  # a word with no value yet


# -- Argument checks specific to NER data -------------------------------------------------------


def _sentences(
    name: str, value: Any, *, empty: bool = True, hint: str = "wrap one sentence as [words]"
) -> list[list[str]]:
    """Pre-split sentences: a list of word lists (a lone string or a flat list of words is refused)."""
    if _not_a_list(value):
        raise TypeError(
            f"{name} must be a list of word lists, e.g. {EXAMPLE_SENTENCES}, "
            f"not {type(value).__name__} ({value!r:.60})."
        )
    sentences = list(value)
    if not empty and not sentences:
        raise ValueError(f"{name} is empty: pass at least one sentence (a list of words).")
    for i, sentence in enumerate(sentences):
        if isinstance(sentence, str):
            raise TypeError(
                f"{name}[{i}] is one string ({sentence!r:.60}): {name} must be a list of word lists, "
                f"e.g. {EXAMPLE_SENTENCES}; {hint}."
            )
        sentences[i] = checks.text_list(f"{name}[{i}]", sentence, empty=True)
    return sentences


def _word_ids(word_ids: Any) -> list[int | None]:
    """``enc.word_ids()``: one word index (or None for special tokens) per token."""
    if callable(word_ids):
        raise TypeError("word_ids is a method: call it, enc.word_ids() (enc.word_ids(i) for row i of a batch).")
    if _not_a_list(word_ids):
        raise TypeError(
            f"word_ids must be a list of word indices (None for special tokens), e.g. enc.word_ids(), "
            f"not {type(word_ids).__name__} ({word_ids!r:.60})."
        )
    word_ids = list(word_ids)
    for i, word_id in enumerate(word_ids):
        if word_id is not None and (isinstance(word_id, bool) or not isinstance(word_id, Integral) or word_id < 0):
            raise ValueError(
                f"word_ids[{i}] is {word_id!r}: pass enc.word_ids() (word indices >= 0, None for special tokens)."
            )
    return word_ids


def _label_ids(name: str, value: Any, n_labels: int | None = None) -> list[int]:
    """One label id (int) per word; with ``n_labels``, each in 0..n_labels-1."""
    if isinstance(value, (str, bytes)) or _not_a_list(value):
        raise TypeError(
            f"{name} must be a list of label ids (ints), one per word, not {type(value).__name__} ({value!r:.60})."
        )
    ids = value.tolist() if hasattr(value, "tolist") else list(value)
    for i, label in enumerate(ids):
        if isinstance(label, str):
            raise TypeError(f"{name}[{i}] is {label!r}: pass label ids (ints), e.g. NER_TAGS.index({label!r}).")
        if isinstance(label, bool) or not isinstance(label, Integral):
            raise TypeError(f"{name}[{i}] is a {type(label).__name__} ({label!r:.60}), not a label id (int).")
        if n_labels is not None and not 0 <= label < n_labels:
            raise ValueError(
                f"{name}[{i}]={label} is not a label id: pass ids from 0 to {n_labels - 1} (one per label name)."
            )
    return [int(label) for label in ids]


def _window_length(model: Any, tokenizer: Any, max_length: Any) -> int:
    """``max_length`` as an int, capped at the positions the model (and tokenizer) can take."""
    max_length = checks.integer("max_length", max_length, minimum=tokenizer.num_special_tokens_to_add() + 1)
    limit = getattr(model.config, "max_position_embeddings", None) or tokenizer.model_max_length
    return min(max_length, limit, tokenizer.model_max_length)


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
    word_ids = _word_ids(word_ids)
    label_names = checks.text_list("label_names", label_names)
    word_labels = _label_ids("word_labels", word_labels, len(label_names) if label_all else None)
    return _align(word_ids, word_labels, _inside_ids(label_names) if label_all else None)


def _align(word_ids: list[int | None], word_labels: list[int], inside: list[int] | None) -> list[int]:
    labels = []
    previous = None
    for word_id in word_ids:
        if word_id is None:
            labels.append(IGNORE_INDEX)
        elif word_id >= len(word_labels):
            raise ValueError(f"word_ids mentions word {word_id} but word_labels has only {len(word_labels)} labels.")
        elif word_id != previous:
            labels.append(word_labels[word_id])
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
    if isinstance(examples, Mapping):
        for column in ("tokens", "ner_tags"):
            if column not in examples:
                raise ValueError(f"examples has no {column!r} column: pass CoNLL-style rows (see load_ner()).")
    else:
        checks.columns("examples", examples, ("tokens", "ner_tags"), hint="pass CoNLL-style rows (see load_ner()).")
    checks.fast_tokenizer("tokenizer", tokenizer, "word_ids() needs one")
    label_names = checks.text_list("label_names", label_names)
    inside = _inside_ids(label_names) if label_all else None
    max_length = checks.integer(
        "max_length", max_length, minimum=tokenizer.num_special_tokens_to_add() + 1, maximum=tokenizer.model_max_length
    )
    hint = "map with Dataset.map(..., batched=True)"
    sentences = _sentences("examples['tokens']", examples["tokens"], hint=hint)
    if _not_a_list(examples["ner_tags"]):
        raise TypeError(f"examples['ner_tags'] must hold one list of tag ids per example: {hint}.")
    tags = list(examples["ner_tags"])
    checks.same_length(("examples['tokens']", "examples['ner_tags']"), sentences, tags)
    for i, (words, word_tags) in enumerate(zip(sentences, tags, strict=True)):
        tags[i] = _label_ids(f"examples['ner_tags'][{i}]", word_tags, len(label_names) if label_all else None)
        if len(tags[i]) != len(words):
            raise ValueError(f"example {i} has {len(words)} words but {len(tags[i])} tags: pass one tag per word.")
    enc = tokenizer(sentences, is_split_into_words=True, truncation=True, max_length=max_length)
    enc["labels"] = [_align(enc.word_ids(i), word_tags, inside) for i, word_tags in enumerate(tags)]
    return dict(enc)


def word_level(token_values: Sequence[Any], word_ids: Sequence[int | None], n_words: int, fill: Any = 0) -> list:
    """Lesson 9: one value per word, taken from its first sub-token; words with no token get ``fill``."""
    word_ids = _word_ids(word_ids)
    n_words = checks.integer("n_words", n_words, minimum=0)
    if _not_a_list(token_values) or not hasattr(token_values, "__len__"):
        raise TypeError(
            f"token_values must be a list or array with one value per token, not {type(token_values).__name__}."
        )
    checks.same_length(("token_values", "word_ids"), token_values, word_ids)
    largest = max((w for w in word_ids if w is not None), default=-1)
    if largest >= n_words:
        raise ValueError(
            f"word_ids mentions word {largest} but n_words={n_words}: pass the sentence's number of words."
        )
    values = [_MISSING] * n_words
    _first_pieces(values, token_values, word_ids)
    return [fill if v is _MISSING else v for v in values]


def _first_pieces(values: list, token_values: Sequence[Any], word_ids: Sequence[int | None]) -> None:
    """Fill each word of ``values`` still ``_MISSING`` with the value at its first sub-token."""
    for value, word_id in zip(token_values, word_ids, strict=True):
        if word_id is not None and values[word_id] is _MISSING:
            values[word_id] = value



# -- Running a model ------------------------------------------------------------------------------


def _encoded_batches(tokenizer: Any, sentences: list[list[str]], batch_size: int, max_length: int):
    """(sentence index of each row, encoding) per batch of sentences of similar length
    (:func:`~course_utils.embeddings.length_sorted_batches`). A sentence longer than ``max_length``
    tokens becomes several rows, windows that overlap by a quarter, so that every word is seen."""
    stride = (max_length - tokenizer.num_special_tokens_to_add()) // 4
    if not sentences:
        return
    lengths = [min(len(ids), max_length) for ids in tokenizer(sentences, is_split_into_words=True)["input_ids"]]
    for batch_indices in length_sorted_batches(lengths, batch_size * max_length, max_batch_size=batch_size):
        indices = batch_indices.tolist()
        enc = tokenizer(
            [sentences[i] for i in indices],
            is_split_into_words=True,
            truncation=True,
            max_length=max_length,
            stride=stride,
            return_overflowing_tokens=True,
            padding=True,
            return_tensors="pt",
        )
        rows = enc.pop("overflow_to_sample_mapping").tolist()
        yield [indices[j] for j in rows], enc


def predict_tags(
    model: Any,
    tokenizer: Any,
    sentences: Sequence[Sequence[str]],
    label_names: Sequence[str] = NER_TAGS,
    batch_size: int = 32,
    max_length: int = 256,
) -> list[list[str]]:
    """Lesson 9: one predicted tag per word (first sub-token's argmax) for pre-split sentences.

    A sentence longer than ``max_length`` tokens (capped at the model's positions) is read in
    overlapping windows. No sentences give ``[]``.
    """
    import torch

    checks.model("model", model)
    checks.fast_tokenizer("tokenizer", tokenizer, "word_ids() needs one")
    sentences = _sentences("sentences", sentences)
    label_names = checks.text_list("label_names", label_names)
    if "O" not in label_names:
        raise ValueError(f"label_names {label_names!r:.60} has no 'O' (the tag of words with no token): pass NER_TAGS.")
    batch_size = checks.integer("batch_size", batch_size, minimum=1)
    max_length = _window_length(model, tokenizer, max_length)
    device = next(model.parameters()).device
    model.eval()
    per_word = [[_MISSING] * len(words) for words in sentences]
    with torch.no_grad():
        for owners, enc in _encoded_batches(tokenizer, sentences, batch_size, max_length):
            logits = getattr(model(**{k: v.to(device) for k, v in enc.items()}), "logits", None)
            if logits is None or logits.ndim != 3:
                raise TypeError(
                    "model gives no per-token logits: pass a token-classification model "
                    "(AutoModelForTokenClassification); for a bare encoder use word_features."
                )
            if logits.shape[-1] != len(label_names):
                raise ValueError(
                    f"model predicts {logits.shape[-1]} classes but label_names has {len(label_names)} names: "
                    "pass the model's own tag names."
                )
            ids = logits.argmax(-1).cpu().tolist()
            for row, owner in enumerate(owners):
                _first_pieces(per_word[owner], ids[row], enc.word_ids(row))
    outside = label_names.index("O")
    return [[label_names[outside if j is _MISSING else j] for j in words] for words in per_word]


def tags_from_logits(
    logits: Any, labels: Any, label_names: Sequence[str] = NER_TAGS
) -> tuple[list[list[str]], list[list[str]]]:
    """Lesson 9: (gold tags, predicted tags) per sentence from token logits, keeping labelled positions.

    With first-sub-token alignment the labelled positions are exactly one per word.
    """
    label_names = checks.text_list("label_names", label_names)
    if logits is None or isinstance(logits, (str, bytes, Mapping)):
        raise TypeError(f"logits must be an array (batch, tokens, classes), not {type(logits).__name__}.")
    logits = np.asarray(logits)
    if logits.ndim != 3 or logits.dtype.kind not in "biuf":
        raise ValueError(
            f"logits has shape {logits.shape} ({logits.dtype}): pass token logits (batch, tokens, classes)."
        )
    if logits.shape[-1] != len(label_names):
        raise ValueError(f"logits have {logits.shape[-1]} classes but label_names has {len(label_names)} names: "
                         "pass the model's own tag names.")
    preds = logits.argmax(-1)
    labels = np.asarray(labels)
    if preds.shape != labels.shape:
        raise ValueError(f"logits {logits.shape} and labels {labels.shape} do not match: (batch, tokens).")
    kept = labels[labels != IGNORE_INDEX]
    if labels.dtype.kind not in "iu" or (kept.size and (kept.min() < 0 or kept.max() >= len(label_names))):
        raise ValueError(f"labels must be label ids from 0 to {len(label_names) - 1} (-100 where ignored), "
                         f"not {labels.dtype} values.")
    y_true, y_pred = [], []
    for p_row, l_row in zip(preds, labels, strict=True):
        keep = l_row != IGNORE_INDEX
        y_true.append([label_names[i] for i in l_row[keep]])
        y_pred.append([label_names[i] for i in p_row[keep]])
    return y_true, y_pred


def ner_compute_metrics(label_names: Sequence[str] = NER_TAGS) -> Any:
    """Lesson 9: a ``compute_metrics`` for the Trainer: entity precision, recall and F1 (strict IOB2)."""
    label_names = _check_tags(label_names, "label_names")
    if not label_names:
        raise ValueError("label_names is empty: pass the tag names, e.g. NER_TAGS.")

    def compute_metrics(eval_pred: Any) -> dict[str, float]:
        logits = eval_pred.predictions[0] if isinstance(eval_pred.predictions, tuple) else eval_pred.predictions
        y_true, y_pred = tags_from_logits(logits, eval_pred.label_ids, label_names)
        return entity_scores(y_true, y_pred)

    return compute_metrics
