"""Bad input to course_utils.embeddings and course_utils.tokenization gets a clear error from our code
(issue 17), and the silent wrong answers found on the way now give the right result or a refusal."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from bad_input import Fixture, case, run_case
from transformers import BertConfig, BertModel

from course_utils import embeddings as em
from course_utils import tokenization as tk

TOK, MODEL = Fixture("tokenizer"), Fixture("tiny_bert")
OURS = Fixture("ours")
HIDDEN = torch.ones(2, 3, 4)
MASK = torch.tensor([[1, 1, 0], [1, 1, 1]])
STATES = tuple(torch.zeros(1, 3, 4) for _ in range(3))
LONG_TEXT = "word " * 600 + "bank"  # 'bank' lies past the 512 tokens BERT reads


@pytest.fixture(scope="module")
def ours(bundled_dir) -> tk.BertTokenizerFromScratch:
    return tk.BertTokenizerFromScratch(bundled_dir)


@pytest.fixture(scope="module")
def small_vocab_bert() -> BertModel:
    """A model whose vocabulary is far smaller than the bundled tokenizer's (a mixed-up pair)."""
    config = BertConfig(vocab_size=100, hidden_size=8, num_hidden_layers=1, num_attention_heads=2, intermediate_size=16)
    return BertModel(config).eval()


@pytest.fixture
def json_file(tmp_path):
    path = tmp_path / "tokenizer.json"
    path.write_text('{\n  "version": "1.0"\n}\n', encoding="utf-8")
    return path


@pytest.fixture
def empty_vocab(tmp_path):
    path = tmp_path / "vocab.txt"
    path.write_text("", encoding="utf-8")
    return path


CASES = [
    # pooling by hand
    case(em.masked_mean, np.ones((2, 3, 4)), MASK, error=TypeError, match="hidden must be a torch tensor"),
    case(em.masked_mean, HIDDEN, {"attention_mask": MASK}, error=TypeError,
         match=r"attention_mask must be a torch tensor, e.g. batch\[\"attention_mask\"\], not dict"),
    case(em.masked_mean, HIDDEN, torch.ones(2, 5), error=ValueError,
         match=r"attention_mask has shape \(2, 5\) and hidden \(2, 3, 4\)"),
    case(em.masked_mean, HIDDEN, torch.tensor([[101, 7592, 0], [101, 2088, 102]]), error=ValueError,
         match="did you pass input_ids"),
    case(em.masked_mean, HIDDEN, torch.zeros(2, 3, dtype=torch.long), error=ValueError,
         match="row of zeros.*not token_type_ids"),
    case(em.masked_max, HIDDEN, torch.ones(3, 2), error=ValueError, match="the mask must be batch x tokens"),
    case(em.masked_max, HIDDEN.tolist(), MASK, error=TypeError, match="hidden must be a torch tensor, .* not list"),
    case(em.pool, HIDDEN, MASK, "pooler", error=ValueError,
         match=r"pooling='pooler' is unknown: choose one of \['cls', 'mean', 'max'\]"),
    case(em.pool, HIDDEN, MASK, "avg", error=ValueError, match="pooling='avg' is unknown"),
    case(em.pool, "hidden", MASK, "cls", error=TypeError, match="hidden must be a torch tensor"),
    # layers
    case(em.num_hidden_states, MODEL, error=TypeError, match=r"model.config\), not the model itself"),
    case(em.num_hidden_states, None, error=TypeError, match="config must be a BERT-style encoder's configuration"),
    case(em.check_layer, -1, 2.5, error=TypeError, match="n_states must be an int, not float"),
    case(em.check_layer, "first", 7, error=ValueError, match="layer='first' is unknown"),
    case(em.check_layer, 7, 7, error=ValueError, match="layer=7 is out of range"),
    case(em.needs_all_hidden_states, "first", 3, error=ValueError, match="layer='first' is unknown"),
    case(em.needs_all_hidden_states, 10, 3, error=ValueError, match="layer=10 is out of range"),
    case(em.combine_layers, torch.zeros(3, 5, 4), -1, error=TypeError,
         match="one tensor is one layer: call the model with output_hidden_states=True"),
    case(em.combine_layers, None, "last", error=TypeError,
         match="hidden_states must be the tuple out.hidden_states, not NoneType"),
    case(em.combine_layers, (), "last", error=ValueError, match="hidden_states is empty"),
    case(em.combine_layers, [np.zeros((1, 3, 4))] * 3, "last", error=TypeError,
         match=r"hidden_states\[0\] is a ndarray, not a tensor"),
    case(em.combine_layers, STATES, "concat_last4", error=ValueError, match="needs at least 4 layers"),
    # batching
    case(em.length_sorted_batches, ["a text", "another text"], error=TypeError,
         match="lengths must be an array of numbers"),
    case(em.length_sorted_batches, 12, error=ValueError, match=r"lengths must have 1 dimension\(s\), not 0"),
    case(em.length_sorted_batches, [5, -3], error=ValueError, match=r"whole numbers >= 0"),
    case(em.length_sorted_batches, [5, 2.5], error=ValueError, match=r"whole numbers >= 0"),
    case(em.length_sorted_batches, [5, 3], 0, error=ValueError, match="batch_tokens=0 is too small"),
    case(em.length_sorted_batches, [5, 3], max_batch_size=2.0, error=TypeError,
         match="max_batch_size must be an int, not float"),
    case(em.length_sorted_batches, [5, 3], batch_cost_tokens=-1, error=ValueError,
         match="batch_cost_tokens=-1 is too small"),
    # embed_texts
    case(em.embed_texts, "one text", MODEL, TOK, error=TypeError, match=r"wrap a single text as \[text\]"),
    case(em.embed_texts, [], MODEL, TOK, error=ValueError, match="texts is empty"),
    case(em.embed_texts, None, MODEL, TOK, error=TypeError, match="texts must be a list of strings, not NoneType"),
    case(em.embed_texts, ["ok", None], MODEL, TOK, error=TypeError, match=r"texts\[1\] is a NoneType"),
    case(em.embed_texts, ["ok"], TOK, MODEL, error=TypeError, match="that is a tokenizer: pass the model"),
    case(em.embed_texts, ["ok"], MODEL, MODEL, error=TypeError, match="that is a model: pass the tokenizer"),
    case(em.embed_texts, ["ok"], Fixture("small_vocab_bert"), TOK, error=ValueError,
         match="tokenizer has 30522 tokens but model only embeds 100"),
    case(em.embed_texts, ["ok"], MODEL, TOK, None, error=TypeError, match="pooling must be one of"),
    case(em.embed_texts, ["ok"], MODEL, TOK, ["cls", "avg"], error=ValueError, match="pooling='avg' is unknown"),
    case(em.embed_texts, ["ok"], MODEL, TOK, layer=-4, error=ValueError, match="layer=-4 is out of range"),
    case(em.embed_texts, ["ok"], MODEL, TOK, batch_tokens=0, error=ValueError, match="batch_tokens=0 is too small"),
    case(em.embed_texts, ["ok"], MODEL, TOK, max_batch_size=0.5, error=TypeError,
         match="max_batch_size must be an int, not float"),
    case(em.embed_texts, ["ok"], MODEL, TOK, max_length=1024, error=ValueError,
         match="max_length=1024 is too large: pass an int <= 512"),
    case(em.embed_texts, ["ok"], MODEL, TOK, max_length=1, error=ValueError,
         match="max_length=1 is too small: pass an int >= 3"),
    # comparing vectors
    case(em.paired_cosine, np.ones((3, 4)), np.ones((2, 4)), error=ValueError,
         match=r"a and b must have the same shape, not \(3, 4\) and \(2, 4\)"),
    case(em.paired_cosine, ["a text"], ["another"], error=TypeError, match="a must be an array of numbers"),
    case(em.paired_cosine, [[1.0, 0.0], [0.0, 0.0]], np.ones((2, 2)), error=ValueError,
         match=r"a has an all-zero vector \(row \[1\]\): its cosine is undefined"),
    case(em.paired_cosine, [], [], error=ValueError, match="a is empty"),
    case(em.cosine_matrix, np.ones(4), error=ValueError, match=r"a must have 2 dimension\(s\), not 1"),
    case(em.cosine_matrix, np.ones((2, 4)), np.ones((3, 5)), error=ValueError,
         match="the rows of a and b must have the same length, not 4 and 5"),
    case(em.cosine_matrix, np.ones((2, 4)), np.zeros((1, 4)), error=ValueError, match="b has an all-zero vector"),
    case(em.cosine_matrix, None, error=TypeError, match="a must be an array of numbers, not NoneType"),
    case(em.word_vectors, None, "bank", MODEL, TOK, error=TypeError, match="text must be a str, not NoneType"),
    case(em.word_vectors, "the bank", ["bank"], MODEL, TOK, error=TypeError, match="word must be a str, not list"),
    case(em.word_vectors, "the bank", " ", MODEL, TOK, error=ValueError, match="word is empty"),
    case(em.word_vectors, "the banking sector", "bank", MODEL, TOK, error=ValueError,
         match="word='bank' does not occur as a whole word"),
    case(em.word_vectors, "the bank", "bank", TOK, MODEL, error=TypeError, match="that is a tokenizer: pass the model"),
    case(em.word_vectors, LONG_TEXT, "bank", MODEL, TOK, error=ValueError,
         match="word='bank' first occurs after the first 512 tokens of text, the most this model reads"),
    case(em.word_vectors, "a \u200b b", "\u200b", MODEL, TOK, error=ValueError, match="gives no tokens"),
    case(em.flops_per_token, Fixture("tiny_bert"), 10, error=TypeError, match="not the model itself"),
    case(em.flops_per_token, BertConfig(), -1, error=ValueError, match="seq_len=-1 is too small"),
    case(em.flops_per_token, BertConfig(), 2.5, error=TypeError, match="seq_len must be an int, not float"),
    # tokenization: character classes and steps 2-3
    case(tk.is_punctuation, "?!", error=ValueError, match="char must be one character, not 2"),
    case(tk.is_punctuation, "", error=ValueError, match="char must be one character, not 0"),
    case(tk.is_punctuation, None, error=TypeError, match="char must be a str, not NoneType"),
    case(tk.is_cjk, "日本", error=ValueError, match="char must be one character, not 2"),
    case(tk.is_cjk, 0x65E5, error=TypeError, match="char must be a str, not int"),
    case(tk.normalize, None, error=TypeError, match="text must be a str, not NoneType"),
    case(tk.normalize, ["Héllo"], error=TypeError, match="text must be a str, not list"),
    case(tk.normalize, "Héllo", lowercase="no", error=ValueError,
         match=r"lowercase='no' is unknown: choose one of \[True, False\]"),
    case(tk.pre_tokenize, ["don't", "stop"], error=TypeError, match="text must be a str, not list"),
    case(tk.pre_tokenize, b"don't", error=TypeError, match="text must be a str, not bytes"),
    # vocabulary and tokenizer
    case(tk.load_vocab, None, error=TypeError, match=r"path must be a path \(str or Path\), not NoneType"),
    case(tk.load_vocab, "", error=ValueError, match="path is empty"),
    case(tk.load_vocab, Fixture("tmp_path"), error=FileNotFoundError, match="vocab file .*vocab.txt does not exist"),
    case(tk.load_vocab, Fixture("json_file"), error=ValueError, match="is a JSON file: pass the vocab.txt next to it"),
    case(tk.load_vocab, Fixture("empty_vocab"), error=ValueError, match="vocab file .* is empty"),
    case(tk.BertTokenizerFromScratch, TOK, error=TypeError, match=r"that is a tokenizer: pass tokenizer.get_vocab\(\)"),
    case(tk.BertTokenizerFromScratch, ["[UNK]", "a"], error=TypeError, match="vocab must be a mapping token -> id"),
    case(tk.BertTokenizerFromScratch, {}, error=ValueError, match="vocab is empty"),
    case(tk.BertTokenizerFromScratch, Fixture("tmp_path"), error=FileNotFoundError, match="vocab file"),
    case(tk.BertTokenizerFromScratch, {"[UNK]": 0}, lowercase="yes", error=ValueError,
         match="lowercase='yes' is unknown"),
    case(tk.BertTokenizerFromScratch, {"[UNK]": 0}, unk_token=None, error=TypeError,
         match="unk_token must be a str, not NoneType"),
    case(tk.BertTokenizerFromScratch, {"[UNK]": 0}, max_chars_per_word=0, error=ValueError,
         match="max_chars_per_word=0 is too small"),
    case(tk.BertTokenizerFromScratch, {"a": 0}, error=ValueError,
         match=r"unk_token='\[UNK\]' is not in the vocabulary"),
    # wordpiece_steps is printed in lesson 1 as the algorithm itself, so it carries no checks: its
    # bad input gets Python's own error from its first line (wordpiece, below, checks its word).
    case(tk.BertTokenizerFromScratch.wordpiece_steps, OURS, None, error=TypeError,
         match="object of type 'NoneType' has no len"),
    case(tk.BertTokenizerFromScratch.wordpiece, OURS, None, error=TypeError, match="word must be a str, not NoneType"),
    case(tk.BertTokenizerFromScratch.wordpiece, OURS, "", error=ValueError, match="word is empty"),
    case(tk.BertTokenizerFromScratch.wordpiece, OURS, "hello world", error=ValueError,
         match=r"word='hello world' is not one word after steps 2-3 \(they give \['hello', 'world'\]\)"),
    case(tk.BertTokenizerFromScratch.wordpiece, OURS, "Embeddings", error=ValueError,
         match=r"they give \['embeddings'\]"),
    case(tk.BertTokenizerFromScratch.wordpiece, OURS, "don't", error=ValueError,
         match=r"they give \['don', \"'\", 't'\]"),
    case(tk.BertTokenizerFromScratch.tokenize, OURS, None, error=TypeError, match="text must be a str, not NoneType"),
    case(tk.BertTokenizerFromScratch.tokenize, OURS, ["a", "b"], error=TypeError, match="text must be a str, not list"),
    case(tk.BertTokenizerFromScratch.convert_tokens_to_ids, OURS, "hello", error=TypeError,
         match="tokens must be a list of strings, not one string"),
    case(tk.BertTokenizerFromScratch.convert_tokens_to_ids, OURS, [101, 102], error=TypeError,
         match=r"tokens\[0\] is a int"),
    case(tk.BertTokenizerFromScratch.convert_tokens_to_ids, OURS, None, error=TypeError,
         match="tokens must be a list of strings, not NoneType"),
    case(tk.BertTokenizerFromScratch.convert_ids_to_tokens, OURS, 101, error=ValueError,
         match=r"ids must have 1 dimension\(s\), not 0"),
    case(tk.BertTokenizerFromScratch.convert_ids_to_tokens, OURS, torch.tensor([[101, 102]]), error=ValueError,
         match=r"ids must have 1 dimension\(s\), not 2"),
    case(tk.BertTokenizerFromScratch.convert_ids_to_tokens, OURS, [101, 1.5], error=ValueError,
         match=r"ids holds \[1.5\], not token ids: pass whole numbers from 0 to 30521"),
    case(tk.BertTokenizerFromScratch.convert_ids_to_tokens, OURS, [-1, 30522], error=ValueError,
         match=r"ids holds \[-1, 30522\], not token ids"),
    case(tk.BertTokenizerFromScratch.convert_ids_to_tokens, OURS, ["[CLS]"], error=TypeError,
         match="ids must be an array of numbers"),
    case(tk.BertTokenizerFromScratch.encode, OURS, None, error=TypeError, match="text must be a str, not NoneType"),
    case(tk.BertTokenizerFromScratch.encode, OURS, "a question", ["a", "context"], error=TypeError,
         match="text_pair must be a str, not list"),
    case(tk.BertTokenizerFromScratch.encode, OURS, "a text", max_length=0.5, error=TypeError,
         match="max_length must be an int, not float"),
    case(tk.BertTokenizerFromScratch.encode, OURS, "a", "b", max_length=2, error=ValueError,
         match="max_length=2 leaves no room for the 3 special tokens"),
    case(tk.build_inputs, "hello", error=TypeError, match="tokens_a must be a list of token strings, not one string"),
    case(tk.build_inputs, ["hello"], "world", error=TypeError, match="tokens_b must be a list of token strings"),
    case(tk.build_inputs, [7592, 2088], error=TypeError, match=r"tokens_a\[0\] is a int"),
    case(tk.build_inputs, None, error=TypeError, match="tokens_a must be a list of strings, not NoneType"),
    case(tk.build_inputs, ["hello"], max_length=-1, error=ValueError, match="max_length=-1 leaves no room"),
    case(tk.build_inputs, ["hello"], max_length="8", error=TypeError, match="max_length must be an int, not str"),
]


@pytest.mark.parametrize(("func", "args", "kwargs", "error", "match"), CASES)
def test_bad_input_gets_a_clear_error(request, func, args, kwargs, error, match):
    run_case(request, func, args, kwargs, error, match)


# Silent wrong answers that now give the right result -------------------------------------------


def _states_by_hand(model, batch, positions):
    with torch.inference_mode():
        states = model(**batch, output_hidden_states=True).hidden_states
    return torch.stack(states)[:, 0, positions, :].mean(dim=1).numpy()


def test_word_vectors_finds_a_word_in_chinese_text(tiny_bert, tokenizer):
    """BERT splits CJK characters one by one, so a Chinese word is found inside unspaced text."""
    text = "我在银行工作。"  # tokens: 我 在 银 行 工 作 。 (some of them [UNK] in this vocabulary)
    batch = tokenizer(text, return_tensors="pt")
    np.testing.assert_allclose(em.word_vectors(text, "银行", tiny_bert, tokenizer),
                               _states_by_hand(tiny_bert, batch, [3, 4]), atol=1e-6)
    np.testing.assert_allclose(em.word_vectors(text, "行", tiny_bert, tokenizer),
                               _states_by_hand(tiny_bert, batch, [4]), atol=1e-6)
    mixed = em.word_vectors("我们在bank工作", "bank", tiny_bert, tokenizer)  # Latin glued to CJK is a word too
    assert mixed.shape == (3, 32)


def test_word_vectors_truncates_a_long_text_to_what_the_model_reads(tiny_bert, tokenizer):
    """A text over 512 tokens crashed inside torch: now it is cut to 512 tokens, as embed_texts does."""
    text = "The bank " + "word " * 600
    batch = tokenizer(text, return_tensors="pt", truncation=True, max_length=512)
    assert batch["input_ids"].shape[1] == 512
    np.testing.assert_allclose(em.word_vectors(text, "bank", tiny_bert, tokenizer),
                               _states_by_hand(tiny_bert, batch, [2]), atol=1e-6)


def test_word_vectors_still_matches_whole_words_case_insensitively(tiny_bert, tokenizer):
    text = "Banking aside, the Bank of the river."
    batch = tokenizer(text, return_tensors="pt")
    assert tokenizer.convert_ids_to_tokens(batch["input_ids"][0])[5] == "bank"
    np.testing.assert_allclose(em.word_vectors(text, "bank", tiny_bert, tokenizer),
                               _states_by_hand(tiny_bert, batch, [5]), atol=1e-6)


def test_word_vectors_turn_dropout_off_and_restore_the_mode(tiny_bert, tokenizer):
    expected = em.word_vectors("the river bank", "bank", tiny_bert, tokenizer)
    tiny_bert.train()
    try:
        got = em.word_vectors("the river bank", "bank", tiny_bert, tokenizer)
        assert tiny_bert.training
    finally:
        tiny_bert.eval()
    np.testing.assert_allclose(got, expected, atol=1e-6)


def test_empty_inputs_give_empty_results(ours):
    assert em.length_sorted_batches([]) == []
    assert ours.convert_tokens_to_ids([]) == []
    assert ours.convert_ids_to_tokens([]) == []
    assert tk.pre_tokenize("") == [] and tk.normalize("") == ""


def test_ids_from_a_tensor_and_whole_floats(ours, tokenizer):
    ids = tokenizer("Hello world")["input_ids"]
    assert ours.convert_ids_to_tokens(torch.tensor(ids)) == ours.convert_ids_to_tokens(ids) == [
        "[CLS]", "hello", "world", "[SEP]"]
    assert ours.convert_ids_to_tokens(np.array([101.0, 102.0])) == ["[CLS]", "[SEP]"]


def test_valid_calls_give_what_they_gave_before(tiny_bert, tokenizer, ours):
    """The checks change no result for valid input (spot checks of what the lessons call)."""
    assert ours.wordpiece("embeddings") == ["em", "##bed", "##ding", "##s"]
    assert ours.wordpiece("ab\u2603cd") == ["[UNK]"]
    assert tk.is_cjk("日") and not tk.is_cjk("a") and tk.is_punctuation("$")
    assert [len(b) for b in em.length_sorted_batches(np.array([3, 3, 9]), batch_tokens=8)] == [1, 2]
    a = np.array([[1.0, 0.0], [1.0, 1.0]])
    np.testing.assert_allclose(em.paired_cosine(a, a[::-1]), [2**-0.5, 2**-0.5])
    np.testing.assert_allclose(em.paired_cosine(a[0], a[1]), 2**-0.5)
    np.testing.assert_allclose(em.cosine_matrix(a), [[1.0, 2**-0.5], [2**-0.5, 1.0]])
    vectors = em.embed_texts(("one", "two words"), tiny_bert, tokenizer, "mean", max_length=3, progress=False)
    assert vectors.shape == (2, 32)
