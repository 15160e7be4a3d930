"""Checkers for the notebooks' exercises: each prints a verdict and returns a truthy/falsy ``Verdict``.

An unanswered exercise (``answer is None``) prints a reminder instead of failing, so a
notebook runs top to bottom before the learner has done anything. A learner's answer never
raises: a wrong one gets a hint, a malformed one (wrong type or shape, an impossible value) is
told what shape the answer must have. The exercise's own arguments (the text, the tokenizer,
the batch size ...) are checked and refused with a ``TypeError``/``ValueError``.
"""

from __future__ import annotations

import math
import reprlib
from collections.abc import Iterable, Sequence
from numbers import Integral, Real
from typing import Any

import numpy as np

from . import checks


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


# Verdicts --------------------------------------------------------------------------------------


def _not_answered(exercise: str) -> Verdict:
    print(f"{exercise}: not answered yet - replace None with your answer.")
    return Verdict(False)


def _correct(exercise: str) -> Verdict:
    print(f"{exercise}: correct!")
    return Verdict(True)


def _wrong(exercise: str, answer: Any, hint: str) -> Verdict:
    print(f"{exercise}: not quite. You gave {answer!r}.{' Hint: ' + hint if hint else ''}")
    return Verdict(False)


def _malformed(exercise: str, answer: Any, shape: str) -> Verdict:
    print(f"{exercise}: not quite - your answer must be {shape}; you gave {_given(answer)}.")
    return Verdict(False)


def _given(answer: Any) -> str:
    name = type(answer).__name__
    kind = "one string" if isinstance(answer, str) else f"{'an' if name[0] in 'aeiou' else 'a'} {name}"
    if getattr(answer, "ndim", 0):
        return f"{kind} of shape {tuple(answer.shape)}"
    return f"{kind}, {reprlib.repr(answer)}"


# The answer's shape, read from the expected answer ---------------------------------------------


def _plain(value: Any) -> Any:
    """NumPy/torch values (and lists of them) as plain Python numbers and lists."""
    if hasattr(value, "tolist") and not isinstance(value, (list, tuple, str)):
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        return type(value)(_plain(v) for v in value)
    return value


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "True/False"
    if isinstance(value, Integral):
        return "int"
    if isinstance(value, Real):
        return "number"
    if isinstance(value, str):
        return "string"
    return type(value).__name__


def _plural(value: Any) -> str:
    if isinstance(value, tuple):
        return f"({', '.join(_kind(v) for v in value)}) tuples"
    if isinstance(value, list):
        return f"lists of {_plural(value[0])}" if value and _uniform(value) else "lists"
    return "True/False values" if isinstance(value, bool) else _kind(value) + "s"


def _describe(expected: Any) -> str:
    """What an answer shaped like ``expected`` is: 'an int', 'a list of strings', ..."""
    if isinstance(expected, tuple):
        return f"a tuple ({', '.join(_kind(v) for v in expected)})"
    if isinstance(expected, list):
        if not expected:
            return "a list"
        if _uniform(expected):
            return f"a list of {_plural(expected[0])}"
        return f"a list like [{', '.join(_kind(v) for v in expected)}]"
    kind = _kind(expected)
    return {"True/False": "True or False", "int": "an int (a whole number)"}.get(kind, f"a {kind}")


def _uniform(items: list) -> bool:
    """A list whose items all have the first one's shape (then one item shows them all)."""
    return all(_fits(item, items[0]) for item in items[1:])


def _fits(answer: Any, expected: Any) -> bool:
    """Whether ``answer`` (plain Python values) has ``expected``'s type and structure, not its value.
    Lists and tuples stand for each other; a tuple's items are checked one by one."""
    if isinstance(expected, bool):
        return isinstance(answer, bool)
    if isinstance(expected, Real):
        if isinstance(answer, bool) or not isinstance(answer, Real) or not math.isfinite(answer):
            return False
        return float(answer).is_integer() if isinstance(expected, Integral) else True
    if isinstance(expected, str):
        return isinstance(answer, str)
    if isinstance(expected, (list, tuple)):
        if not isinstance(answer, (list, tuple)):
            return False
        if isinstance(expected, list) and expected and _uniform(expected):
            return all(_fits(item, expected[0]) for item in answer)
        if isinstance(expected, tuple) or len(answer) == len(expected):
            return len(answer) == len(expected) and all(_fits(a, e) for a, e in zip(answer, expected, strict=True))
    return True


def _same(answer: Any, expected: Any) -> bool:
    """Equal, with floats compared within a relative 1e-6 (0.1 + 0.2 is 0.3)."""
    if isinstance(expected, (list, tuple)):
        return (
            isinstance(answer, (list, tuple))
            and len(answer) == len(expected)
            and all(_same(a, e) for a, e in zip(answer, expected, strict=True))
        )
    if isinstance(answer, bool) or isinstance(expected, bool):
        return answer == expected
    numbers = isinstance(answer, Real) and isinstance(expected, Real)
    if numbers and (isinstance(answer, float) or isinstance(expected, float)):
        return math.isclose(answer, expected, rel_tol=1e-6, abs_tol=1e-9)
    return answer == expected


def check_answer(
    exercise: str,
    answer: Any,
    expected: Any,
    hint: str = "",
    *,
    shape: str = "",
    choices: Iterable[Any] | None = None,
) -> Verdict:
    """Compare ``answer`` with ``expected`` and say so; ``hint`` is shown when they differ.

    Floats are compared within a relative 1e-6 (and 1e-9 absolute), lists and tuples item by
    item. An answer of the wrong type or structure (one string for a list, 0.5 for an int, ...)
    is told to be ``shape`` (by default described from ``expected``); with ``choices``, an
    answer outside them is told to be one of them.
    """
    exercise = checks.text("exercise", exercise)
    hint = checks.text("hint", hint, empty=True)
    shape = checks.text("shape", shape, empty=True)
    if expected is None:
        raise ValueError("expected is None: pass the right answer to compare with.")
    if answer is None:
        return _not_answered(exercise)
    given, expected = _plain(answer), _plain(expected)
    if not _fits(given, expected):
        return _malformed(exercise, answer, shape or _describe(expected))
    if choices is not None:
        choices = list(choices)
        if not any(_same(given, choice) for choice in choices):
            return _malformed(exercise, answer, f"one of {choices}")
    if _same(given, expected):
        return _correct(exercise)
    return _wrong(exercise, answer, hint)


def _check_close(
    exercise: str,
    answer: Any,
    expected: float,
    tolerance: float,
    hint: str,
    minimum: float | None = None,
    maximum: float | None = None,
) -> Verdict:
    """Like check_answer, for numbers a learner may round (within ``tolerance``) that lie in
    [minimum, maximum]."""
    if answer is None:
        return _not_answered(exercise)
    if hasattr(answer, "item") and math.prod(getattr(answer, "shape", ())) == 1:  # a NumPy or torch scalar
        answer = answer.item()
    if isinstance(answer, bool) or not isinstance(answer, Real) or not math.isfinite(answer):
        return _malformed(exercise, answer, "one number, e.g. 0.25")
    if (minimum is not None and answer < minimum) or (maximum is not None and answer > maximum):
        low = "" if minimum is None else f"{minimum:g}"
        shape = f"a number >= {low}" if maximum is None else f"a number between {low} and {maximum:g}"
        if maximum == 1 and 1 < answer <= 100:
            shape += " (a fraction, not a percentage)"
        return _malformed(exercise, answer, shape)
    # a value rounded as asked may be off by exactly the tolerance: allow for float error there
    if abs(float(answer) - expected) <= tolerance * (1 + 1e-6):
        return _correct(exercise)
    return _wrong(exercise, answer, hint)


def _check_vector(exercise: str, answer: Any, expected: Any, tolerance: float, hint: str) -> Verdict:
    """Like check_answer, for arrays (NumPy, torch or nested lists) equal within ``tolerance``."""
    if answer is None:
        return _not_answered(exercise)
    want = np.asarray(expected, dtype=np.float64)
    shape = f"an array of numbers of shape {want.shape}"
    if hasattr(answer, "detach"):  # a torch tensor
        answer = answer.detach().cpu().float().numpy()
    if isinstance(answer, (str, bytes, dict)):
        return _malformed(exercise, answer, shape)
    try:
        got = np.asarray(answer, dtype=np.float64)
    except (TypeError, ValueError):
        return _malformed(exercise, answer, shape + " (rows of equal length, numbers only)")
    if got.size == 0 or np.squeeze(got).shape != np.squeeze(want).shape:
        print(f"{exercise}: not quite - you gave shape {got.shape}, expected {want.shape}. Hint: {hint}")
        return Verdict(False)
    got = got.reshape(want.shape)  # (1, d) for (d,) is fine
    if np.allclose(got, want, atol=tolerance, rtol=0):
        return _correct(exercise)
    print(f"{exercise}: not quite (largest difference {np.abs(got - want).max():.3g}). Hint: {hint}")
    return Verdict(False)


# Arguments of the exercises (not the learner's answer) -----------------------------------------


def _numbers(name: str, value: Any, least: int = 1) -> np.ndarray:
    """A flat list of at least ``least`` finite numbers."""
    values = checks.array(name, value, ndim=1)
    if len(values) < least:
        raise ValueError(f"{name} has {len(values)} value(s): pass at least {least}.")
    if not np.isfinite(values).all():
        raise ValueError(f"{name} contains NaN or infinity: pass finite numbers.")
    return values


# Lesson 1 ------------------------------------------------------------------------------


def check_wordpieces(text: str, answer: Sequence[str] | None, tokenizer: Any) -> Verdict:
    """Lesson 1: the WordPiece tokens of ``text`` (without [CLS]/[SEP])."""
    text = checks.text("text", text)
    checks.tokenizer("tokenizer", tokenizer)
    return check_answer(
        "WordPiece tokens",
        answer,
        tokenizer.tokenize(text),
        "lower-case, split off punctuation, then take the longest vocabulary match from the left.",
        shape="a list of token strings, e.g. ['hello', '##s']",
    )


def check_pair_ids(first: str, second: str, max_length: int, answer: Sequence[int] | None, tokenizer: Any) -> Verdict:
    """Lesson 1: the padded ``input_ids`` of a sentence pair."""
    first, second = checks.text("first", first), checks.text("second", second)
    checks.tokenizer("tokenizer", tokenizer)
    # below [CLS] + 2 x [SEP] the tokenizer would silently not truncate at all
    max_length = checks.integer("max_length", max_length, minimum=tokenizer.num_special_tokens_to_add(pair=True))
    expected = tokenizer(first, second, padding="max_length", truncation=True, max_length=max_length)["input_ids"]
    return check_answer(
        "Pair input ids",
        answer,
        expected,
        "[CLS] first [SEP] second [SEP], then [PAD] (id 0).",
        shape="a list of token ids (ints), e.g. [101, 7592, 102]",
    )


# Lesson 2 ------------------------------------------------------------------------------


def check_padded_length(texts: Sequence[str], answer: int | None, tokenizer: Any) -> Verdict:
    """Lesson 2: the length of a batch padded with ``padding=True``."""
    texts = checks.text_list("texts", texts)
    checks.tokenizer("tokenizer", tokenizer)
    expected = len(tokenizer(texts, padding=True)["input_ids"][0])
    return check_answer("Padded length", answer, expected, "the longest sentence's tokens plus [CLS] and [SEP].")


def check_attention_mask(texts: Sequence[str], answer: Sequence[Sequence[int]] | None, tokenizer: Any) -> Verdict:
    """Lesson 2: the attention mask of a batch padded with ``padding=True``."""
    texts = checks.text_list("texts", texts)
    checks.tokenizer("tokenizer", tokenizer)
    expected = tokenizer(texts, padding=True)["attention_mask"]
    hint = "1 for every real token ([CLS] and [SEP] too), 0 for [PAD]."
    return check_answer(
        "Attention mask", answer, expected, hint, shape="a list of rows of 0s and 1s, one row per text"
    )


def check_token_type_ids(first: str, second: str, answer: Sequence[int] | None, tokenizer: Any) -> Verdict:
    """Lesson 2: the segment ids of a sentence pair."""
    first, second = checks.text("first", first), checks.text("second", second)
    checks.tokenizer("tokenizer", tokenizer)
    expected = tokenizer(first, second)["token_type_ids"]
    return check_answer(
        "Token type ids",
        answer,
        expected,
        "0 up to and including the first [SEP], then 1.",
        shape="a list of 0s and 1s, one per token",
    )


# Lessons 6-7 (fine-tuning, NLI) ------------------------------------------------------------


def check_num_steps(n_examples: int, batch_size: int, epochs: int, answer: int | None) -> Verdict:
    """Lesson 6: how many optimizer steps a run takes."""
    n_examples = checks.integer("n_examples", n_examples, minimum=1)
    batch_size = checks.integer("batch_size", batch_size, minimum=1)
    epochs = checks.integer("epochs", epochs, minimum=1)
    expected = math.ceil(n_examples / batch_size) * epochs
    return check_answer(
        "Training steps", answer, expected, "a last, smaller batch still counts as a step: ceil(n / batch) per epoch."
    )


def check_warmup_lr(step: int, total_steps: int, warmup_steps: int, peak_lr: float, answer: float | None) -> Verdict:
    """Lesson 6: the learning rate at ``step`` of a linear warm-up then linear decay schedule.

    ``warmup_steps`` is a number of steps (an int), not a fraction of ``total_steps``.
    """
    total_steps = checks.integer("total_steps", total_steps, minimum=1)
    step = checks.integer("step", step, minimum=0, maximum=total_steps)
    if isinstance(warmup_steps, float) and 0 < warmup_steps < 1:
        raise TypeError(
            f"warmup_steps={warmup_steps} is a fraction: pass a number of steps (an int), "
            f"e.g. round({warmup_steps} * total_steps) = {round(warmup_steps * total_steps)}."
        )
    warmup_steps = checks.integer("warmup_steps", warmup_steps, minimum=0, maximum=total_steps)
    peak_lr = checks.number("peak_lr", peak_lr, minimum=0)
    if peak_lr == 0:
        raise ValueError("peak_lr=0 gives a learning rate of 0 at every step: pass the peak, e.g. 1e-4.")
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
        minimum=0,
    )


def check_macro_f1(labels: Sequence[int], preds: Sequence[int], answer: float | None) -> Verdict:
    """Lesson 6: macro-F1 of ``preds`` (to 3 decimals)."""
    from sklearn.metrics import f1_score

    labels, preds = checks.class_ids("labels", labels), checks.class_ids("preds", preds)
    checks.same_length(("labels", "preds"), labels, preds)
    expected = float(f1_score(labels, preds, average="macro"))
    return _check_close(
        "Macro-F1",
        answer,
        expected,
        5e-4,
        "F1 = 2PR/(P+R) for each class, then the plain mean over classes.",
        minimum=0,
        maximum=1,
    )


def check_tokens_lost(text: str, max_length: int, answer: int | None, tokenizer: Any) -> Verdict:
    """Lesson 6: how many tokens of ``text`` truncation to ``max_length`` throws away."""
    text = checks.text("text", text)
    checks.tokenizer("tokenizer", tokenizer)
    max_length = checks.integer("max_length", max_length, minimum=tokenizer.num_special_tokens_to_add())
    expected = max(0, len(tokenizer(text)["input_ids"]) - max_length)
    return check_answer("Tokens lost", answer, expected, "count [CLS] and [SEP] too: they always stay.")


def check_head_parameters(hidden_size: int, num_labels: int, answer: int | None) -> Verdict:
    """Lesson 6: the parameters of a linear head (weights and biases)."""
    hidden_size = checks.integer("hidden_size", hidden_size, minimum=1)
    num_labels = checks.integer("num_labels", num_labels, minimum=1)
    return check_answer(
        "Head parameters",
        answer,
        hidden_size * num_labels + num_labels,
        "a weight per (hidden unit, class) plus a bias per class.",
    )


def check_hypothesis_segment(premise: str, hypothesis: str, answer: int | None, tokenizer: Any) -> Verdict:
    """Lesson 7: how many tokens of a premise/hypothesis pair get token_type_id 1."""
    premise, hypothesis = checks.text("premise", premise), checks.text("hypothesis", hypothesis)
    checks.tokenizer("tokenizer", tokenizer)
    expected = sum(tokenizer(premise, hypothesis)["token_type_ids"])
    return check_answer("Segment B length", answer, expected, "the hypothesis's tokens and the [SEP] that ends it.")


def check_softmax_prob(logits: Sequence[float], index: int, answer: float | None) -> Verdict:
    """Lesson 7: the probability softmax gives class ``index`` (to 3 decimals)."""
    values = _numbers("logits", logits).tolist()
    index = checks.integer("index", index, minimum=0, maximum=len(values) - 1)
    exps = [math.exp(x - max(values)) for x in values]
    return _check_close(
        "Probability",
        answer,
        exps[index] / sum(exps),
        5e-4,
        "exp of each logit, divided by their sum.",
        minimum=0,
        maximum=1,
    )


def check_zero_shot_pairs(
    text: str, labels: Sequence[str], template: str, answer: Sequence[Sequence[str]] | None
) -> Verdict:
    """Lesson 7: the (premise, hypothesis) pairs zero-shot classification feeds the NLI model."""
    text = checks.text("text", text)
    labels = checks.text_list("labels", labels)
    template = checks.text("template", template)
    if "{}" not in template:
        raise ValueError(f"template={template!r} has no {{}}: mark where the label goes, e.g. 'It is about {{}}.'")
    try:
        expected = [[text, template.format(label)] for label in labels]
    except (IndexError, KeyError, ValueError):
        raise ValueError(
            f"template={template!r} must have one {{}} and no other braces, e.g. 'This text is about {{}}.'"
        ) from None
    return check_answer(
        "Zero-shot pairs",
        answer,
        expected,
        "one pair per label: the text is the premise, the filled template the hypothesis.",
        shape="a list of (premise, hypothesis) pairs of strings, one pair per label",
    )


def check_phenomenon(premise: str, hypothesis: str, answer: str | None) -> Verdict:
    """Lesson 7: the primary tag course_utils.nli.tag_phenomenon gives a pair."""
    from .nli import TAGS, tag_phenomenon

    premise, hypothesis = checks.text("premise", premise), checks.text("hypothesis", hypothesis)
    return check_answer(
        "Phenomenon",
        answer,
        tag_phenomenon(premise, hypothesis),
        "go through the rules in order: negation, quantifier, word overlap, number, temporal.",
        choices=TAGS,
    )


# Lessons 8-9 (question answering, NER) -------------------------------------------------------


def check_answer_positions(
    question: str, context: str, answer_text: str, answer: Sequence[int] | None, tokenizer: Any
) -> Verdict:
    """Lesson 8: the (start, end) token positions of ``answer_text`` in ``tokenizer(question, context)``."""
    from .qa import answer_token_span

    question, context = checks.text("question", question), checks.text("context", context)
    answer_text = checks.text("answer_text", answer_text)
    checks.fast_tokenizer("tokenizer", tokenizer, "for offsets and word ids")
    if answer_text not in context:
        raise ValueError(f"answer_text={answer_text!r} does not occur in context: pass a piece of the context.")
    enc = tokenizer(question, context, return_offsets_mapping=True)
    start_char = context.index(answer_text)
    end_char = start_char + len(answer_text)
    expected = list(answer_token_span(enc["offset_mapping"], enc.sequence_ids(), start_char, end_char))
    return check_answer(
        "Answer token positions",
        answer,
        expected,
        "count from [CLS] = 0; the question and its [SEP] come first; both positions are inclusive.",
        shape="two token positions (start, end), e.g. (12, 14)",
    )


def check_squad_f1(prediction: str, truth: str, answer: float | None) -> Verdict:
    """Lesson 8: the SQuAD F1 (0-1) of one prediction against one gold answer (to 2 decimals)."""
    from .qa import token_f1

    prediction = checks.text("prediction", prediction, empty=True)
    truth = checks.text("truth", truth)
    expected = token_f1(prediction, truth)
    return _check_close(
        "SQuAD F1",
        answer,
        expected,
        0.005,
        "normalise both (lower-case, drop punctuation and a/an/the), then F1 = 2PR/(P+R) over shared words.",
        minimum=0,
        maximum=1,
    )


def check_num_windows(
    question: str, context: str, max_length: int, stride: int, answer: int | None, tokenizer: Any
) -> Verdict:
    """Lesson 8: how many windows ``truncation="only_second"`` with this ``max_length``/``stride`` makes."""
    question, context = checks.text("question", question), checks.text("context", context)
    checks.tokenizer("tokenizer", tokenizer)
    max_length = checks.integer("max_length", max_length, minimum=1)
    stride = checks.integer("stride", stride, minimum=0)
    room = max_length - len(tokenizer(question)["input_ids"]) - 1  # [CLS] question [SEP] ... [SEP]
    if room < 1:
        raise ValueError(
            f"max_length={max_length} leaves no room for the context after the question and the special tokens: "
            f"pass a larger max_length."
        )
    if stride >= room:
        raise ValueError(
            f"stride={stride} must be smaller than the context's room in a window ({room} tokens with "
            f"max_length={max_length}): pass a smaller stride."
        )
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

    words, tags = checks.text_list("words", words), checks.text_list("tags", tags)
    checks.same_length(("words", "tags"), words, tags)
    for tag in tags:
        checks.one_of("tags", tag, NER_TAGS)
    checks.fast_tokenizer("tokenizer", tokenizer, "for offsets and word ids")
    if not isinstance(label_all, (bool, np.bool_)):
        raise TypeError(f"label_all must be True or False, not {type(label_all).__name__} ({label_all!r}).")
    enc = tokenizer(words, is_split_into_words=True)
    expected = align_labels(enc.word_ids(), [NER_TAGS.index(t) for t in tags], label_all=bool(label_all))
    return check_answer(
        "Aligned labels",
        answer,
        expected,
        "-100 for [CLS]/[SEP]"
        + (", I-X for later pieces of a B-X word." if label_all else " and for every piece after a word's first."),
        shape="a list of label ids (ints, -100 for ignored positions), one per token",
    )


def check_entity_spans(tags: Sequence[str], answer: Sequence[Sequence[Any]] | None) -> Verdict:
    """Lesson 9: the entities ``(type, first word, last word + 1)`` of a tag sequence, after IOB2 repair.

    Tags with no entity (all 'O', or none) have the answer [].
    """
    from .ner import entity_spans

    tags = checks.text_list("tags", tags, empty=True)
    return check_answer(
        "Entity spans",
        answer,
        entity_spans(tags),
        "an I-X that does not continue an X entity starts a new entity; the end is exclusive.",
        shape="a list of (type, start, end) tuples, e.g. [('PER', 0, 2)]",
    )


def check_entity_f1(y_true: Sequence[Sequence[str]], y_pred: Sequence[Sequence[str]], answer: float | None) -> Verdict:
    """Lesson 9: the entity-level (strict) F1 of ``y_pred`` against ``y_true`` (to 2 decimals)."""
    from .ner import entity_scores

    expected = entity_scores(y_true, y_pred)["f1"]  # checks the tag lists
    return _check_close(
        "Entity F1",
        answer,
        expected,
        0.005,
        "count whole entities: correct = same type and same boundaries; F1 = 2PR/(P+R).",
        minimum=0,
        maximum=1,
    )


# Lessons 3-5 (features, all layers, sentence embeddings) ------------------------------------


def check_cls_vector(text: str, answer: Any, model: Any, tokenizer: Any) -> Verdict:
    """Lesson 3: the last layer's [CLS] vector of ``text`` (run alone, no padding)."""
    from .embeddings import embed_texts

    text = checks.text("text", text)
    checks.model("model", model)
    checks.tokenizer("tokenizer", tokenizer)
    expected = embed_texts([text], model, tokenizer, "cls", progress=False)[0]
    return _check_vector(
        "[CLS] vector", answer, expected, 1e-4, "last_hidden_state[0, 0] of one forward pass on the tokenized text."
    )


def check_padding_share(texts: Sequence[str], answer: float | None, tokenizer: Any) -> Verdict:
    """Lesson 3: the share of [PAD] tokens when every text is padded to the longest one."""
    texts = checks.text_list("texts", texts)
    checks.tokenizer("tokenizer", tokenizer)
    lengths = [len(ids) for ids in tokenizer(texts)["input_ids"]]
    expected = 1 - sum(lengths) / (len(lengths) * max(lengths))
    return _check_close(
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
    return _check_close(
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
    return _check_vector(
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
    return _check_close("Word cosine", answer, expected, 0.005, hint, minimum=-1, maximum=1)


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
    return _check_vector(
        "Masked mean", answer, expected, 1e-4, "multiply by the mask, sum over tokens, divide by the mask's sum."
    )


def check_spearman(gold: Sequence[float], predicted: Sequence[float], answer: float | None) -> Verdict:
    """Lesson 5: Spearman's rank correlation between gold scores and predicted similarities."""
    from scipy.stats import spearmanr

    gold, predicted = _numbers("gold", gold, least=2), _numbers("predicted", predicted, least=2)
    checks.same_length(("gold", "predicted"), gold, predicted)
    for name, values in (("gold", gold), ("predicted", predicted)):
        if np.ptp(values) == 0:
            raise ValueError(f"{name} has the same value everywhere: a rank correlation needs values that differ.")
    expected = float(spearmanr(gold, predicted).statistic)
    hint = "rank both lists, then take the Pearson correlation of the ranks."
    return _check_close("Spearman correlation", answer, expected, 0.005, hint, minimum=-1, maximum=1)


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


# Lesson 10 -----------------------------------------------------------------------------------


def check_int8_weights(weights: Sequence[float], answer: Any) -> Verdict:
    """Lesson 10: symmetric int8 quantization of a row of weights: round(w / scale), scale = max|w| / 127."""
    w = _numbers("weights", weights)
    if not np.abs(w).max() > 0:
        raise ValueError("weights are all zero: pass some non-zero weights (there would be no scale).")
    expected = np.round(w / (np.abs(w).max() / 127))
    return _check_vector(
        "int8 weights", answer, expected, 0.5, "divide by the scale (the largest |w| over 127), then round."
    )


def check_model_megabytes(parameters: int, bytes_per_parameter: int, answer: float | None) -> Verdict:
    """Lesson 10: a model's weights on disk, in MB (10^6 bytes), to one decimal."""
    parameters = checks.integer("parameters", parameters, minimum=1)
    width = checks.one_of("bytes_per_parameter", bytes_per_parameter, (1, 2, 4))
    return _check_close(
        "Size on disk", answer, parameters * width / 1e6, 0.05, "parameters x bytes each, divided by 10^6.",
        minimum=0,
    )


def check_percentile(times_ms: Sequence[float], q: float, answer: float | None) -> Verdict:
    """Lesson 10: the ``q``-th percentile of a list of latencies (NumPy's default, linear interpolation)."""
    times = _numbers("times_ms", times_ms, least=2)
    q = checks.number("q", q, minimum=0, maximum=100)
    return _check_close(
        f"p{q:g}", answer, float(np.percentile(times, q)), 0.005,
        "sort the times; the value at position q/100 x (n - 1), interpolating between neighbours.", minimum=0,
    )
