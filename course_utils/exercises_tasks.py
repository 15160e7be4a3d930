"""Exercise checkers of lessons 7-9 (NLI, question answering, NER)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from . import checks
from .exercises import Verdict, check_answer, check_close


def check_hypothesis_segment(premise: str, hypothesis: str, answer: int | None, tokenizer: Any) -> Verdict:
    """Lesson 7: how many tokens of a premise/hypothesis pair get token_type_id 1."""
    premise, hypothesis = checks.text("premise", premise), checks.text("hypothesis", hypothesis)
    checks.tokenizer("tokenizer", tokenizer)
    expected = sum(tokenizer(premise, hypothesis)["token_type_ids"])
    return check_answer("Segment B length", answer, expected, "the hypothesis's tokens and the [SEP] that ends it.")


def check_softmax_prob(logits: Sequence[float], index: int, answer: float | None) -> Verdict:
    """Lesson 7: the probability softmax gives class ``index`` (to 3 decimals)."""
    values = checks.finite_numbers("logits", logits).tolist()
    index = checks.integer("index", index, minimum=0, maximum=len(values) - 1)
    exps = [math.exp(x - max(values)) for x in values]
    return check_close(
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




def check_answer_positions(
    question: str, context: str, answer_text: str, answer: Sequence[int] | None, tokenizer: Any
) -> Verdict:
    """Lesson 8: the (start, end) token positions of ``answer_text`` in ``tokenizer(question, context)``."""
    from .qa_features import answer_token_span

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
    from .squad_metrics import token_f1

    prediction = checks.text("prediction", prediction, empty=True)
    truth = checks.text("truth", truth)
    expected = token_f1(prediction, truth)
    return check_close(
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
    from .entities import entity_spans

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
    from .entities import entity_scores

    expected = entity_scores(y_true, y_pred)["f1"]  # checks the tag lists
    return check_close(
        "Entity F1",
        answer,
        expected,
        0.005,
        "count whole entities: correct = same type and same boundaries; F1 = 2PR/(P+R).",
        minimum=0,
        maximum=1,
    )
