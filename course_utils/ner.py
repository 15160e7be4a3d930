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
from collections.abc import Iterable, Mapping, Sequence
from numbers import Integral
from typing import Any

import numpy as np

from . import checks
from .data import NER_TAGS

IGNORE_INDEX = -100

ENTITY_COLOURS = {"PER": "#ffd6a5", "ORG": "#bde0fe", "LOC": "#caffbf", "MISC": "#e4c1f9"}
EXAMPLE_SENTENCES = "[['EU', 'rejects', 'German', 'call']]"
_MISSING = object()  # a word with no value yet


# -- Argument checks specific to NER data -------------------------------------------------------


def _not_a_list(value: Any) -> bool:
    return value is None or isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable)


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


# -- Running a model ------------------------------------------------------------------------------


def _batches(sentences: list[list[str]], batch_size: int):
    """(indices, word lists) of batches of similar length, so little compute goes into padding."""
    order = sorted(range(len(sentences)), key=lambda i: sum(len(w) for w in sentences[i]))
    for start in range(0, len(order), batch_size):
        indices = order[start : start + batch_size]
        yield indices, [sentences[i] for i in indices]


def _encoded_batches(tokenizer: Any, sentences: list[list[str]], batch_size: int, max_length: int):
    """(sentence index of each row, encoding) per batch. A sentence longer than ``max_length`` tokens
    becomes several rows, windows that overlap by a quarter, so that every word is seen."""
    stride = (max_length - tokenizer.num_special_tokens_to_add()) // 4
    for indices, batch in _batches(sentences, batch_size):
        enc = tokenizer(
            batch,
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


LAYER_CHOICES = ("last", "concat_last4", "sum_last4", "embeddings")


def select_layers(hidden_states: Sequence[Any], layers: str | int = "last") -> Any:
    """Lesson 9: one vector per token from ``output_hidden_states``: ``"last"``, ``"concat_last4"``,
    ``"sum_last4"``, ``"embeddings"`` or a layer index (0 = embeddings)."""
    import torch

    if hidden_states is None:
        raise TypeError(
            "hidden_states is None: run the model with output_hidden_states=True and pass out.hidden_states."
        )
    if hasattr(hidden_states, "shape") or _not_a_list(hidden_states) or not hasattr(hidden_states, "__len__"):
        raise TypeError(
            f"hidden_states must be the tuple of every layer's output (out.hidden_states, with "
            f"output_hidden_states=True), not {type(hidden_states).__name__}."
        )
    if len(hidden_states) == 0:
        raise ValueError(
            "hidden_states is empty: pass out.hidden_states (run the model with output_hidden_states=True)."
        )
    if layers == "last":
        return hidden_states[-1]
    if layers in ("concat_last4", "sum_last4"):
        if len(hidden_states) < 4:
            raise ValueError(
                f"layers={layers!r} needs 4 hidden states, the model has {len(hidden_states)}: use 'last'."
            )
        last4 = tuple(hidden_states[-4:])
        if not all(isinstance(h, torch.Tensor) for h in last4):
            raise TypeError("hidden_states must hold tensors (the model's out.hidden_states).")
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

    ``model`` is a bare encoder (``AutoModel``). A sentence longer than ``max_length`` tokens (capped
    at the model's positions) is read in overlapping windows; a word with no token (e.g. '') gets a
    zero vector. With a list of layer choices (``["last", "concat_last4"]``) one pass over the data
    returns a dict ``{choice: array}``.
    """
    import torch

    checks.model("model", model)
    checks.fast_tokenizer("tokenizer", tokenizer, "word_ids() needs one")
    one = isinstance(layers, (str, int))
    if not one and _not_a_list(layers):
        raise TypeError(
            f"layers must be a layer choice or a list of them, not {type(layers).__name__} ({layers!r:.60})."
        )
    choices = [layers] if one else list(layers)
    if not choices:
        raise ValueError("layers is empty: pass 'last', 'concat_last4', ... or a list of them.")
    for choice in choices:
        known = choice in LAYER_CHOICES if isinstance(choice, str) else isinstance(choice, int)
        if not known or isinstance(choice, bool):
            raise ValueError(f"layers has {choice!r}, not a choice: use {list(LAYER_CHOICES)} or a layer index.")
    sentences = _sentences("sentences", sentences, empty=False)
    batch_size = checks.integer("batch_size", batch_size, minimum=1)
    max_length = _window_length(model, tokenizer, max_length)
    device = next(model.parameters()).device
    model.eval()
    rows: dict[Any, list] = {choice: [[_MISSING] * len(words) for words in sentences] for choice in choices}
    dims: dict[Any, int] = {}
    with torch.no_grad():
        for owners, enc in _encoded_batches(tokenizer, sentences, batch_size, max_length):
            out = model(**{k: v.to(device) for k, v in enc.items()}, output_hidden_states=True)
            for choice in choices:
                vectors = select_layers(getattr(out, "hidden_states", None), choice).float().cpu().numpy()
                dims[choice] = vectors.shape[-1]
                for row, owner in enumerate(owners):
                    _first_pieces(rows[choice][owner], vectors[row], enc.word_ids(row))
    arrays = {}
    for choice, per_sentence in rows.items():
        zero = np.zeros(dims[choice], dtype=np.float32)
        stacked = [np.stack([zero if v is _MISSING else v for v in words]) for words in per_sentence if words]
        empty = np.zeros((0, dims[choice]), np.float32)
        arrays[choice] = np.concatenate(stacked).astype(np.float32) if stacked else empty
    return arrays[layers] if one else arrays


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

    if isinstance(features, (str, bytes, Mapping)) or features is None:
        raise TypeError(
            f"features must be an array (n_words, dim) such as word_features' result, not {type(features).__name__}."
        )
    features = np.asarray(features)
    if features.dtype.kind not in "biuf":
        raise TypeError(f"features must be an array of numbers (n_words, dim), not an array of {features.dtype}.")
    if isinstance(labels, (str, bytes)) or _not_a_list(labels):
        raise TypeError(f"labels must be a list or array of label ids, one per word, not {type(labels).__name__}.")
    labels = np.asarray(labels)
    if features.ndim != 2 or labels.ndim != 1 or len(features) != len(labels):
        raise ValueError(
            f"features {features.shape} and labels ({len(labels)}) do not match: pass one row and one label per word."
        )
    if len(np.unique(labels)) < 2:
        raise ValueError(
            f"labels has {len(np.unique(labels))} class(es): the tagger needs words of at least two classes."
        )
    if checks.number("c", c, minimum=0) == 0:
        raise ValueError("c=0 is too small: pass a positive inverse regularisation strength, e.g. 0.1.")
    max_iter = checks.integer("max_iter", max_iter, minimum=1)
    tagger = make_pipeline(StandardScaler(), LogisticRegression(C=c, max_iter=max_iter))
    with threadpool_limits(1), warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        tagger.fit(features, labels)
    return tagger


def _tag_ids(name: str, value: Any, label_names: list[str]) -> np.ndarray:
    """Label ids (ints in 0..len(label_names)-1) as an int array."""
    ids = checks.array(name, value, empty=True)
    if ids.size and ((ids != np.round(ids)).any() or ids.min() < 0 or ids.max() >= len(label_names)):
        bad = ids[(ids != np.round(ids)) | (ids < 0) | (ids >= len(label_names))][0]
        raise ValueError(
            f"{name} has {bad:g}, not a label id: pass ids from 0 to {len(label_names) - 1} (one per label name)."
        )
    return ids.astype(int)


def split_by_sentence(
    word_labels: Sequence[int], lengths: Sequence[int], label_names: Sequence[str] = NER_TAGS
) -> list[list[str]]:
    """Lesson 9: cut one flat list of per-word label ids back into per-sentence tag lists."""
    label_names = checks.text_list("label_names", label_names)
    word_labels = _tag_ids("word_labels", word_labels, label_names)
    if word_labels.ndim != 1:
        raise ValueError(f"word_labels has shape {word_labels.shape}: pass one label id per word (tagger.predict(X)).")
    if isinstance(lengths, (str, bytes)) or _not_a_list(lengths):
        raise TypeError(
            f"lengths must be a list of sentence lengths (words per sentence), not {type(lengths).__name__}."
        )
    lengths = [checks.integer(f"lengths[{i}]", n, minimum=0) for i, n in enumerate(lengths)]
    if sum(lengths) != len(word_labels):
        raise ValueError(f"lengths add up to {sum(lengths)} words but there are {len(word_labels)} labels.")
    bounds = np.cumsum([0, *lengths])
    return [[label_names[i] for i in word_labels[a:b]] for a, b in zip(bounds[:-1], bounds[1:], strict=True)]


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
