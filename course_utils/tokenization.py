"""A BERT tokenizer written from scratch (lesson 1), and the input builder of lessons 1-2.

It follows the steps of the library's fast BERT tokenizer so its tokens and ids match it
exactly (``tests/test_tokenization.py`` checks thousands of sentences):

1. special tokens written in the text (``[SEP]``...) are kept whole;
2. normalise: drop control characters, turn every kind of white space into a space, put
   spaces around CJK characters, strip accents and lower-case (uncased vocabularies);
3. split on white space and around every punctuation character;
4. WordPiece: greedy longest-match-first with ``##`` continuations, ``[UNK]`` for words
   that cannot be spelled with the vocabulary or are longer than 100 characters.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import checks

SPECIAL_TOKENS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")
_CJK_RANGES = (
    (0x4E00, 0x9FFF),
    (0x3400, 0x4DBF),
    (0x20000, 0x2A6DF),
    (0x2A700, 0x2B73F),
    (0x2B740, 0x2B81F),
    (0x2B820, 0x2CEAF),
    (0xF900, 0xFAFF),
    (0x2F800, 0x2FA1F),
)
_ASCII_PUNCTUATION = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")


def _one_char(char: Any) -> str:
    checks.text("char", char, empty=True)
    if len(char) != 1:
        raise ValueError(f"char must be one character, not {len(char)} ({char[:20]!r}): test a text char by char.")
    return char


def is_punctuation(char: str) -> bool:
    """ASCII symbols count as punctuation too (``$``, ``+``, ``^``...), as in BERT."""
    return _is_punctuation(_one_char(char))


def is_cjk(char: str) -> bool:
    """True for CJK ideographs, which BERT treats as words of one character."""
    return _is_cjk(_one_char(char))


def _is_punctuation(char: str) -> bool:
    return char in _ASCII_PUNCTUATION or unicodedata.category(char).startswith("P")


def _is_cjk(char: str) -> bool:
    code = ord(char)
    return any(low <= code <= high for low, high in _CJK_RANGES)


def _is_control(char: str) -> bool:
    return char not in "\t\n\r" and unicodedata.category(char).startswith("C")


def normalize(text: str, lowercase: bool = True) -> str:
    """Step 2: clean, space out CJK characters, and for uncased models strip accents and lower-case."""
    checks.text("text", text, empty=True)
    checks.one_of("lowercase", lowercase, (True, False))
    chars = []
    for char in text:
        if char in ("\x00", "\ufffd") or _is_control(char):
            continue
        if char.isspace():
            chars.append(" ")
        elif _is_cjk(char):
            chars.append(f" {char} ")
        else:
            chars.append(char)
    text = "".join(chars)
    if lowercase:
        text = "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")
        text = "".join(c.lower() for c in text)  # character by character, as the fast tokenizer does
    return text


def pre_tokenize(text: str) -> list[str]:
    """Step 3: split a normalised text on white space and around punctuation."""
    checks.text("text", text, empty=True)
    words: list[str] = []
    for chunk in text.split():
        current = ""
        for char in chunk:
            if _is_punctuation(char):
                if current:
                    words.append(current)
                    current = ""
                words.append(char)
            else:
                current += char
        if current:
            words.append(current)
    return words


def load_vocab(path: str | Path) -> dict[str, int]:
    """Read a ``vocab.txt`` (one token per line; the line number is the id), or the one in a model folder."""
    path = checks.output_path("path", path)  # a str or Path, not '' (that would be the current folder)
    if path.is_dir():
        path = path / "vocab.txt"
    if not path.is_file():
        raise FileNotFoundError(f"vocab file {path} does not exist: pass a vocab.txt or the model directory.")
    if path.suffix == ".json":
        raise ValueError(f"path={str(path)!r} is a JSON file: pass the vocab.txt next to it, or the model directory.")
    tokens = path.read_text(encoding="utf-8").split("\n")
    if tokens and tokens[-1] == "":
        tokens.pop()
    if not tokens:
        raise ValueError(f"vocab file {path} is empty: pass the model's vocab.txt.")
    return {token: index for index, token in enumerate(tokens)}


@dataclass(frozen=True)
class WordPieceStep:
    """One step of the greedy search in :meth:`BertTokenizerFromScratch.wordpiece_steps`."""

    start: int
    piece: str  # the longest vocabulary entry found from ``start`` ("" if none)


class BertTokenizerFromScratch:
    """Lesson 1's tokenizer: basic tokenization + WordPiece, reading a ``vocab.txt``."""

    def __init__(
        self,
        vocab: Mapping[str, int] | str | Path,
        *,
        lowercase: bool = True,
        unk_token: str = "[UNK]",
        max_chars_per_word: int = 100,
    ) -> None:
        if isinstance(vocab, (str, Path)):
            vocab = load_vocab(vocab)
        if not isinstance(vocab, Mapping):
            hint = " (that is a tokenizer: pass tokenizer.get_vocab())" if hasattr(vocab, "get_vocab") else ""
            raise TypeError(
                f"vocab must be a mapping token -> id or a path to vocab.txt, not {type(vocab).__name__}{hint}."
            )
        if not vocab:
            raise ValueError("vocab is empty: pass the model's vocab.txt (for example model_dir / 'vocab.txt').")
        checks.one_of("lowercase", lowercase, (True, False))
        checks.text("unk_token", unk_token)
        max_chars_per_word = checks.integer("max_chars_per_word", max_chars_per_word, minimum=1)
        if unk_token not in vocab:
            raise ValueError(f"unk_token={unk_token!r} is not in the vocabulary: pass the vocabulary's unknown token.")
        self.vocab: dict[str, int] = dict(vocab)
        self.ids_to_tokens = {index: token for token, index in self.vocab.items()}
        self.lowercase = lowercase
        self.unk_token = unk_token
        self.max_chars_per_word = max_chars_per_word
        specials = [t for t in SPECIAL_TOKENS if t in self.vocab]
        self._special_pattern = re.compile("(" + "|".join(re.escape(t) for t in specials) + ")") if specials else None

    def wordpiece_steps(self, word: str) -> list[WordPieceStep]:
        """The greedy longest-match-first search on one word, step by step (for the lesson)."""
        steps = []
        start = 0
        while start < len(word):
            end = len(word)
            piece = ""
            while start < end:
                candidate = word[start:end] if start == 0 else "##" + word[start:end]
                if candidate in self.vocab:
                    piece = candidate
                    break
                end -= 1
            steps.append(WordPieceStep(start, piece))
            if not piece:
                break
            start = end
        return steps

    def wordpiece(self, word: str) -> list[str]:
        """Step 4 on one word: its pieces, or ``[UNK]`` when some part cannot be matched.

        ``word`` is one word as steps 2-3 leave it (``pre_tokenize(normalize(text))``); anything
        else (a sentence, "Hello", "don't") is refused, since its pieces would be wrong.
        """
        checks.text("word", word)
        words = pre_tokenize(normalize(word, self.lowercase))
        if words != [word]:
            raise ValueError(
                f"word={word!r} is not one word after steps 2-3 (they give {words}): pass those one at a time, "
                "or use tokenize(text)."
            )
        return self._wordpiece(word)

    def _wordpiece(self, word: str) -> list[str]:
        if len(word) > self.max_chars_per_word:
            return [self.unk_token]
        steps = self.wordpiece_steps(word)
        if not steps or not steps[-1].piece:
            return [self.unk_token]
        return [step.piece for step in steps]

    def tokenize(self, text: str) -> list[str]:
        """All four steps: text -> WordPiece tokens (without ``[CLS]``/``[SEP]``)."""
        checks.text("text", text, empty=True)
        parts = self._special_pattern.split(text) if self._special_pattern else [text]
        tokens: list[str] = []
        for part in parts:
            if part in SPECIAL_TOKENS and part in self.vocab:
                tokens.append(part)
                continue
            for word in pre_tokenize(normalize(part, self.lowercase)):
                tokens.extend(self._wordpiece(word))
        return tokens

    def convert_tokens_to_ids(self, tokens: Sequence[str]) -> list[int]:
        """The id of each token (``unk_token``'s for tokens not in the vocabulary); no tokens give []."""
        tokens = checks.text_list("tokens", tokens, empty=True)
        unk = self.vocab[self.unk_token]
        return [self.vocab.get(token, unk) for token in tokens]

    def convert_ids_to_tokens(self, ids: Sequence[int]) -> list[str]:
        """The token of each id (a list, array or 1-D tensor of ids); no ids give []."""
        values = checks.array("ids", ids, ndim=1, empty=True)
        unknown = [v for v in values.tolist() if not v.is_integer() or v not in self.ids_to_tokens]
        if unknown:
            shown = [int(v) if v.is_integer() else v for v in unknown[:5]]
            raise ValueError(f"ids holds {shown}, not token ids: pass whole numbers from 0 to {len(self.vocab) - 1}.")
        return [self.ids_to_tokens[int(i)] for i in values]

    def encode(self, text: str, text_pair: str | None = None, max_length: int | None = None) -> dict[str, list]:
        """Tokenize one text (or a pair) and build padded model inputs with ids."""
        checks.text("text", text, empty=True)
        if text_pair is not None:
            checks.text("text_pair", text_pair, empty=True)
        pair = self.tokenize(text_pair) if text_pair is not None else None
        inputs = build_inputs(self.tokenize(text), pair, max_length=max_length)
        inputs["input_ids"] = self.convert_tokens_to_ids(inputs["tokens"])
        return inputs


def build_inputs(
    tokens_a: Sequence[str],
    tokens_b: Sequence[str] | None = None,
    max_length: int | None = None,
) -> dict[str, list]:
    """Lessons 1-2: ``[CLS] a [SEP] (b [SEP])``, truncated and padded with ``[PAD]`` to ``max_length``.

    Returns ``tokens``, ``attention_mask`` (1 = real token, 0 = padding) and
    ``token_type_ids`` (0 for the first segment, 1 for the second). Truncation removes
    tokens from the end of the longer segment first, as ``truncation="longest_first"`` does.
    """
    for name, tokens in (("tokens_a", tokens_a), ("tokens_b", tokens_b)):
        if isinstance(tokens, str):
            raise TypeError(f"{name} must be a list of token strings, not one string: use tokenizer.tokenize(text).")
    a = checks.text_list("tokens_a", tokens_a, empty=True)
    b = checks.text_list("tokens_b", tokens_b, empty=True) if tokens_b is not None else None
    specials = 2 if b is None else 3
    if max_length is not None:
        max_length = checks.integer("max_length", max_length)
        if max_length < specials:
            raise ValueError(
                f"max_length={max_length} leaves no room for the {specials} special tokens "
                f"([CLS] and [SEP]{' x2' if b is not None else ''}): use max_length >= {specials}."
            )
        budget = max_length - specials
        while len(a) + (len(b) if b is not None else 0) > budget:
            if b is not None and len(b) >= len(a):
                b.pop()
            else:
                a.pop()
    tokens = ["[CLS]", *a, "[SEP]"]
    token_type_ids = [0] * len(tokens)
    if b is not None:
        tokens += [*b, "[SEP]"]
        token_type_ids += [1] * (len(b) + 1)
    attention_mask = [1] * len(tokens)
    if max_length is not None:
        padding = max_length - len(tokens)
        tokens += ["[PAD]"] * padding
        attention_mask += [0] * padding
        token_type_ids += [0] * padding
    return {"tokens": tokens, "attention_mask": attention_mask, "token_type_ids": token_type_ids}
