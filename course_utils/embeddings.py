"""Sentence vectors from a BERT-style encoder, fast and with bounded memory (lessons 3, 4 and 5).

:func:`embed_texts` turns a list of texts into pooled vectors:

1. tokenize every text once (no padding), and remember its length;
2. sort by length and cut the sorted list into batches of at most ``batch_tokens`` tokens,
   where the length changes: each batch is padded only to its own longest text, most need
   no padding at all, and memory per batch is bounded;
3. run the encoder on one batch at a time under ``torch.inference_mode``, pool its token
   vectors (``cls``, masked ``mean``, masked ``max`` or the ``pooler``) from the chosen layer(s)
   and drop the token-level states before the next batch;
4. write each pooled vector back at its text's position, so results come in input order.

``benchmarks/embedding_speed.py`` measures it against one-at-a-time and pad-everything
extraction. :func:`masked_mean`, :func:`masked_max` and :func:`combine_layers` are the
pieces lessons 4-5 show by hand.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

from .profiles import progress_bar

POOLINGS = ("cls", "mean", "max", "pooler")
LAYER_NAMES = ("last", "second_to_last", "concat_last4", "sum_last4", "all")
_TOKENIZE_CHUNK = 1024


# Pooling: token vectors (batch x tokens x dim) -> one vector per text (batch x dim) ---------------


def masked_mean(hidden: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    """Average of the real tokens' vectors (padding, mask 0, is left out). Lesson 5."""
    mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * mask).sum(dim=-2) / mask.sum(dim=-2).clamp(min=1.0)


def masked_max(hidden: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    """Per-dimension maximum over the real tokens (padding can never win). Lesson 5."""
    mask = attention_mask.unsqueeze(-1).bool()
    return hidden.masked_fill(~mask, torch.finfo(hidden.dtype).min).amax(dim=-2)


def pool(hidden: torch.Tensor, attention_mask: torch.Tensor, pooling: str) -> torch.Tensor:
    """Apply ``cls``, ``mean`` or ``max`` pooling to ``hidden`` (``... x batch x tokens x dim``)."""
    if pooling == "cls":
        return hidden[..., 0, :]
    if pooling == "mean":
        return masked_mean(hidden, attention_mask)
    if pooling == "max":
        return masked_max(hidden, attention_mask)
    raise ValueError(f"pooling={pooling!r} is unknown here: choose 'cls', 'mean' or 'max'.")


# Layer choice --------------------------------------------------------------------------------


def num_hidden_states(config: Any) -> int:
    """How many hidden states a model returns: the embeddings plus one per layer (7 for MiniLM-L6)."""
    layers = getattr(config, "num_hidden_layers", None) or getattr(config, "n_layers", None)
    if not layers:
        raise ValueError("config has neither num_hidden_layers nor n_layers: pass a BERT-style encoder's model.")
    return int(layers) + 1


def check_layer(layer: int | str, n_states: int) -> None:
    """Raise a clear error unless ``layer`` is a valid choice for a model with ``n_states`` hidden states."""
    if isinstance(layer, bool) or not isinstance(layer, (int, str)):
        raise TypeError(f"layer must be an int or one of {LAYER_NAMES}, not {type(layer).__name__}.")
    if isinstance(layer, int):
        if not -n_states <= layer < n_states:
            raise ValueError(
                f"layer={layer} is out of range: this model has {n_states} hidden states "
                f"(0 = embeddings ... {n_states - 1} = last layer; negative counts from the end)."
            )
    elif layer not in LAYER_NAMES:
        raise ValueError(
            f"layer={layer!r} is unknown: use an int (0..{n_states - 1}, or negative) or one of {LAYER_NAMES}."
        )
    elif layer.endswith("last4") and n_states < 5:
        raise ValueError(f"layer={layer!r} needs at least 4 layers; this model has {n_states - 1}.")


def needs_all_hidden_states(layer: int | str, n_states: int) -> bool:
    """False only when the last layer alone is needed (then ``output_hidden_states`` stays off)."""
    return not (layer == "last" or (isinstance(layer, int) and layer % n_states == n_states - 1))


def combine_layers(hidden_states: Sequence[torch.Tensor], layer: int | str) -> torch.Tensor:
    """Token-level states for ``layer`` from the tuple ``output_hidden_states=True`` returns. Lesson 4.

    An int picks one hidden state; ``"concat_last4"`` concatenates the last four along the
    vector dimension (4 x dim), ``"sum_last4"`` adds them, ``"all"`` stacks every hidden
    state (layers x batch x tokens x dim).
    """
    check_layer(layer, len(hidden_states))
    if layer == "all":
        return torch.stack(tuple(hidden_states))
    if layer == "concat_last4":
        return torch.cat(tuple(hidden_states[-4:]), dim=-1)
    if layer == "sum_last4":
        return torch.stack(tuple(hidden_states[-4:])).sum(dim=0)
    index = {"last": -1, "second_to_last": -2}.get(layer, layer)
    return hidden_states[index]


# Batching --------------------------------------------------------------------------------------


def length_sorted_batches(
    lengths: Sequence[int], batch_tokens: int = 2048, max_batch_size: int = 256, batch_cost_tokens: int = 64
) -> list[np.ndarray]:
    """Indices of the texts in each batch, longest texts first, at most ``batch_tokens`` padded tokens a batch.

    The texts are sorted by length, and the sorted list is cut where the cuts cost least: a
    batch costs its padded tokens (size x its longest text) plus ``batch_cost_tokens`` for the
    fixed cost of one forward pass. Cuts therefore fall where the length changes, so most
    batches hold texts of one length and carry no padding at all (dynamic programming over
    the cut points; about 0.1 s for 10,000 texts).
    """
    if batch_tokens < 1 or max_batch_size < 1:
        raise ValueError(f"batch_tokens={batch_tokens} and max_batch_size={max_batch_size} must both be >= 1.")
    lengths = np.asarray(lengths, dtype=np.int64)
    order = np.argsort(-lengths, kind="stable")
    ordered = lengths[order]
    best = np.zeros(len(order) + 1)  # best[i]: cheapest cost of the first i sorted texts
    cut = np.zeros(len(order) + 1, dtype=np.int64)  # where the last batch of those i starts
    for end in range(1, len(order) + 1):
        first = max(0, end - max_batch_size)
        starts = np.arange(first, end)
        padded = (end - starts) * ordered[starts]  # sorted longest first: the batch's first text is its longest
        cost = best[first:end] + padded + batch_cost_tokens
        cost[(padded > batch_tokens) & (starts < end - 1)] = np.inf
        k = int(np.argmin(cost))
        best[end], cut[end] = cost[k], first + k
    batches, end = [], len(order)
    while end > 0:
        batches.append(order[cut[end] : end])
        end = cut[end]
    return batches[::-1]


def _check_texts(texts: Any) -> list[str]:
    if isinstance(texts, str):
        raise TypeError("texts must be a list of strings, not one string: wrap a single text as [text].")
    try:
        texts = list(texts)
    except TypeError:
        raise TypeError(f"texts must be a list of strings, not {type(texts).__name__}.") from None
    if not texts:
        raise ValueError("texts is empty: pass at least one string to embed.")
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise TypeError(f"texts[{i}] is a {type(text).__name__}, not a str: pass strings only (str(x) converts).")
    return texts


def _check_poolings(pooling: str | Sequence[str]) -> tuple[str, ...]:
    names = (pooling,) if isinstance(pooling, str) else tuple(pooling)
    if not names:
        raise ValueError(f"pooling is empty: pass one of {POOLINGS} or a list of them.")
    for name in names:
        if name not in POOLINGS:
            raise ValueError(f"pooling={name!r} is unknown: choose one of {POOLINGS} (or a list of them).")
    return names


def _tokenize(texts: list[str], tokenizer: Any, max_length: int) -> list[np.ndarray]:
    ids: list[np.ndarray] = []
    for start in range(0, len(texts), _TOKENIZE_CHUNK):
        encoded = tokenizer(
            texts[start : start + _TOKENIZE_CHUNK],
            truncation=True,
            max_length=max_length,
            return_attention_mask=False,
            return_token_type_ids=False,
        )["input_ids"]
        ids.extend(np.asarray(row, dtype=np.int32) for row in encoded)
    return ids


def _pad(rows: list[np.ndarray], pad_id: int) -> tuple[torch.Tensor, torch.Tensor]:
    longest = max(len(row) for row in rows)
    input_ids = np.full((len(rows), longest), pad_id, dtype=np.int64)
    attention_mask = np.zeros((len(rows), longest), dtype=np.int64)
    for i, row in enumerate(rows):
        input_ids[i, : len(row)] = row
        attention_mask[i, : len(row)] = 1
    return torch.from_numpy(input_ids), torch.from_numpy(attention_mask)


def embed_texts(
    texts: Sequence[str],
    model: Any,
    tokenizer: Any,
    pooling: str | Sequence[str] = "cls",
    layer: int | str = "last",
    *,
    batch_tokens: int = 2048,
    max_batch_size: int = 256,
    max_length: int | None = None,
    progress: bool = True,
    desc: str = "Embedding",
) -> np.ndarray | dict[str, np.ndarray]:
    """One pooled vector per text, as a float32 array in the order of ``texts`` (lessons 3-5).

    pooling: ``"cls"`` (the ``[CLS]`` vector), ``"mean"`` / ``"max"`` over the real tokens, or
        ``"pooler"`` (the model's dense+tanh layer on ``[CLS]``; last layer only). A list of
        names returns a dict ``{name: array}`` from the same forward passes.
    layer: an int indexes the hidden states (0 = embeddings, -1 = last); ``"last"``,
        ``"second_to_last"``, ``"concat_last4"`` (4 x dim), ``"sum_last4"``, or ``"all"``
        (returns layers x n x dim).
    batch_tokens: padded tokens per batch (batch size x its longest text); the memory knob.
    max_length: truncate longer texts (default: what the model's position embeddings allow).
    progress, desc: show a progress bar (counting texts) labelled ``desc``.
    """
    texts = _check_texts(texts)
    poolings = _check_poolings(pooling)
    n_states = num_hidden_states(model.config)
    check_layer(layer, n_states)
    if "pooler" in poolings:
        if getattr(model, "pooler", None) is None:
            raise ValueError(
                "pooling='pooler' needs a model with a pooler layer (a BertModel); this one has none "
                "(DistilBERT, for example): use 'cls' instead."
            )
        if needs_all_hidden_states(layer, n_states):
            raise ValueError(f"pooling='pooler' reads the last layer only: use layer='last', not {layer!r}.")
    if max_length is None:
        max_length = min(int(getattr(tokenizer, "model_max_length", 512)), model.config.max_position_embeddings)
    all_states = needs_all_hidden_states(layer, n_states)
    device = next(model.parameters()).device
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0

    ids = _tokenize(texts, tokenizer, max_length)
    batches = length_sorted_batches([len(row) for row in ids], batch_tokens, max_batch_size)
    results: dict[str, np.ndarray] = {}
    was_training = model.training
    model.eval()

    try:
        bar = progress_bar(len(texts), desc, disable=not progress)
        with torch.inference_mode(), bar:
            for batch in batches:
                input_ids, attention_mask = _pad([ids[i] for i in batch], pad_id)
                input_ids, attention_mask = input_ids.to(device), attention_mask.to(device)
                out = model(input_ids=input_ids, attention_mask=attention_mask, output_hidden_states=all_states)
                hidden = combine_layers(out.hidden_states, layer) if all_states else out.last_hidden_state
                for name in poolings:
                    vectors = out.pooler_output if name == "pooler" else pool(hidden, attention_mask, name)
                    vectors = vectors.float().cpu().numpy()
                    if name not in results:  # allocate once the output's shape is known
                        shape = (*vectors.shape[:-2], len(texts), vectors.shape[-1])
                        results[name] = np.empty(shape, dtype=np.float32)
                    results[name][..., batch, :] = vectors
                del out, hidden  # token-level states never outlive their batch
                bar.update(len(batch))
    finally:
        model.train(was_training)
    return results[poolings[0]] if isinstance(pooling, str) else results


# Comparing vectors (lessons 4 and 5) -----------------------------------------------------------


def paired_cosine(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Cosine similarity of each row of ``a`` with the same row of ``b``."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, not {a.shape} and {b.shape}.")
    return (a * b).sum(-1) / (np.linalg.norm(a, axis=-1) * np.linalg.norm(b, axis=-1))


def cosine_matrix(a: np.ndarray, b: np.ndarray | None = None) -> np.ndarray:
    """All cosine similarities between the rows of ``a`` and those of ``b`` (default: ``a`` itself)."""
    a = np.asarray(a, dtype=np.float64)
    b = a if b is None else np.asarray(b, dtype=np.float64)
    a = a / np.linalg.norm(a, axis=-1, keepdims=True)
    b = b / np.linalg.norm(b, axis=-1, keepdims=True)
    return a @ b.T


def word_vectors(text: str, word: str, model: Any, tokenizer: Any) -> np.ndarray:
    """The vector of ``word`` (its first occurrence in ``text``) at every hidden state: (states x dim). Lesson 4.

    A word split into several WordPiece tokens gets the average of its pieces.
    """
    if not isinstance(text, str) or not isinstance(word, str) or not word.strip():
        raise TypeError("text and word must be non-empty strings.")
    found = re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text, flags=re.IGNORECASE)
    if found is None:
        raise ValueError(f"word={word!r} does not occur as a whole word in text={text!r}.")
    encoded = tokenizer(text, return_offsets_mapping=True, return_tensors="pt")
    offsets = encoded.pop("offset_mapping")[0].tolist()
    pieces = [i for i, (s, e) in enumerate(offsets) if e > s and s >= found.start() and e <= found.end()]
    device = next(model.parameters()).device
    with torch.inference_mode():
        out = model(**{k: v.to(device) for k, v in encoded.items()}, output_hidden_states=True)
    states = torch.stack(tuple(out.hidden_states))[:, 0, pieces, :].mean(dim=1)
    return states.float().cpu().numpy()


# Cost model (benchmarks/embedding_speed.py) ---------------------------------------------------


def flops_per_token(config: Any, seq_len: int) -> float:
    """Forward FLOPs per token of a BERT-style encoder for a text of ``seq_len`` tokens.

    Matrix multiplications with weights cost 2 x (their parameters) per token: per layer
    the Q, K, V and output projections (4 d^2) and the feed-forward block (2 d f). Attention
    adds Q K^T and (weights x V): 2 x 2 x seq_len x d per token per layer. Embedding
    lookups, layer norms, softmax and GELU are not matrix multiplications and are left out.
    """
    d = getattr(config, "hidden_size", None) or config.dim
    f = getattr(config, "intermediate_size", None) or config.hidden_dim
    layers = num_hidden_states(config) - 1
    return layers * (2 * (4 * d * d + 2 * d * f) + 4 * seq_len * d)
