"""Our from-scratch tokenizer against the library's fast BERT tokenizer."""

import json
from pathlib import Path

import pytest

from course_utils.tokenization import BertTokenizerFromScratch, build_inputs, load_vocab, normalize, pre_tokenize

DATA = Path(__file__).resolve().parent.parent / "data"
TEXT_FIELDS = ("sentence", "text", "premise", "hypothesis", "sentence1", "sentence2", "question", "context")

EDGE_CASES = [
    "",
    "   ",
    "I really enjoyed this movie a lot.",
    "Crème brûlée, façade, naïve café, Ångström, São Paulo, Dvořák",
    "ΣΊΣΥΦΟΣ and Ἀθῆναι",
    "İstanbul ǅemal ﬁnal ①②③ ² ½",
    "日本語のテキストと中文句子，还有한국어.",
    "emoji 😀👍🏽 and 🇫🇷 flags ❤️",
    "numbers 3.14159, 1,000,000 and -42e10 and 2026-11-25",
    "https://example.com/path?query=1&b=two#frag and someone@example.org",
    "supercalifragilisticexpialidocious " * 3,
    "x" * 100,
    "y" * 101,
    "pneumonoultramicroscopicsilicovolcanoconiosis",
    "tabs\tnew\nlines\r\nnbsp\u00a0thin\u2009zero\u200bwidth\u2028line",
    "control\x00\x07chars\ufffd\x1b[0m",
    "special tokens: [CLS] [SEP] [MASK] [PAD] [UNK] [cls]",
    "don't won't it's rock'n'roll O'Neill",
    "$5.99 + 10% = ~£6 ^_^ |pipe| `tick` <tag/>",
    "ALL CAPS SHOUTING!!! and MiXeD cAsE",
    "Привет, мир! Γειά σου Κόσμε! مرحبا بالعالم שלום עולם नमस्ते दुनिया",
]


def _data_texts() -> list[str]:
    texts = []
    for path in sorted(DATA.glob("*/*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            texts.extend(row[f] for f in TEXT_FIELDS if isinstance(row.get(f), str))
            if "tokens" in row:
                texts.append(" ".join(row["tokens"]))
    return texts


@pytest.fixture(scope="module")
def ours(bundled_dir):
    return BertTokenizerFromScratch(bundled_dir)


def test_tokens_and_ids_equal_the_library_on_thousands_of_sentences(ours, tokenizer):
    texts = list(dict.fromkeys(_data_texts() + EDGE_CASES))
    assert len(texts) >= 2000, f"only {len(texts)} distinct texts: the data/ files are missing?"
    mismatches = []
    for text in texts:
        expected_ids = tokenizer(text)["input_ids"]
        got = ours.encode(text)
        if got["input_ids"] != expected_ids or ours.tokenize(text) != tokenizer.tokenize(text):
            mismatches.append(text)
    assert mismatches == [], f"{len(mismatches)} of {len(texts)} texts differ, e.g. {mismatches[:3]}"


@pytest.mark.parametrize("max_length", [3, 5, 8, 12, 16, 40])
def test_pairs_truncate_and_pad_like_the_library(ours, tokenizer, max_length):
    first, second = "A man is slicing a big red tomato in the kitchen.", "Someone cuts a vegetable."
    expected = tokenizer(first, second, truncation=True, padding="max_length", max_length=max_length)
    got = ours.encode(first, second, max_length=max_length)
    assert got["input_ids"] == expected["input_ids"]
    assert got["token_type_ids"] == expected["token_type_ids"]
    assert got["attention_mask"] == expected["attention_mask"]


def test_lesson_one_sentence(ours):
    inputs = ours.encode("I really enjoyed this movie a lot.", max_length=15)
    assert inputs["input_ids"] == [101, 1045, 2428, 5632, 2023, 3185, 1037, 2843, 1012, 102, 0, 0, 0, 0, 0]
    assert inputs["attention_mask"] == [1] * 10 + [0] * 5


def test_wordpiece_greedy_longest_match(ours):
    assert ours.wordpiece("embeddings") == ["em", "##bed", "##ding", "##s"]
    steps = ours.wordpiece_steps("embeddings")
    assert [s.start for s in steps] == [0, 2, 5, 9]


def test_unknown_character_makes_the_whole_word_unknown(ours):
    assert ours.wordpiece("ab\u2603cd") == ["[UNK]"]
    assert ours.wordpiece("a" * 101) == ["[UNK]"]


def test_normalize_and_pre_tokenize():
    assert normalize("Héllo\tWÖRLD\x07") == "hello world"
    assert normalize("日本", lowercase=True) == " 日  本 "
    assert pre_tokenize("don't stop!") == ["don", "'", "t", "stop", "!"]


def test_build_inputs_single_and_pair():
    single = build_inputs(["hello"], max_length=5)
    assert single["tokens"] == ["[CLS]", "hello", "[SEP]", "[PAD]", "[PAD]"]
    assert single["attention_mask"] == [1, 1, 1, 0, 0]
    pair = build_inputs(["a", "b"], ["c"])
    assert pair["tokens"] == ["[CLS]", "a", "b", "[SEP]", "c", "[SEP]"]
    assert pair["token_type_ids"] == [0, 0, 0, 0, 1, 1]


def test_build_inputs_errors_name_the_argument():
    with pytest.raises(ValueError, match="max_length=1 leaves no room"):
        build_inputs(["a"], max_length=1)
    with pytest.raises(ValueError, match="max_length=2 leaves no room.*>= 3"):
        build_inputs(["a"], ["b"], max_length=2)
    with pytest.raises(TypeError, match="tokens_a must be a list of token strings"):
        build_inputs("hello")
    with pytest.raises(TypeError, match="max_length must be an int"):
        build_inputs(["a"], max_length=5.0)


def test_tokenizer_errors(tmp_path, ours):
    with pytest.raises(ValueError, match="vocab is empty"):
        BertTokenizerFromScratch({})
    with pytest.raises(TypeError, match="text must be a str"):
        ours.tokenize(["not", "a", "string"])
    with pytest.raises(FileNotFoundError, match="vocab file"):
        load_vocab(tmp_path / "missing.txt")
    with pytest.raises(ValueError, match="unk_token"):
        BertTokenizerFromScratch({"a": 0})
