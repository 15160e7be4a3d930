"""Lesson 9's NER helpers: sub-token label alignment, IOB2 repair, entity scores, features."""

import numpy as np
import pytest

from course_utils.data import NER_TAGS
from course_utils.entities import (
    entity_report,
    entity_scores,
    entity_spans,
    highlight_entities,
    repair_iob2,
)
from course_utils.ner import (
    IGNORE_INDEX,
    align_labels,
    ner_compute_metrics,
    predict_tags,
    tags_from_logits,
    tokenize_and_align,
    word_level,
)
from course_utils.ner_probe import (
    fit_linear_tagger,
    select_layers,
    split_by_sentence,
    word_features,
)

T = {name: i for i, name in enumerate(NER_TAGS)}
WORDS = ["Steinmeier", "visited", "Wolfsburg", "."]
TAGS = ["B-PER", "O", "B-LOC", "O"]


def test_alignment_of_words_split_into_several_subtokens(tokenizer):
    enc = tokenizer(WORDS, is_split_into_words=True)
    # [CLS] stein ##mei ##er visited wolf ##sburg . [SEP]
    assert enc.tokens() == ["[CLS]", "stein", "##mei", "##er", "visited", "wolf", "##sburg", ".", "[SEP]"]
    word_ids = enc.word_ids()
    labels = align_labels(word_ids, [T[t] for t in TAGS])
    assert labels == [
        IGNORE_INDEX,
        T["B-PER"],
        IGNORE_INDEX,
        IGNORE_INDEX,
        T["O"],
        T["B-LOC"],
        IGNORE_INDEX,
        T["O"],
        IGNORE_INDEX,
    ]
    labels_all = align_labels(word_ids, [T[t] for t in TAGS], label_all=True)
    assert labels_all == [
        IGNORE_INDEX,
        T["B-PER"],
        T["I-PER"],
        T["I-PER"],
        T["O"],
        T["B-LOC"],
        T["I-LOC"],
        T["O"],
        IGNORE_INDEX,
    ]


def test_label_all_keeps_inside_tags_inside():
    # one word "Baden-Baden" tagged I-LOC, split into 3 pieces: all I-LOC
    assert align_labels([None, 0, 1, 1, 1, None], [T["B-LOC"], T["I-LOC"]], label_all=True) == [
        IGNORE_INDEX,
        T["B-LOC"],
        T["I-LOC"],
        T["I-LOC"],
        T["I-LOC"],
        IGNORE_INDEX,
    ]


def test_alignment_errors():
    with pytest.raises(ValueError, match="only 1 labels"):
        align_labels([None, 0, 1, None], [0])
    with pytest.raises(TypeError, match="label ids"):
        align_labels([None, 0], "O")
    with pytest.raises(ValueError, match="no 'I-X'"):
        align_labels([0, 0], [0], label_all=True, label_names=["O", "B-X"])


def test_tokenize_and_align_batch(tokenizer):
    batch = {"tokens": [WORDS, ["EU", "rejects", "it"]], "ner_tags": [[T[t] for t in TAGS], [3, 0, 0]]}
    out = tokenize_and_align(batch, tokenizer)
    assert len(out["labels"]) == 2
    for ids, labels in zip(out["input_ids"], out["labels"], strict=True):
        assert len(ids) == len(labels)
    assert [x for x in out["labels"][0] if x != IGNORE_INDEX] == [T[t] for t in TAGS]  # one label per word
    with pytest.raises(ValueError, match="'ner_tags' column"):
        tokenize_and_align({"tokens": [WORDS]}, tokenizer)


def test_word_level_takes_first_subtoken():
    assert word_level([9, 1, 2, 3, 4, 5, 9], [None, 0, 0, 1, 2, 2, None], 4, fill=-1) == [1, 3, 4, -1]


@pytest.mark.parametrize(
    "tags, repaired",
    [
        (["I-PER", "I-PER", "O"], ["B-PER", "I-PER", "O"]),
        (["B-LOC", "I-PER", "I-PER"], ["B-LOC", "B-PER", "I-PER"]),
        (["O", "I-ORG", "B-ORG", "I-ORG"], ["O", "B-ORG", "B-ORG", "I-ORG"]),
        (["B-MISC", "I-MISC", "O", "I-MISC"], ["B-MISC", "I-MISC", "O", "B-MISC"]),
        ([], []),
    ],
)
def test_repair_iob2(tags, repaired):
    assert repair_iob2(tags) == repaired


def test_entity_spans():
    assert entity_spans(["B-PER", "I-PER", "O", "B-LOC", "B-LOC", "I-ORG"]) == [
        ("PER", 0, 2),
        ("LOC", 3, 4),
        ("LOC", 4, 5),
        ("ORG", 5, 6),
    ]
    assert entity_spans(["O", "O"]) == []
    with pytest.raises(ValueError, match="IOB2 tag strings"):
        entity_spans(["PER"])
    with pytest.raises(TypeError, match="list of tag strings"):
        repair_iob2("B-PER")


def test_entity_scores_known_values():
    y_true = [["B-PER", "I-PER", "O", "B-LOC"], ["B-ORG", "O"]]
    y_pred = [["B-PER", "I-PER", "O", "B-ORG"], ["B-ORG", "O"]]  # 2 of 3 right, 3 predicted
    scores = entity_scores(y_true, y_pred)
    assert scores["precision"] == pytest.approx(2 / 3)
    assert scores["recall"] == pytest.approx(2 / 3)
    assert scores["f1"] == pytest.approx(2 / 3)
    # a prediction starting with I-: strict mode without repair drops it, repair (or default mode) keeps it
    y_pred = [["I-PER", "I-PER", "O", "B-LOC"], ["B-ORG", "O"]]
    assert entity_scores(y_true, y_pred)["f1"] == pytest.approx(1.0)
    assert entity_scores(y_true, y_pred, repair=False)["recall"] == pytest.approx(2 / 3)
    assert entity_scores(y_true, y_pred, repair=False, mode="default")["f1"] == pytest.approx(1.0)
    assert "PER" in entity_report(y_true, y_pred)
    with pytest.raises(ValueError, match="one tag per word"):
        entity_scores([["O"]], [["O", "O"]])
    with pytest.raises(ValueError, match="mode='lenient'"):
        entity_scores(y_true, y_true, mode="lenient")


def _tiny(cls, layers=2, **kwargs):
    import torch
    from transformers import BertConfig

    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=30522,
        hidden_size=32,
        num_hidden_layers=layers,
        num_attention_heads=2,
        intermediate_size=64,
        **kwargs,
    )
    return cls(config).eval()


def test_predict_tags_one_tag_per_word(tokenizer):
    from transformers import BertForTokenClassification

    model = _tiny(BertForTokenClassification, num_labels=len(NER_TAGS))
    sentences = [WORDS, ["EU", "rejects", "German", "call", "to", "boycott", "British", "lamb", "."]]
    tags = predict_tags(model, tokenizer, sentences, batch_size=1)
    assert [len(t) for t in tags] == [len(s) for s in sentences]
    assert all(t in NER_TAGS for sentence in tags for t in sentence)
    with pytest.raises(TypeError, match="list of word lists"):
        predict_tags(model, tokenizer, WORDS)


def test_word_features_first_subtoken(tokenizer, tiny_bert):
    import torch
    from transformers import BertModel

    sentences = [WORDS, ["EU", "rejects"]]
    last = word_features(tiny_bert, tokenizer, sentences, layers="last")
    assert last.shape == (6, 32)
    enc = tokenizer(WORDS, is_split_into_words=True, return_tensors="pt")
    with torch.no_grad():
        hidden = tiny_bert(**enc).last_hidden_state[0]
    # "Wolfsburg" is word 2 -> its first piece "wolf" is token 5
    np.testing.assert_allclose(last[2], hidden[5].numpy(), atol=1e-5)
    deep = _tiny(BertModel, layers=4)
    assert word_features(deep, tokenizer, sentences, layers="concat_last4").shape == (6, 128)
    with pytest.raises(ValueError, match="needs 4 hidden states"):
        word_features(tiny_bert, tokenizer, sentences, layers="concat_last4")
    with pytest.raises(ValueError, match="not a choice"):
        select_layers((torch.zeros(1),), layers="middle")


def test_highlight_entities_html():
    page = highlight_entities(["Tom", "<b>", "Paris"], ["B-PER", "O", "I-LOC"])
    assert "Tom <b" in page and "PER" in page and "LOC" in page
    assert "&lt;b&gt;" in page  # words are escaped
    with pytest.raises(ValueError, match="one tag per word"):
        highlight_entities(["a"], [])


def test_word_features_several_layers_in_one_pass(tokenizer):
    from transformers import BertModel

    deep = _tiny(BertModel, layers=4)
    both = word_features(deep, tokenizer, [WORDS], layers=["last", "concat_last4"])
    assert both["last"].shape == (4, 32) and both["concat_last4"].shape == (4, 128)
    np.testing.assert_allclose(both["concat_last4"][:, -32:], both["last"], atol=1e-6)


def test_tags_from_logits_and_compute_metrics():
    from types import SimpleNamespace

    labels = np.array([[IGNORE_INDEX, T["B-PER"], IGNORE_INDEX, T["O"], IGNORE_INDEX]])
    logits = np.zeros((1, 5, len(NER_TAGS)))
    logits[0, 1, T["I-PER"]] = 1.0  # predicted I-PER at the start of a word: repaired to B-PER
    logits[0, 3, T["O"]] = 1.0
    y_true, y_pred = tags_from_logits(logits, labels)
    assert y_true == [["B-PER", "O"]] and y_pred == [["I-PER", "O"]]
    scores = ner_compute_metrics()(SimpleNamespace(predictions=logits, label_ids=labels))
    assert scores["f1"] == pytest.approx(1.0)
    with pytest.raises(ValueError, match="do not match"):
        tags_from_logits(logits[:, :3], labels)


def test_exercise_checkers(tokenizer):
    from course_utils.exercises_tasks import check_aligned_labels, check_entity_f1, check_entity_spans

    expected = [
        IGNORE_INDEX,
        T["B-PER"],
        IGNORE_INDEX,
        IGNORE_INDEX,
        T["O"],
        T["B-LOC"],
        IGNORE_INDEX,
        T["O"],
        IGNORE_INDEX,
    ]
    assert check_aligned_labels(WORDS, TAGS, expected, tokenizer)
    assert not check_aligned_labels(WORDS, TAGS, expected[1:], tokenizer)
    assert check_entity_spans(["I-ORG", "O", "B-PER"], [["ORG", 0, 1], ("PER", 2, 3)])
    assert not check_entity_spans(["I-ORG", "O", "B-PER"], [("PER", 2, 3)])
    gold, pred = [["B-PER", "I-PER", "O", "B-LOC"]], [["B-PER", "O", "O", "B-LOC"]]
    assert check_entity_f1(gold, pred, 0.5)
    assert not check_entity_f1(gold, pred, 0.75)
    assert not check_entity_f1(gold, pred, None)


def test_length_sorted_batches_keep_the_input_order(tokenizer, tiny_bert):
    from transformers import BertForTokenClassification

    long = ["EU", "rejects", "German", "call", "to", "boycott", "British", "lamb", "."]
    sentences = [long, ["Hi"], WORDS]
    together = word_features(tiny_bert, tokenizer, sentences, batch_size=2)
    alone = np.concatenate([word_features(tiny_bert, tokenizer, [s]) for s in sentences])
    np.testing.assert_allclose(together, alone, atol=1e-5)
    model = _tiny(BertForTokenClassification, num_labels=len(NER_TAGS))
    tags = predict_tags(model, tokenizer, sentences, batch_size=2)
    assert [len(t) for t in tags] == [9, 1, 4]
    assert tags == [predict_tags(model, tokenizer, [s])[0] for s in sentences]


def test_linear_tagger_and_split_by_sentence():
    rng = np.random.default_rng(0)
    y = np.array([0, 1, 2, 0, 5, 6, 0, 0] * 10)
    X = rng.normal(size=(len(y), 8)) + np.eye(9)[y][:, :8] * 5
    tagger = fit_linear_tagger(X, y, c=1.0, max_iter=200)
    assert (tagger.predict(X) == y).mean() > 0.9
    assert split_by_sentence([0, 1, 2, 5], [3, 1]) == [["O", "B-PER", "I-PER"], ["B-LOC"]]
    with pytest.raises(ValueError, match="add up to 3"):
        split_by_sentence([0, 1, 2, 5], [2, 1])
    with pytest.raises(ValueError, match="one row and one label per word"):
        fit_linear_tagger(X, y[:-1])
