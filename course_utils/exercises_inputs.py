"""Exercise checkers of lessons 1-2 (tokenization by hand, padding and masks)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from . import checks
from .exercises import Verdict, check_answer


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
