"""The embedding helper of lessons 3-5: pooling by hand, layer choices, order, errors."""

import numpy as np
import pytest
import torch

from course_utils.embeddings import (
    combine_layers,
    embed_texts,
    flops_per_token,
    length_sorted_batches,
    masked_max,
    masked_mean,
    num_hidden_states,
)

TEXTS = [
    "A short one.",
    "This sentence is quite a bit longer than the first one, with several more words in it.",
    "Medium length sentence here.",
    "",
    "Bank of the river.",
    "Another fairly long sentence, so that batches of different lengths need padding to line up.",
    "Ok.",
]


@pytest.fixture(scope="module")
def tiny_bert4():
    """A random 4-layer BERT (5 hidden states), for the last-4 combinations."""
    from transformers import BertConfig, BertModel

    torch.manual_seed(1)
    config = BertConfig(
        vocab_size=30522, hidden_size=16, num_hidden_layers=4, num_attention_heads=2, intermediate_size=32
    )
    return BertModel(config).eval()


def _padded(tokenizer, texts):
    batch = tokenizer(texts, padding=True, return_tensors="pt")
    assert (batch["attention_mask"] == 0).any(), "the test needs padding in the batch"
    return batch


def _by_hand(model, tokenizer, text, layer=-1):
    """One text alone (no padding at all), all hidden states."""
    batch = tokenizer([text], return_tensors="pt")
    with torch.no_grad():
        states = model(**batch, output_hidden_states=True).hidden_states
    return states[layer][0].numpy()  # tokens x dim


def test_masked_mean_and_max_match_hand_computation_with_padding():
    hidden = torch.tensor(
        [
            [[1.0, -2.0], [3.0, 4.0], [100.0, 100.0]],  # last token is padding: must be ignored
            [[-1.0, 5.0], [-3.0, -7.0], [2.0, 0.5]],
        ]
    )
    mask = torch.tensor([[1, 1, 0], [1, 1, 1]])
    assert torch.allclose(masked_mean(hidden, mask), torch.tensor([[2.0, 1.0], [-2.0 / 3, -1.5 / 3]]))
    assert torch.equal(masked_max(hidden, mask), torch.tensor([[3.0, 4.0], [2.0, 5.0]]))
    # padding that would win the max if it were counted, and negative real values
    hidden2 = torch.tensor([[[-5.0], [-3.0], [0.0], [0.0]]])
    assert masked_max(hidden2, torch.tensor([[1, 1, 0, 0]])).item() == -3.0


def test_pooling_matches_each_text_encoded_alone(tiny_bert, tokenizer):
    got = {p: embed_texts(TEXTS, tiny_bert, tokenizer, p, progress=False) for p in ("cls", "mean", "max")}
    for i, text in enumerate(TEXTS):
        tokens = _by_hand(tiny_bert, tokenizer, text)
        np.testing.assert_allclose(got["cls"][i], tokens[0], atol=1e-5)
        np.testing.assert_allclose(got["mean"][i], tokens.mean(axis=0), atol=1e-5)
        np.testing.assert_allclose(got["max"][i], tokens.max(axis=0), atol=1e-5)


def test_batched_padding_changes_nothing(tiny_bert, tokenizer):
    batch = _padded(tokenizer, TEXTS)
    with torch.no_grad():
        hidden = tiny_bert(**batch).last_hidden_state
    expected = masked_mean(hidden, batch["attention_mask"]).numpy()
    # tiny batches force many batches with different padding
    got = embed_texts(TEXTS, tiny_bert, tokenizer, "mean", batch_tokens=40, progress=False)
    np.testing.assert_allclose(got, expected, atol=1e-5)


def test_results_come_back_in_input_order(tiny_bert, tokenizer):
    texts = TEXTS * 3
    rng = np.random.default_rng(0)
    perm = rng.permutation(len(texts))
    first = embed_texts(texts, tiny_bert, tokenizer, "mean", batch_tokens=64, progress=False)
    shuffled = embed_texts([texts[i] for i in perm], tiny_bert, tokenizer, "mean", batch_tokens=64, progress=False)
    np.testing.assert_allclose(shuffled, first[perm], atol=1e-5)
    assert not np.allclose(first[0], first[1])  # different texts really differ


def test_layer_choices_shapes_and_values(tiny_bert4, tokenizer):
    n, d, states = len(TEXTS), tiny_bert4.config.hidden_size, num_hidden_states(tiny_bert4.config)
    assert states == 5

    def run(layer, pooling="mean"):
        return embed_texts(TEXTS, tiny_bert4, tokenizer, pooling, layer, batch_tokens=48, progress=False)

    everything = run("all")
    assert everything.shape == (states, n, d) and everything.dtype == np.float32
    assert run("last").shape == (n, d)
    assert run("concat_last4").shape == (n, 4 * d)
    np.testing.assert_allclose(run("concat_last4"), np.concatenate(list(everything[-4:]), axis=1), atol=1e-5)
    np.testing.assert_allclose(run("sum_last4"), everything[-4:].sum(axis=0), atol=1e-4)
    np.testing.assert_allclose(run("second_to_last"), everything[-2], atol=1e-5)
    np.testing.assert_allclose(run(0), everything[0], atol=1e-5)
    np.testing.assert_allclose(run(-1), run("last"), atol=1e-5)
    np.testing.assert_allclose(run(2), everything[2], atol=1e-5)
    # max over the sum of layers is not the sum of per-layer maxima: the helper sums first
    tokens = [sum(_by_hand(tiny_bert4, tokenizer, t, k) for k in range(1, 5)) for t in TEXTS]
    np.testing.assert_allclose(run("sum_last4", "max"), np.stack([t.max(axis=0) for t in tokens]), atol=1e-4)


def test_several_poolings_at_once_and_pooler(tiny_bert, tokenizer):
    got = embed_texts(TEXTS, tiny_bert, tokenizer, ["cls", "pooler", "mean"], progress=False)
    assert set(got) == {"cls", "pooler", "mean"}
    batch = tokenizer(TEXTS[:1], return_tensors="pt")
    with torch.no_grad():
        pooler = tiny_bert(**batch).pooler_output[0].numpy()
    np.testing.assert_allclose(got["pooler"][0], pooler, atol=1e-5)
    np.testing.assert_allclose(got["cls"], embed_texts(TEXTS, tiny_bert, tokenizer, "cls", progress=False))


def test_embed_texts_matches_one_padded_batch_of_everything(tiny_bert4, tokenizer):
    """Length-sorted batches give the vectors of the seed's pad-everything pass (mean and max pooling)."""
    batch = _padded(tokenizer, TEXTS)
    with torch.inference_mode():
        hidden = tiny_bert4(**batch).last_hidden_state
    got = embed_texts(TEXTS, tiny_bert4, tokenizer, ["mean", "max"], batch_tokens=16, progress=False)
    np.testing.assert_allclose(got["mean"], masked_mean(hidden, batch["attention_mask"]).numpy(), atol=1e-5)
    np.testing.assert_allclose(got["max"], masked_max(hidden, batch["attention_mask"]).numpy(), atol=1e-5)


def test_combine_layers_on_a_tuple():
    states = tuple(torch.full((2, 3, 4), float(i)) for i in range(7))
    assert combine_layers(states, "all").shape == (7, 2, 3, 4)
    assert combine_layers(states, "concat_last4").shape == (2, 3, 16)
    assert combine_layers(states, "sum_last4")[0, 0, 0].item() == 3 + 4 + 5 + 6
    assert combine_layers(states, "second_to_last")[0, 0, 0].item() == 5
    assert combine_layers(states, -7)[0, 0, 0].item() == 0


def test_only_the_last_layer_skips_output_hidden_states(tiny_bert, tokenizer, monkeypatch):
    seen = []
    forward = tiny_bert.forward

    def spy(*args, **kwargs):
        seen.append(kwargs.get("output_hidden_states"))
        return forward(*args, **kwargs)

    monkeypatch.setattr(tiny_bert, "forward", spy)
    embed_texts(TEXTS[:2], tiny_bert, tokenizer, "cls", "last", progress=False)
    embed_texts(TEXTS[:2], tiny_bert, tokenizer, "cls", 2, progress=False)  # 2 = last of 3 states
    assert seen and not any(seen)
    embed_texts(TEXTS[:2], tiny_bert, tokenizer, "cls", 1, progress=False)
    assert seen[-1] is True


def test_batches_respect_the_token_budget():
    lengths = [5, 30, 7, 30, 12, 3, 9, 30, 1]
    batches = length_sorted_batches(lengths, batch_tokens=60, max_batch_size=4)
    assert sorted(np.concatenate(batches).tolist()) == list(range(len(lengths)))
    for batch in batches:
        assert len(batch) <= 4
        assert len(batch) == 1 or len(batch) * max(lengths[i] for i in batch) <= 60
    assert {lengths[i] for i in batches[0]} == {30}  # longest first
    no_overhead = length_sorted_batches(lengths, batch_tokens=60, max_batch_size=4, batch_cost_tokens=0)
    assert sum(len(batch) * max(lengths[i] for i in batch) for batch in no_overhead) == sum(lengths)


def test_batches_cut_where_the_length_changes():
    lengths = [5] * 7 + [20] * 100 + [19] * 100
    batches = length_sorted_batches(lengths, batch_tokens=2048)
    assert [sorted({lengths[i] for i in batch}) for batch in batches] == [[20], [19], [5]]
    many = length_sorted_batches(list(range(1, 300)) * 30, batch_tokens=1000, max_batch_size=64)
    assert all(len(batch) <= 64 for batch in many)


def test_model_mode_is_restored(tiny_bert, tokenizer):
    tiny_bert.train()
    try:
        a = embed_texts(TEXTS[:3], tiny_bert, tokenizer, "mean", progress=False)
        b = embed_texts(TEXTS[:3], tiny_bert, tokenizer, "mean", progress=False)
        np.testing.assert_array_equal(a, b)  # dropout was off while embedding
        assert tiny_bert.training
    finally:
        tiny_bert.eval()


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"texts": []}, ValueError, "texts is empty"),
        ({"texts": "one string"}, TypeError, r"wrap a single text as \[text\]"),
        ({"texts": ["ok", 3]}, TypeError, r"texts\[1\] is a int"),
        ({"pooling": "avg"}, ValueError, "pooling='avg' is unknown"),
        ({"pooling": []}, ValueError, "pooling is empty"),
        ({"layer": "first"}, ValueError, "layer='first' is unknown"),
        ({"layer": 3}, ValueError, "layer=3 is out of range: this model has 3 hidden states"),
        ({"layer": -4}, ValueError, "out of range"),
        ({"layer": 1.0}, TypeError, "layer must be an int"),
        ({"layer": "concat_last4"}, ValueError, "needs at least 4 layers"),
        ({"pooling": "pooler", "layer": 0}, ValueError, "reads the last layer only"),
    ],
)
def test_clear_errors(tiny_bert, tokenizer, kwargs, error, message):
    args = {"texts": ["fine text"], "model": tiny_bert, "tokenizer": tokenizer, "progress": False} | kwargs
    with pytest.raises(error, match=message):
        embed_texts(**args)


def test_pooler_needs_a_model_with_a_pooler(tokenizer):
    from transformers import DistilBertConfig, DistilBertModel

    model = DistilBertModel(DistilBertConfig(vocab_size=30522, dim=16, hidden_dim=32, n_layers=2, n_heads=2)).eval()
    assert embed_texts(["a b"], model, tokenizer, "mean", progress=False).shape == (1, 16)
    with pytest.raises(ValueError, match="use 'cls' instead"):
        embed_texts(["a b"], model, tokenizer, "pooler", progress=False)


def test_flops_per_token_from_the_config(tiny_bert):
    d, f, layers = 32, 64, 2
    assert flops_per_token(tiny_bert.config, 10) == layers * (2 * (4 * d * d + 2 * d * f) + 4 * 10 * d)


@pytest.mark.integration
def test_bundled_minilm_costs_21_mflop_per_token(bundled_dir):
    from transformers import AutoConfig

    config = AutoConfig.from_pretrained(bundled_dir)
    assert flops_per_token(config, 0) == pytest.approx(21.23e6, rel=1e-3)
