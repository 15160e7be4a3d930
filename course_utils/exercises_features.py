"""Exercise checkers of lessons 3-5 (frozen features, all layers, sentence embeddings)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from . import checks
from .exercises import Verdict, check_answer, check_close, check_vector


def check_cls_vector(text: str, answer: Any, model: Any, tokenizer: Any) -> Verdict:
    """Lesson 3: the last layer's [CLS] vector of ``text`` (run alone, no padding)."""
    from .embeddings import embed_texts

    text = checks.text("text", text)
    checks.model("model", model)
    checks.tokenizer("tokenizer", tokenizer)
    expected = embed_texts([text], model, tokenizer, "cls", progress=False)[0]
    return check_vector(
        "[CLS] vector", answer, expected, 1e-4, "last_hidden_state[0, 0] of one forward pass on the tokenized text."
    )


def check_padding_share(texts: Sequence[str], answer: float | None, tokenizer: Any) -> Verdict:
    """Lesson 3: the share of [PAD] tokens when every text is padded to the longest one."""
    texts = checks.text_list("texts", texts)
    checks.tokenizer("tokenizer", tokenizer)
    lengths = [len(ids) for ids in tokenizer(texts)["input_ids"]]
    expected = 1 - sum(lengths) / (len(lengths) * max(lengths))
    return check_close(
        "Padding share",
        answer,
        expected,
        0.005,
        "1 - (real tokens) / (number of texts x longest length).",
        minimum=0,
        maximum=1,
    )


def check_accuracy_from_confusion(matrix: Any, answer: float | None) -> Verdict:
    """Lesson 3: the accuracy a confusion matrix shows (correct predictions lie on its diagonal)."""
    matrix = checks.array("matrix", matrix, ndim=2)
    if matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f"matrix has shape {matrix.shape}: a confusion matrix is square (classes x classes).")
    if not np.isfinite(matrix).all() or (matrix < 0).any() or matrix.sum() == 0:
        raise ValueError("matrix must hold counts (>= 0, not all 0), e.g. confusion_matrix(y_true, y_pred).")
    expected = float(np.trace(matrix) / matrix.sum())
    return check_close(
        "Accuracy",
        answer,
        expected,
        0.005,
        "sum of the diagonal divided by the sum of all cells.",
        minimum=0,
        maximum=1,
    )


def check_hidden_state_shape(text: str, answer: Sequence[int] | None, model: Any, tokenizer: Any) -> Verdict:
    """Lesson 4: ``(number of hidden states, tokens, hidden size)`` for ``text`` run alone."""
    from .embeddings import num_hidden_states

    text = checks.text("text", text)
    checks.model("model", model)
    checks.tokenizer("tokenizer", tokenizer)
    expected = [num_hidden_states(model.config), len(tokenizer(text)["input_ids"]), model.config.hidden_size]
    return check_answer(
        "Hidden states",
        answer,
        expected,
        "embeddings + one per layer; [CLS] and [SEP] count as tokens.",
        shape="three ints (hidden states, tokens, hidden size), e.g. (1, 2, 3)",
    )


def check_layer_combination(all_layers: Any, layer: str, answer: Any) -> Verdict:
    """Lesson 4: ``"concat_last4"``, ``"sum_last4"`` or ``"second_to_last"`` built from a layers x n x d array."""
    expected = {
        "concat_last4": lambda states: np.concatenate(list(states[-4:]), axis=-1),
        "sum_last4": lambda states: states[-4:].sum(axis=0),
        "second_to_last": lambda states: states[-2],
    }
    checks.one_of("layer", layer, sorted(expected))
    states = checks.array("all_layers", all_layers)
    if states.ndim < 2:
        raise ValueError(f"all_layers has shape {states.shape}: pass layers first, e.g. layers x sentences x hidden.")
    needed = 2 if layer == "second_to_last" else 4
    if len(states) < needed:
        raise ValueError(f"all_layers has {len(states)} layer(s) (its first axis): {layer!r} needs at least {needed}.")
    return check_vector(
        f"Layer combination {layer}",
        answer,
        expected[layer](states),
        1e-3,
        "index the first axis (layers) from the end: [-4:] are the last four.",
    )


def check_word_cosine(
    text_a: str, text_b: str, word: str, layer: int, answer: float | None, model: Any, tokenizer: Any
) -> Verdict:
    """Lesson 4: the cosine similarity of ``word``'s vectors in two sentences at hidden state ``layer``."""
    from .embeddings import check_layer, num_hidden_states, paired_cosine, word_vectors

    text_a, text_b, word = checks.text("text_a", text_a), checks.text("text_b", text_b), checks.text("word", word)
    checks.model("model", model)
    checks.tokenizer("tokenizer", tokenizer)
    layer = checks.integer("layer", layer)
    check_layer(layer, num_hidden_states(model.config))
    a = word_vectors(text_a, word, model, tokenizer)[layer]
    b = word_vectors(text_b, word, model, tokenizer)[layer]
    expected = float(paired_cosine(a, b))
    hint = "word_vectors(...)[layer] for each sentence, then cosine."
    return check_close("Word cosine", answer, expected, 0.005, hint, minimum=-1, maximum=1)


def check_masked_mean(hidden: Any, attention_mask: Any, answer: Any) -> Verdict:
    """Lesson 5: mean pooling of a padded batch (batch x tokens x dim) that ignores the padding."""
    h = checks.array("hidden", hidden, ndim=3)
    m = checks.array("attention_mask", attention_mask, ndim=2)
    if h.shape[:2] != m.shape:
        raise ValueError(
            f"hidden {h.shape} and attention_mask {m.shape} do not match: pass the mask of the same batch "
            "(batch x tokens)."
        )
    if not np.isin(m, (0, 1)).all() or (m.sum(axis=-1) == 0).any():
        raise ValueError("attention_mask must hold 0s and 1s, at least one 1 per row: pass batch['attention_mask'].")
    expected = (h * m[..., None]).sum(axis=-2) / m.sum(axis=-1, keepdims=True)
    return check_vector(
        "Masked mean", answer, expected, 1e-4, "multiply by the mask, sum over tokens, divide by the mask's sum."
    )


def check_spearman(gold: Sequence[float], predicted: Sequence[float], answer: float | None) -> Verdict:
    """Lesson 5: Spearman's rank correlation between gold scores and predicted similarities."""
    from scipy.stats import spearmanr

    gold = checks.finite_numbers("gold", gold, least=2)
    predicted = checks.finite_numbers("predicted", predicted, least=2)
    checks.same_length(("gold", "predicted"), gold, predicted)
    for name, values in (("gold", gold), ("predicted", predicted)):
        if np.ptp(values) == 0:
            raise ValueError(f"{name} has the same value everywhere: a rank correlation needs values that differ.")
    expected = float(spearmanr(gold, predicted).statistic)
    hint = "rank both lists, then take the Pearson correlation of the ranks."
    return check_close("Spearman correlation", answer, expected, 0.005, hint, minimum=-1, maximum=1)


def check_nearest_intent(
    query: str, answer: str | None, texts: Sequence[str], intents: Sequence[str], model: Any
) -> Verdict:
    """Lesson 5: the intent of the utterance most similar (cosine) to ``query``, with a SentenceTransformer."""
    query = checks.text("query", query)
    texts, intents = checks.text_list("texts", texts), checks.text_list("intents", intents)
    checks.same_length(("texts", "intents"), texts, intents)
    if not callable(getattr(model, "encode", None)) or hasattr(model, "convert_tokens_to_ids"):
        raise TypeError(
            f"model must be a SentenceTransformer (it has .encode), e.g. SentenceTransformer(...), "
            f"not {type(model).__name__}."
        )
    vectors = model.encode([query, *texts], normalize_embeddings=True)
    expected = intents[int(np.argmax(vectors[1:] @ vectors[0]))]
    return check_answer(
        "Nearest intent",
        answer,
        expected,
        "encode the query and the utterances, take the highest cosine's intent.",
        choices=sorted(set(intents)),
    )
