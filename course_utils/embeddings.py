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

from . import checks
from .profiles import progress_bar
from .tokenization import is_cjk

POOLINGS = ("cls", "mean", "max", "pooler")
LAYER_NAMES = ("last", "second_to_last", "concat_last4", "sum_last4", "all")
_TOKENIZE_CHUNK = 1024


# Pooling: token vectors (batch x tokens x dim) -> one vector per text (batch x dim) ---------------


def _check_states(hidden: Any, attention_mask: Any) -> None:
    """Token vectors (``... x batch x tokens x dim``) and a 0/1 mask (``batch x tokens``) that fit together."""
    for name, value, hint in (
        ("hidden", hidden, "out.last_hidden_state"),
        ("attention_mask", attention_mask, 'batch["attention_mask"]'),
    ):
        if not isinstance(value, torch.Tensor):
            raise TypeError(f"{name} must be a torch tensor, e.g. {hint}, not {type(value).__name__}.")
    if attention_mask.ndim < 1 or tuple(hidden.shape[-1 - attention_mask.ndim : -1]) != tuple(attention_mask.shape):
        raise ValueError(
            f"attention_mask has shape {tuple(attention_mask.shape)} and hidden {tuple(hidden.shape)}: the mask must "
            "be batch x tokens, hidden batch x tokens x dim (pass the mask of the batch the model ran on)."
        )
    if ((attention_mask != 0) & (attention_mask != 1)).any():
        raise ValueError("attention_mask must hold only 0 (padding) and 1 (real token): did you pass input_ids?")
    if (attention_mask.sum(dim=-1) == 0).any():
        raise ValueError(
            "attention_mask has a row of zeros (a text without real tokens): pass the tokenizer's attention_mask, "
            "not token_type_ids."
        )


def masked_mean(hidden: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    """Average of the real tokens' vectors (padding, mask 0, is left out). Lesson 5."""
    _check_states(hidden, attention_mask)
    mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * mask).sum(dim=-2) / mask.sum(dim=-2).clamp(min=1.0)


def masked_max(hidden: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    """Per-dimension maximum over the real tokens (padding can never win). Lesson 5."""
    _check_states(hidden, attention_mask)
    mask = attention_mask.unsqueeze(-1).bool()
    return hidden.masked_fill(~mask, torch.finfo(hidden.dtype).min).amax(dim=-2)


def pool(hidden: torch.Tensor, attention_mask: torch.Tensor, pooling: str) -> torch.Tensor:
    """Apply ``cls``, ``mean`` or ``max`` pooling to ``hidden`` (``... x batch x tokens x dim``)."""
    checks.one_of("pooling", pooling, ("cls", "mean", "max"))
    if pooling == "cls":
        _check_states(hidden, attention_mask)
        return hidden[..., 0, :]
    if pooling == "mean":
        return masked_mean(hidden, attention_mask)
    return masked_max(hidden, attention_mask)


# Layer choice --------------------------------------------------------------------------------


def num_hidden_states(config: Any) -> int:
    """How many hidden states a model returns: the embeddings plus one per layer (7 for MiniLM-L6)."""
    if hasattr(config, "config") and hasattr(config, "forward"):
        raise TypeError("config must be a model's configuration (model.config), not the model itself.")
    layers = getattr(config, "num_hidden_layers", None) or getattr(config, "n_layers", None)
    if layers is None:
        raise TypeError(
            f"config must be a BERT-style encoder's configuration (model.config, with num_hidden_layers), "
            f"not {type(config).__name__}."
        )
    return checks.integer("config.num_hidden_layers", layers, minimum=1) + 1


def check_layer(layer: int | str, n_states: int) -> None:
    """Raise a clear error unless ``layer`` is a valid choice for a model with ``n_states`` hidden states."""
    n_states = checks.integer("n_states", n_states, minimum=1)
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
    check_layer(layer, n_states)
    return not (layer == "last" or (isinstance(layer, int) and layer % n_states == n_states - 1))


def combine_layers(hidden_states: Sequence[torch.Tensor], layer: int | str) -> torch.Tensor:
    """Token-level states for ``layer`` from the tuple ``output_hidden_states=True`` returns. Lesson 4.

    An int picks one hidden state; ``"concat_last4"`` concatenates the last four along the
    vector dimension (4 x dim), ``"sum_last4"`` adds them, ``"all"`` stacks every hidden
    state (layers x batch x tokens x dim).
    """
    if not isinstance(hidden_states, (tuple, list)):
        hint = (
            " (one tensor is one layer: call the model with output_hidden_states=True and pass out.hidden_states)"
            if isinstance(hidden_states, torch.Tensor)
            else " (out.hidden_states is None unless the model is called with output_hidden_states=True)"
        )
        raise TypeError(f"hidden_states must be the tuple out.hidden_states, not {type(hidden_states).__name__}{hint}.")
    if not hidden_states:
        raise ValueError("hidden_states is empty: pass out.hidden_states from a call with output_hidden_states=True.")
    for i, state in enumerate(hidden_states):
        if not isinstance(state, torch.Tensor):
            raise TypeError(f"hidden_states[{i}] is a {type(state).__name__}, not a tensor: pass out.hidden_states.")
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
    the cut points; about 0.1 s for 10,000 texts). No lengths give no batches.
    """
    values = checks.array("lengths", lengths, ndim=1, empty=True)
    if (values < 0).any() or (values != np.round(values)).any():
        raise ValueError(f"lengths must be token counts (whole numbers >= 0), not {values[:5].tolist()}...")
    batch_tokens = checks.integer("batch_tokens", batch_tokens, minimum=1)
    max_batch_size = checks.integer("max_batch_size", max_batch_size, minimum=1)
    batch_cost_tokens = checks.integer("batch_cost_tokens", batch_cost_tokens, minimum=0)
    lengths = values.astype(np.int64)
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


def _check_poolings(pooling: str | Sequence[str]) -> tuple[str, ...]:
    if not isinstance(pooling, (str, list, tuple)):
        raise TypeError(f"pooling must be one of {POOLINGS} or a list of them, not {type(pooling).__name__}.")
    names = (pooling,) if isinstance(pooling, str) else tuple(pooling)
    if not names:
        raise ValueError(f"pooling is empty: pass one of {POOLINGS} or a list of them.")
    for name in names:
        checks.one_of("pooling", name, POOLINGS)
    return names


def _encoder_and_tokenizer(model: Any, tokenizer: Any) -> None:
    """A model and a tokenizer whose ids it can embed (a mixed-up pair would crash inside torch)."""
    checks.model("model", model)
    checks.tokenizer("tokenizer", tokenizer)
    vocab_size = getattr(model.config, "vocab_size", None)
    if vocab_size is not None and len(tokenizer) > vocab_size:
        raise ValueError(
            f"tokenizer has {len(tokenizer)} tokens but model only embeds {vocab_size}: "
            "load both from the same checkpoint."
        )


def _longest_input(model: Any, tokenizer: Any) -> int:
    """The most tokens the model reads: its position embeddings, or the tokenizer's limit if smaller."""
    limit = int(getattr(tokenizer, "model_max_length", 512))
    return min(limit, getattr(model.config, "max_position_embeddings", limit))


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
    max_length: truncate longer texts (default, and the most allowed: what the model's position embeddings allow).
    progress, desc: show a progress bar (counting texts) labelled ``desc``.
    """
    texts = checks.text_list("texts", texts)
    _encoder_and_tokenizer(model, tokenizer)
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
    checks.integer("batch_tokens", batch_tokens, minimum=1)
    checks.integer("max_batch_size", max_batch_size, minimum=1)
    longest = _longest_input(model, tokenizer)
    if max_length is None:
        max_length = longest
    # below one real token the tokenizer would silently not truncate at all
    checks.integer("max_length", max_length, minimum=tokenizer.num_special_tokens_to_add() + 1, maximum=longest)
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
    """Cosine similarity of each row of ``a`` with the same row of ``b`` (two single vectors give one number)."""
    a, b = checks.array("a", a), checks.array("b", b)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, not {a.shape} and {b.shape}.")
    norm_a, norm_b = _norms("a", a), _norms("b", b)
    return (a * b).sum(-1) / (norm_a * norm_b)


def cosine_matrix(a: np.ndarray, b: np.ndarray | None = None) -> np.ndarray:
    """All cosine similarities between the rows of ``a`` and those of ``b`` (default: ``a`` itself)."""
    a = checks.array("a", a, ndim=2)
    b = a if b is None else checks.array("b", b, ndim=2)
    if a.shape[1] != b.shape[1]:
        raise ValueError(f"the rows of a and b must have the same length, not {a.shape[1]} and {b.shape[1]}.")
    a = a / _norms("a", a)[:, None]
    b = b / _norms("b", b)[:, None]
    return a @ b.T


def _norms(name: str, vectors: np.ndarray) -> np.ndarray:
    """Lengths of the vectors (last axis); an all-zero vector has no direction, so no cosine."""
    norms = np.linalg.norm(vectors, axis=-1)
    if (norms == 0).any():
        where = f" (row {np.argwhere(norms == 0)[0].tolist()})" if vectors.ndim > 1 else ""
        raise ValueError(f"{name} has an all-zero vector{where}: its cosine is undefined.")
    return norms


def _find_word(text: str, word: str) -> re.Match | None:
    """The first case-insensitive occurrence of ``word`` in ``text`` as a whole word.

    Whole as the BERT tokenizer sees it: not glued to a letter or digit on either side, except
    that CJK characters are words of one character (Chinese is written without spaces).
    """

    def glued(outside: str, inside: str) -> bool:
        return bool(re.match(r"\w", outside)) and not is_cjk(outside) and not is_cjk(inside)

    for found in re.finditer(re.escape(word), text, flags=re.IGNORECASE):
        start, end = found.span()
        if (start == 0 or not glued(text[start - 1], word[0])) and (end == len(text) or not glued(text[end], word[-1])):
            return found
    return None


def word_vectors(text: str, word: str, model: Any, tokenizer: Any) -> np.ndarray:
    """The vector of ``word`` (its first occurrence in ``text``) at every hidden state: (states x dim). Lesson 4.

    A word split into several WordPiece tokens gets the average of its pieces. A text longer than
    the model reads (512 tokens for BERT) is truncated to that length, as :func:`embed_texts`
    does; a word that first occurs after the cut is refused.
    """
    text = checks.text("text", text)
    word = checks.text("word", word).strip()
    _encoder_and_tokenizer(model, tokenizer)
    checks.fast_tokenizer("tokenizer", tokenizer, "it gives token offsets")
    found = _find_word(text, word)
    if found is None:
        shown = text if len(text) <= 80 else text[:77] + "..."
        raise ValueError(f"word={word!r} does not occur as a whole word in text={shown!r}.")
    max_length = _longest_input(model, tokenizer)
    encoded = tokenizer(text, return_offsets_mapping=True, return_tensors="pt", truncation=True, max_length=max_length)
    offsets = encoded.pop("offset_mapping")[0].tolist()
    pieces = [i for i, (s, e) in enumerate(offsets) if e > s and s >= found.start() and e <= found.end()]
    if len(offsets) == max_length and max(e for _, e in offsets) < found.end():
        raise ValueError(
            f"word={word!r} first occurs after the first {max_length} tokens of text, the most this model reads: "
            "pass a shorter text (the sentence around the word)."
        )
    if not pieces:
        raise ValueError(f"word={word!r} gives no tokens (the tokenizer drops its characters): pass a real word.")
    device = next(model.parameters()).device
    was_training = model.training
    model.eval()  # no dropout: the same text always gives the same vectors
    try:
        with torch.inference_mode():
            out = model(**{k: v.to(device) for k, v in encoded.items()}, output_hidden_states=True)
    finally:
        model.train(was_training)
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
    layers = num_hidden_states(config) - 1
    seq_len = checks.integer("seq_len", seq_len, minimum=0)
    d = getattr(config, "hidden_size", None) or getattr(config, "dim", None)
    f = getattr(config, "intermediate_size", None) or getattr(config, "hidden_dim", None)
    if not d or not f:
        raise TypeError("config must be a BERT-style encoder's configuration with hidden_size and intermediate_size.")
    return layers * (2 * (4 * d * d + 2 * d * f) + 4 * seq_len * d)
