"""Tests of course_utils.nli (lesson 7): the phenomenon tagger, grouped accuracy, zero-shot by entailment."""

from __future__ import annotations

import copy
import json

import numpy as np
import pytest
import torch
from transformers import BertForSequenceClassification

from course_utils import exercises_tasks as ex
from course_utils import nli
from course_utils.data import NLI_LABELS, offline_files

pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.mark.parametrize(
    ("premise", "hypothesis", "tag"),
    [
        ("A toddler is crying in a cart.", "The toddler isn't making a sound.", "negation"),
        ("A toddler is crying in a cart.", "The toddler is not making a sound.", "negation"),
        ("He hadn't called in weeks.", "He called his father.", "other"),  # negation in the premise only
        ("Few settlers survived the winter.", "Most of the settlers died.", "quantifier"),
        (
            "Elderly women are selling baskets at a stall.",
            "Elderly women are buying baskets at a stall.",
            "word_overlap",
        ),
        ("Two nurses push a stretcher.", "Four nurses push a stretcher down a hall.", "number"),
        ("Two nurses push a stretcher.", "It cost 1,200 dollars.", "number"),
        ("The rooster crows at 4:30.", "The rooster crows before sunrise.", "temporal"),
        ("A man plays a guitar.", "Someone is making music.", "quantifier"),
        ("A man plays a guitar.", "A musician performs.", "other"),
    ],
)
def test_tag_phenomenon(premise, hypothesis, tag):
    assert nli.tag_phenomenon(premise, hypothesis) == tag


def test_tag_phenomena_lists_every_tag_in_order():
    tags = nli.tag_phenomena("Not one of the three restaurants was good.", "All three restaurants were not good.")
    assert tags == ["negation", "quantifier", "word_overlap", "number"]
    assert tags[0] == nli.tag_phenomenon(
        "Not one of the three restaurants was good.", "All three restaurants were not good."
    )
    assert all(t in nli.TAGS for t in tags)


def test_words_and_overlap():
    assert nli.words("Tom's dad hadn't called, 3 times!") == ["tom's", "dad", "hadn't", "called", "3", "times"]
    assert nli.word_overlap("a dog runs in the park", "the dog runs") == 1.0
    assert nli.word_overlap("a dog runs in the park", "a cat sleeps") == 0.0
    assert nli.word_overlap("anything", "the a of") == 0.0  # only stop words
    with pytest.raises(TypeError, match="text must be a string"):
        nli.words(None)


def test_accuracy_by_group_counts_errors_and_sorts_worst_first():
    table = nli.accuracy_by_group(["a", "a", "b", "b", "b"], [0, 1, 2, 2, 2], [0, 0, 2, 2, 2])
    assert list(table.index) == ["a", "b"]
    assert table.loc["a", "n"] == 2 and table.loc["a", "errors"] == 1 and table.loc["a", "accuracy"] == 0.5
    assert table.loc["b", "errors"] == 0 and table.loc["b", "accuracy"] == 1.0
    with pytest.raises(ValueError, match="one entry per example"):
        nli.accuracy_by_group(["a"], [0, 1], [0, 1])


def test_annotated_phenomena_line_up_with_the_rows():
    rows = [json.loads(line) for line in open(offline_files("nli")["test"], encoding="utf-8")]
    pairs = [{"premise": r["premise"], "hypothesis": r["hypothesis"]} for r in rows[::-1]]
    pairs.append({"premise": "not in the file", "hypothesis": "at all"})
    got = nli.annotated_phenomena(pairs, "test")
    assert got[:-1] == [r["phenomenon"] for r in rows[::-1]]
    assert got[-1] is None
    with pytest.raises(ValueError, match="split='dev'"):
        nli.annotated_phenomena(pairs, "dev")


def test_tagger_agreement_precision_and_recall():
    table = nli.tagger_agreement(
        ["negation", "negation", "number", "other", "number"], ["negation", "temporal", "number", "number", None]
    )
    assert table.loc["negation", "precision"] == 0.5 and table.loc["negation", "recall"] == 1.0
    assert table.loc["number", "tagged"] == 1  # the unannotated pair is left out
    assert table.loc["number", "precision"] == 1.0 and table.loc["number", "recall"] == 0.5
    assert np.isnan(table.loc["quantifier", "precision"])
    with pytest.raises(ValueError, match="offline only"):
        nli.tagger_agreement(["other"], [None])


def test_tagger_beats_chance_on_the_course_data():
    rows = [json.loads(line) for line in open(offline_files("nli")["train"], encoding="utf-8")]
    tags = [nli.tag_phenomenon(r["premise"], r["hypothesis"]) for r in rows]
    table = nli.tagger_agreement(tags, [r["phenomenon"] for r in rows])
    for tag in ("negation", "number", "quantifier", "temporal", "word_overlap"):
        base_rate = table.loc[tag, "annotated"] / len(rows)
        assert table.loc[tag, "precision"] > 2 * base_rate, tag


# Zero-shot by entailment --------------------------------------------------------------------


@pytest.fixture
def tiny_nli(tiny_bert):
    config = copy.deepcopy(tiny_bert.config)
    config.num_labels = 3
    config.id2label = dict(enumerate(NLI_LABELS))
    config.label2id = {v: k for k, v in config.id2label.items()}
    torch.manual_seed(0)
    return BertForSequenceClassification(config).eval()


def test_zero_shot_scores_match_the_pipeline(tiny_nli, tokenizer):
    from transformers import pipeline

    texts = ["The striker scored twice in the final.", "Parliament passed the budget."]
    labels = ["sports", "politics", "cooking"]
    ours = nli.zero_shot_scores(tiny_nli, tokenizer, texts, labels, template="This text is about {}.")
    assert ours.shape == (2, 3)
    np.testing.assert_allclose(ours.sum(1), 1.0, rtol=1e-6)
    classify = pipeline("zero-shot-classification", model=tiny_nli, tokenizer=tokenizer, device="cpu")
    for text, row in zip(texts, ours, strict=True):
        got = classify(text, candidate_labels=labels, hypothesis_template="This text is about {}.")
        theirs = dict(zip(got["labels"], got["scores"], strict=True))
        np.testing.assert_allclose([theirs[label] for label in labels], row, rtol=1e-4, atol=1e-6)


def test_zero_shot_needs_an_entailment_label_and_a_template(tiny_bert, tiny_nli, tokenizer):
    assert nli.entailment_id(tiny_nli) == 0
    config = copy.deepcopy(tiny_bert.config)
    config.num_labels = 3
    no_names = BertForSequenceClassification(config)
    with pytest.raises(ValueError, match="entailment"):
        nli.zero_shot_scores(no_names, tokenizer, ["x"], ["a", "b"])
    with pytest.raises(ValueError, match="template"):
        nli.zero_shot_scores(tiny_nli, tokenizer, ["x"], ["a", "b"], template="no slot")
    with pytest.raises(ValueError, match="two labels"):
        nli.zero_shot_scores(tiny_nli, tokenizer, ["x"], ["a"])


# Lesson 7 exercise checkers --------------------------------------------------------------------


def test_check_hypothesis_segment(tokenizer):
    # "it rains" -> 2 tokens + [SEP]
    assert ex.check_hypothesis_segment("The sky is grey.", "it rains", 3, tokenizer)
    assert not ex.check_hypothesis_segment("The sky is grey.", "it rains", 2, tokenizer)


def test_check_softmax_prob():
    logits = [2.0, 0.5, -1.0]
    p = float(torch.softmax(torch.tensor(logits), 0)[0])
    assert ex.check_softmax_prob(logits, 0, round(p, 3))
    assert not ex.check_softmax_prob(logits, 0, 0.5)


def test_check_zero_shot_pairs():
    pairs = [("Goal!", "This is about sports."), ("Goal!", "This is about food.")]
    assert ex.check_zero_shot_pairs("Goal!", ["sports", "food"], "This is about {}.", pairs)
    assert not ex.check_zero_shot_pairs("Goal!", ["sports", "food"], "This is about {}.", pairs[::-1])
    assert not ex.check_zero_shot_pairs("Goal!", ["sports", "food"], "This is about {}.", None)


def test_check_phenomenon():
    assert ex.check_phenomenon("A man sleeps.", "Nobody is sleeping.", "negation")
    assert not ex.check_phenomenon("A man sleeps.", "Nobody is sleeping.", "other")


def test_zero_shot_works_with_the_custom_head(tiny_bert, tokenizer):
    from course_utils.classifier import BertClassifier

    model = BertClassifier(copy.deepcopy(tiny_bert), 3, pooling="mean", id2label=dict(enumerate(NLI_LABELS))).eval()
    assert nli.entailment_id(model) == 0
    scores = nli.zero_shot_scores(model, tokenizer, ["A goal in the last minute."], ["sports", "food"])
    assert scores.shape == (1, 2) and scores.sum() == pytest.approx(1.0)
