"""The frozen-feature probe for NER (lesson 9): encoder vectors of each word, a linear tagger.

Each word is represented by its first sub-token's vector from a frozen encoder (the last layer,
or the last four concatenated as in the BERT paper's feature-based NER); a logistic regression
then tags words. Fine-tuning (``course_utils.ner``) is measured against this baseline.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from . import checks
from .data import NER_TAGS
from .entities import _not_a_list
from .ner import _MISSING, _encoded_batches, _first_pieces, _sentences, _window_length

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
