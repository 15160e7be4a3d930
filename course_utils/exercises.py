"""Checkers for the notebooks' exercises: each prints a verdict and returns a truthy/falsy ``Verdict``.

An unanswered exercise (``answer is None``) prints a reminder instead of failing, so a
notebook runs top to bottom before the learner has done anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class Verdict:
    """A checker's result: truthy when the answer is right. It shows nothing in a notebook,
    since the checker has already printed its verdict."""

    def __init__(self, correct: bool) -> None:
        self.correct = bool(correct)

    def __bool__(self) -> bool:
        return self.correct

    def __repr__(self) -> str:
        return f"Verdict(correct={self.correct})"

    def _ipython_display_(self) -> None:
        pass


def check_answer(exercise: str, answer: Any, expected: Any, hint: str = "") -> Verdict:
    """Compare ``answer`` with ``expected`` and say so; ``hint`` is shown when they differ."""
    if answer is None:
        print(f"{exercise}: not answered yet - replace None with your answer.")
        return Verdict(False)
    if _same(answer, expected):
        print(f"{exercise}: correct!")
        return Verdict(True)
    print(f"{exercise}: not quite. You gave {answer!r}.{' Hint: ' + hint if hint else ''}")
    return Verdict(False)


def _same(answer: Any, expected: Any) -> bool:
    if hasattr(answer, "tolist"):
        answer = answer.tolist()
    if isinstance(expected, float):
        return isinstance(answer, (int, float)) and abs(answer - expected) <= 1e-6 * max(1.0, abs(expected))
    if isinstance(answer, tuple):
        answer = list(answer)
    return answer == expected


# Lesson 1 ------------------------------------------------------------------------------


def check_wordpieces(text: str, answer: Sequence[str] | None, tokenizer: Any) -> Verdict:
    """Lesson 1: the WordPiece tokens of ``text`` (without [CLS]/[SEP])."""
    return check_answer(
        "WordPiece tokens",
        answer,
        tokenizer.tokenize(text),
        "lower-case, split off punctuation, then take the longest vocabulary match from the left.",
    )


def check_pair_ids(first: str, second: str, max_length: int, answer: Sequence[int] | None, tokenizer: Any) -> Verdict:
    """Lesson 1: the padded ``input_ids`` of a sentence pair."""
    expected = tokenizer(first, second, padding="max_length", truncation=True, max_length=max_length)["input_ids"]
    return check_answer("Pair input ids", answer, expected, "[CLS] first [SEP] second [SEP], then [PAD] (id 0).")


# Lesson 2 ------------------------------------------------------------------------------


def check_padded_length(texts: Sequence[str], answer: int | None, tokenizer: Any) -> Verdict:
    """Lesson 2: the length of a batch padded with ``padding=True``."""
    expected = len(tokenizer(list(texts), padding=True)["input_ids"][0])
    return check_answer("Padded length", answer, expected, "the longest sentence's tokens plus [CLS] and [SEP].")


def check_attention_mask(texts: Sequence[str], answer: Sequence[Sequence[int]] | None, tokenizer: Any) -> Verdict:
    """Lesson 2: the attention mask of a batch padded with ``padding=True``."""
    expected = tokenizer(list(texts), padding=True)["attention_mask"]
    hint = "1 for every real token ([CLS] and [SEP] too), 0 for [PAD]."
    return check_answer("Attention mask", answer, expected, hint)


def check_token_type_ids(first: str, second: str, answer: Sequence[int] | None, tokenizer: Any) -> Verdict:
    """Lesson 2: the segment ids of a sentence pair."""
    expected = tokenizer(first, second)["token_type_ids"]
    return check_answer("Token type ids", answer, expected, "0 up to and including the first [SEP], then 1.")


# Lessons 6-7 (fine-tuning, NLI) ------------------------------------------------------------


def _check_close(exercise: str, answer: Any, expected: float, tolerance: float, hint: str) -> Verdict:
    """Like check_answer, for numbers a learner may round (within ``tolerance``)."""
    if answer is None:
        print(f"{exercise}: not answered yet - replace None with your answer.")
        return Verdict(False)
    if hasattr(answer, "item"):  # a NumPy or torch scalar
        answer = answer.item()
    if isinstance(answer, (int, float)) and abs(float(answer) - expected) <= tolerance:
        print(f"{exercise}: correct!")
        return Verdict(True)
    print(f"{exercise}: not quite. You gave {answer!r}.{' Hint: ' + hint if hint else ''}")
    return Verdict(False)


def check_num_steps(n_examples: int, batch_size: int, epochs: int, answer: int | None) -> Verdict:
    """Lesson 6: how many optimizer steps a run takes."""
    import math

    expected = math.ceil(n_examples / batch_size) * epochs
    return check_answer(
        "Training steps", answer, expected, "a last, smaller batch still counts as a step: ceil(n / batch) per epoch."
    )


def check_warmup_lr(step: int, total_steps: int, warmup_steps: int, peak_lr: float, answer: float | None) -> Verdict:
    """Lesson 6: the learning rate at ``step`` of a linear warm-up then linear decay schedule."""
    if step < warmup_steps:
        expected = peak_lr * step / max(1, warmup_steps)
    else:
        expected = peak_lr * max(0.0, (total_steps - step) / max(1, total_steps - warmup_steps))
    return _check_close(
        "Learning rate",
        answer,
        expected,
        1e-3 * peak_lr,
        "up from 0 to the peak during warm-up, then a straight line down to 0 at the last step.",
    )


def check_macro_f1(labels: Sequence[int], preds: Sequence[int], answer: float | None) -> Verdict:
    """Lesson 6: macro-F1 of ``preds`` (to 3 decimals)."""
    from sklearn.metrics import f1_score

    expected = float(f1_score(list(labels), list(preds), average="macro"))
    return _check_close(
        "Macro-F1", answer, expected, 5e-4, "F1 = 2PR/(P+R) for each class, then the plain mean over classes."
    )


def check_tokens_lost(text: str, max_length: int, answer: int | None, tokenizer: Any) -> Verdict:
    """Lesson 6: how many tokens of ``text`` truncation to ``max_length`` throws away."""
    expected = max(0, len(tokenizer(text)["input_ids"]) - max_length)
    return check_answer("Tokens lost", answer, expected, "count [CLS] and [SEP] too: they always stay.")


def check_head_parameters(hidden_size: int, num_labels: int, answer: int | None) -> Verdict:
    """Lesson 6: the parameters of a linear head (weights and biases)."""
    return check_answer(
        "Head parameters",
        answer,
        hidden_size * num_labels + num_labels,
        "a weight per (hidden unit, class) plus a bias per class.",
    )


def check_hypothesis_segment(premise: str, hypothesis: str, answer: int | None, tokenizer: Any) -> Verdict:
    """Lesson 7: how many tokens of a premise/hypothesis pair get token_type_id 1."""
    expected = sum(tokenizer(premise, hypothesis)["token_type_ids"])
    return check_answer("Segment B length", answer, expected, "the hypothesis's tokens and the [SEP] that ends it.")


def check_softmax_prob(logits: Sequence[float], index: int, answer: float | None) -> Verdict:
    """Lesson 7: the probability softmax gives class ``index`` (to 3 decimals)."""
    import math

    exps = [math.exp(x - max(logits)) for x in logits]
    return _check_close(
        "Probability", answer, exps[index] / sum(exps), 5e-4, "exp of each logit, divided by their sum."
    )


def check_zero_shot_pairs(
    text: str, labels: Sequence[str], template: str, answer: Sequence[Sequence[str]] | None
) -> Verdict:
    """Lesson 7: the (premise, hypothesis) pairs zero-shot classification feeds the NLI model."""
    expected = [[text, template.format(label)] for label in labels]
    if answer is not None:
        answer = [list(pair) for pair in answer]
    return check_answer(
        "Zero-shot pairs",
        answer,
        expected,
        "one pair per label: the text is the premise, the filled template the hypothesis.",
    )


def check_phenomenon(premise: str, hypothesis: str, answer: str | None) -> Verdict:
    """Lesson 7: the primary tag course_utils.nli.tag_phenomenon gives a pair."""
    from .nli import tag_phenomenon

    return check_answer(
        "Phenomenon",
        answer,
        tag_phenomenon(premise, hypothesis),
        "go through the rules in order: negation, quantifier, word overlap, number, temporal.",
    )


# Lessons 8-9 (question answering, NER) -------------------------------------------------------


def check_answer_positions(
    question: str, context: str, answer_text: str, answer: Sequence[int] | None, tokenizer: Any
) -> Verdict:
    """Lesson 8: the (start, end) token positions of ``answer_text`` in ``tokenizer(question, context)``."""
    from .qa import answer_token_span

    enc = tokenizer(question, context, return_offsets_mapping=True)
    start_char = context.index(answer_text)
    end_char = start_char + len(answer_text)
    expected = list(answer_token_span(enc["offset_mapping"], enc.sequence_ids(), start_char, end_char))
    return check_answer(
        "Answer token positions",
        list(answer) if isinstance(answer, (tuple, list)) else answer,
        expected,
        "count from [CLS] = 0; the question and its [SEP] come first; both positions are inclusive.",
    )


def check_squad_f1(prediction: str, truth: str, answer: float | None) -> Verdict:
    """Lesson 8: the SQuAD F1 (0-1) of one prediction against one gold answer (to 2 decimals)."""
    from .qa import token_f1

    expected = token_f1(prediction, truth)
    return _check_close(
        "SQuAD F1",
        answer,
        expected,
        0.005,
        "normalise both (lower-case, drop punctuation and a/an/the), then F1 = 2PR/(P+R) over shared words.",
    )


def check_num_windows(
    question: str, context: str, max_length: int, stride: int, answer: int | None, tokenizer: Any
) -> Verdict:
    """Lesson 8: how many windows ``truncation="only_second"`` with this ``max_length``/``stride`` makes."""
    enc = tokenizer(
        question,
        context,
        truncation="only_second",
        max_length=max_length,
        stride=stride,
        return_overflowing_tokens=True,
    )
    return check_answer(
        "Number of windows",
        answer,
        len(enc["input_ids"]),
        "call the tokenizer with return_overflowing_tokens=True and count the rows of input_ids.",
    )


def check_aligned_labels(
    words: Sequence[str], tags: Sequence[str], answer: Sequence[int] | None, tokenizer: Any, label_all: bool = False
) -> Verdict:
    """Lesson 9: the sub-token labels (ids, -100 for ignored positions) of one tagged sentence."""
    from .data import NER_TAGS
    from .ner import align_labels

    enc = tokenizer(list(words), is_split_into_words=True)
    expected = align_labels(enc.word_ids(), [NER_TAGS.index(t) for t in tags], label_all=label_all)
    return check_answer(
        "Aligned labels",
        answer,
        expected,
        "-100 for [CLS]/[SEP]"
        + (", I-X for later pieces of a B-X word." if label_all else " and for every piece after a word's first."),
    )


def check_entity_spans(tags: Sequence[str], answer: Sequence[Sequence[Any]] | None) -> Verdict:
    """Lesson 9: the entities ``(type, first word, last word + 1)`` of a tag sequence, after IOB2 repair."""
    from .ner import entity_spans

    given = [tuple(span) for span in answer] if isinstance(answer, (list, tuple)) else answer
    return check_answer(
        "Entity spans",
        given,
        entity_spans(tags),
        "an I-X that does not continue an X entity starts a new entity; the end is exclusive.",
    )


def check_entity_f1(y_true: Sequence[Sequence[str]], y_pred: Sequence[Sequence[str]], answer: float | None) -> Verdict:
    """Lesson 9: the entity-level (strict) F1 of ``y_pred`` against ``y_true`` (to 2 decimals)."""
    from .ner import entity_scores

    expected = entity_scores(y_true, y_pred)["f1"]
    return _check_close(
        "Entity F1",
        answer,
        expected,
        0.005,
        "count whole entities: correct = same type and same boundaries; F1 = 2PR/(P+R).",
    )


# Lessons 3-5 (features, all layers, sentence embeddings) ------------------------------------


def _check_vector(exercise: str, answer: Any, expected: Any, tolerance: float, hint: str) -> Verdict:
    """Like check_answer, for arrays (NumPy, torch or nested lists) equal within ``tolerance``."""
    import numpy as np

    if answer is None:
        print(f"{exercise}: not answered yet - replace None with your answer.")
        return Verdict(False)
    if hasattr(answer, "detach"):  # a torch tensor
        answer = answer.detach().cpu().numpy()
    got, want = np.asarray(answer, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    if got.size == want.size and got.size > 0:
        got = got.reshape(want.shape)  # (1, d) for (d,) is fine
        if np.allclose(got, want, atol=tolerance, rtol=0):
            print(f"{exercise}: correct!")
            return Verdict(True)
        print(f"{exercise}: not quite (largest difference {np.abs(got - want).max():.3g}). Hint: {hint}")
        return Verdict(False)
    print(f"{exercise}: not quite - you gave shape {got.shape}, expected {want.shape}. Hint: {hint}")
    return Verdict(False)


def check_cls_vector(text: str, answer: Any, model: Any, tokenizer: Any) -> Verdict:
    """Lesson 3: the last layer's [CLS] vector of ``text`` (run alone, no padding)."""
    from .embeddings import embed_texts

    expected = embed_texts([text], model, tokenizer, "cls", progress=False)[0]
    return _check_vector(
        "[CLS] vector", answer, expected, 1e-4, "last_hidden_state[0, 0] of one forward pass on the tokenized text."
    )


def check_padding_share(texts: Sequence[str], answer: float | None, tokenizer: Any) -> Verdict:
    """Lesson 3: the share of [PAD] tokens when every text is padded to the longest one."""
    lengths = [len(ids) for ids in tokenizer(list(texts))["input_ids"]]
    expected = 1 - sum(lengths) / (len(lengths) * max(lengths))
    return _check_close(
        "Padding share", answer, expected, 0.005, "1 - (real tokens) / (number of texts x longest length)."
    )


def check_accuracy_from_confusion(matrix: Any, answer: float | None) -> Verdict:
    """Lesson 3: the accuracy a confusion matrix shows (correct predictions lie on its diagonal)."""
    import numpy as np

    matrix = np.asarray(matrix)
    expected = float(np.trace(matrix) / matrix.sum())
    return _check_close("Accuracy", answer, expected, 0.005, "sum of the diagonal divided by the sum of all cells.")


def check_hidden_state_shape(text: str, answer: Sequence[int] | None, model: Any, tokenizer: Any) -> Verdict:
    """Lesson 4: ``(number of hidden states, tokens, hidden size)`` for ``text`` run alone."""
    from .embeddings import num_hidden_states

    expected = [num_hidden_states(model.config), len(tokenizer(text)["input_ids"]), model.config.hidden_size]
    given = list(answer) if isinstance(answer, (list, tuple)) else answer
    return check_answer(
        "Hidden states", given, expected, "embeddings + one per layer; [CLS] and [SEP] count as tokens."
    )


def check_layer_combination(all_layers: Any, layer: str, answer: Any) -> Verdict:
    """Lesson 4: ``"concat_last4"``, ``"sum_last4"`` or ``"second_to_last"`` built from a layers x n x d array."""
    import numpy as np

    states = np.asarray(all_layers)
    expected = {
        "concat_last4": lambda: np.concatenate(list(states[-4:]), axis=-1),
        "sum_last4": lambda: states[-4:].sum(axis=0),
        "second_to_last": lambda: states[-2],
    }
    if layer not in expected:
        raise ValueError(f"layer={layer!r} is not an exercise here: use one of {sorted(expected)}.")
    return _check_vector(
        f"Layer combination {layer}",
        answer,
        expected[layer](),
        1e-3,
        "index the first axis (layers) from the end: [-4:] are the last four.",
    )


def check_word_cosine(
    text_a: str, text_b: str, word: str, layer: int, answer: float | None, model: Any, tokenizer: Any
) -> Verdict:
    """Lesson 4: the cosine similarity of ``word``'s vectors in two sentences at hidden state ``layer``."""
    from .embeddings import paired_cosine, word_vectors

    a = word_vectors(text_a, word, model, tokenizer)[layer]
    b = word_vectors(text_b, word, model, tokenizer)[layer]
    expected = float(paired_cosine(a, b))
    hint = "word_vectors(...)[layer] for each sentence, then cosine."
    return _check_close("Word cosine", answer, expected, 0.005, hint)


def check_masked_mean(hidden: Any, attention_mask: Any, answer: Any) -> Verdict:
    """Lesson 5: mean pooling of a padded batch (batch x tokens x dim) that ignores the padding."""
    import numpy as np

    h = np.asarray(hidden.detach().cpu() if hasattr(hidden, "detach") else hidden, dtype=np.float64)
    m = np.asarray(attention_mask.cpu() if hasattr(attention_mask, "cpu") else attention_mask, dtype=np.float64)
    expected = (h * m[..., None]).sum(axis=-2) / m.sum(axis=-1, keepdims=True)
    return _check_vector(
        "Masked mean", answer, expected, 1e-4, "multiply by the mask, sum over tokens, divide by the mask's sum."
    )


def check_spearman(gold: Sequence[float], predicted: Sequence[float], answer: float | None) -> Verdict:
    """Lesson 5: Spearman's rank correlation between gold scores and predicted similarities."""
    from scipy.stats import spearmanr

    expected = float(spearmanr(gold, predicted).statistic)
    hint = "rank both lists, then take the Pearson correlation of the ranks."
    return _check_close("Spearman correlation", answer, expected, 0.005, hint)


def check_nearest_intent(
    query: str, answer: str | None, texts: Sequence[str], intents: Sequence[str], model: Any
) -> Verdict:
    """Lesson 5: the intent of the utterance most similar (cosine) to ``query``, with a SentenceTransformer."""
    import numpy as np

    vectors = model.encode([query, *texts], normalize_embeddings=True)
    expected = intents[int(np.argmax(vectors[1:] @ vectors[0]))]
    return check_answer(
        "Nearest intent", answer, expected, "encode the query and the utterances, take the highest cosine's intent."
    )
