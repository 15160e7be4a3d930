"""Bad input to the NLI (lesson 7) and NER (lesson 9) helpers gets a clear error (issue 17).

The cases below are refused by our own code, naming the argument; the plain tests after them show
that the silent wrong answers found on the way now give the right result.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from bad_input import Fixture, case, run_case
from transformers import BertConfig, BertForSequenceClassification, BertForTokenClassification

from course_utils import entities, ner, ner_probe, nli
from course_utils.data import NER_TAGS, NLI_LABELS

WORDS = ["Steinmeier", "visited", "Wolfsburg", "."]
TAGS = ["B-PER", "O", "B-LOC", "O"]
IDS = [NER_TAGS.index(t) for t in TAGS]
WORD_IDS = [None, 0, 0, 0, 1, 2, 2, 3, None]  # [CLS] stein ##mei ##er visited wolf ##sburg . [SEP]
BATCH = {"tokens": [WORDS], "ner_tags": [IDS]}
LOGITS = np.zeros((1, 5, len(NER_TAGS)))
LABELS = np.array([[ner.IGNORE_INDEX, 1, ner.IGNORE_INDEX, 0, ner.IGNORE_INDEX]])
HIDDEN = tuple(torch.zeros(1, 3, 4) for _ in range(3))
X = np.random.default_rng(0).normal(size=(6, 3))
Y = np.array([0, 1, 0, 1, 0, 1])


pytestmark = pytest.mark.usefixtures("one_thread")


def _config(**kwargs) -> BertConfig:
    return BertConfig(
        vocab_size=30522, hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64, **kwargs
    )


@pytest.fixture(scope="module")
def tiny_tagger():
    torch.manual_seed(0)
    return BertForTokenClassification(_config(num_labels=len(NER_TAGS))).eval()


@pytest.fixture(scope="module")
def tiny_nli():
    torch.manual_seed(0)
    config = _config(num_labels=3, id2label=dict(enumerate(NLI_LABELS)))
    return BertForSequenceClassification(config).eval()


TOK, BERT, TAGGER, NLI_MODEL = Fixture("tokenizer"), Fixture("tiny_bert"), Fixture("tiny_tagger"), Fixture("tiny_nli")

CASES = [
    # -- nli: the phenomenon tagger ------------------------------------------------------------------
    case(nli.words, None, error=TypeError, match="text must be a string, not NoneType"),
    case(nli.words, ["A man sleeps."], error=TypeError, match="text must be a string, not list"),
    case(nli.word_overlap, None, "a dog", error=TypeError, match="premise must be a str, not NoneType"),
    case(nli.word_overlap, "a dog", ["a dog"], error=TypeError, match="hypothesis must be a str, not list"),
    case(nli.tag_phenomena, ["A man sleeps."], ["Nobody sleeps."], error=TypeError, match="premise must be a str"),
    case(nli.tag_phenomena, "A man sleeps.", 3, error=TypeError, match="hypothesis must be a str, not int"),
    case(nli.tag_phenomenon, None, "Nobody sleeps.", error=TypeError, match="premise must be a str"),
    case(nli.accuracy_by_group, "negation", [0], [0], error=TypeError, match="groups must be a list .* not str"),
    case(nli.accuracy_by_group, None, [0], [0], error=TypeError, match="groups must be a list .* not NoneType"),
    case(
        nli.accuracy_by_group,
        [["negation", "number"]],
        [0],
        [0],
        error=TypeError,
        match=r"groups\[0\] is a list .*tag_phenomenon, not tag_phenomena",
    ),
    case(
        nli.accuracy_by_group,
        ["a", "b"],
        [0, 1],
        np.zeros((2, 3)),
        error=ValueError,
        match=r"preds has shape \(2, 3\).*argmax",
    ),
    case(nli.accuracy_by_group, ["a"], "0", [0], error=TypeError, match="labels must be an array of numbers"),
    case(nli.accuracy_by_group, ["a"], None, [0], error=TypeError, match="labels must be an array of numbers"),
    case(nli.accuracy_by_group, [], [], [], error=ValueError, match="labels is empty"),
    case(nli.accuracy_by_group, ["a"], [0, 1], [0, 1], error=ValueError, match="one entry per example"),
    case(
        nli.annotated_phenomena,
        [{"premise": "a"}],
        "test",
        error=TypeError,
        match=r"pairs\[0\] .* 'premise' and 'hypothesis'",
    ),
    case(nli.annotated_phenomena, ["A man sleeps."], "test", error=TypeError, match=r"pairs\[0\] is 'A man sleeps.'"),
    case(
        nli.annotated_phenomena,
        {"premise": ["a"], "hypothesis": ["b"]},
        "test",
        error=TypeError,
        match="not a dict of columns",
    ),
    case(nli.annotated_phenomena, None, "test", error=TypeError, match="pairs must be a datasets.Dataset"),
    case(nli.annotated_phenomena, [], "dev", error=ValueError, match=r"split='dev' is not an NLI split.*'test'"),
    case(nli.annotated_phenomena, [], None, error=ValueError, match="split=None is not an NLI split"),
    case(nli.tagger_agreement, "negation", ["negation"], error=TypeError, match="tags must be a list of strings"),
    case(nli.tagger_agreement, [["negation"]], ["negation"], error=TypeError, match=r"tags\[0\] is a list"),
    case(
        nli.tagger_agreement,
        ["entailment"],
        ["negation"],
        error=ValueError,
        match=r"tags\[0\]='entailment' is unknown: choose one of .*negation",
    ),
    case(nli.tagger_agreement, ["negation"], "negation", error=TypeError, match="annotated must be a list"),
    case(nli.tagger_agreement, ["negation"], None, error=TypeError, match="annotated must be a list"),
    case(nli.tagger_agreement, ["negation", "other"], ["negation"], error=ValueError, match="one entry per pair"),
    # -- nli: zero-shot ------------------------------------------------------------------------------
    case(nli.entailment_id, TOK, error=TypeError, match="model must be a model.*that is a tokenizer"),
    case(nli.entailment_id, BERT, error=ValueError, match="no 'entailment' label"),
    case(
        nli.zero_shot_scores,
        TOK,
        NLI_MODEL,
        ["Goal!"],
        ["sports", "food"],
        error=TypeError,
        match="model must be a model.*that is a tokenizer",
    ),
    case(
        nli.zero_shot_scores,
        NLI_MODEL,
        NLI_MODEL,
        ["Goal!"],
        ["sports", "food"],
        error=TypeError,
        match="tokenizer must be a tokenizer.*that is a model",
    ),
    case(
        nli.zero_shot_scores,
        NLI_MODEL,
        TOK,
        ["Goal!"],
        "sports",
        error=TypeError,
        match="candidate_labels must be a list of labels, not one string.*pass a list",
    ),
    case(
        nli.zero_shot_scores,
        NLI_MODEL,
        TOK,
        ["Goal!"],
        ["sports", 3],
        error=TypeError,
        match=r"candidate_labels\[1\] is a int",
    ),
    case(nli.zero_shot_scores, NLI_MODEL, TOK, ["Goal!"], ["sports"], error=ValueError, match="at least two labels"),
    case(nli.zero_shot_scores, NLI_MODEL, TOK, [], ["sports", "food"], error=ValueError, match="texts is empty"),
    case(
        nli.zero_shot_scores,
        NLI_MODEL,
        TOK,
        None,
        ["sports", "food"],
        error=TypeError,
        match="texts must be a list of strings",
    ),
    case(
        nli.zero_shot_scores,
        NLI_MODEL,
        TOK,
        ["Goal!"],
        ["sports", "food"],
        template="About {label}.",
        error=ValueError,
        match="template=.* needs one '{}'",
    ),
    case(
        nli.zero_shot_scores,
        NLI_MODEL,
        TOK,
        ["Goal!"],
        ["sports", "food"],
        template="{} or {}?",
        error=ValueError,
        match="template=.* needs one '{}'",
    ),
    case(
        nli.zero_shot_scores,
        NLI_MODEL,
        TOK,
        ["Goal!"],
        ["sports", "food"],
        template=None,
        error=TypeError,
        match="template must be a str",
    ),
    # -- ner: alignment ------------------------------------------------------------------------------
    case(ner.align_labels, "0001", IDS, error=TypeError, match="word_ids must be a list of word indices"),
    case(ner.align_labels, None, IDS, error=TypeError, match="word_ids must be a list of word indices"),
    case(ner.align_labels, len, IDS, error=TypeError, match="word_ids is a method: call it"),
    case(ner.align_labels, [None, -1, None], IDS, error=ValueError, match=r"word_ids\[1\] is -1"),
    case(ner.align_labels, WORD_IDS, "B-PER O", error=TypeError, match="word_labels must be a list of label ids"),
    case(
        ner.align_labels,
        WORD_IDS,
        TAGS,
        error=TypeError,
        match=r"word_labels\[0\] is 'B-PER': pass label ids .*NER_TAGS.index",
    ),
    case(ner.align_labels, WORD_IDS, [1, 0, 5.0, 0], error=TypeError, match=r"word_labels\[2\] is a float"),
    case(
        ner.align_labels,
        WORD_IDS,
        [1, 0, 42, 0],
        label_all=True,
        error=ValueError,
        match=r"word_labels\[2\]=42 is not a label id: pass ids from 0 to 8",
    ),
    case(ner.align_labels, WORD_IDS, IDS[:2], error=ValueError, match="only 2 labels"),
    case(
        ner.align_labels,
        WORD_IDS,
        IDS,
        label_names="O B-PER",
        error=TypeError,
        match="label_names must be a list of strings",
    ),
    case(
        ner.tokenize_and_align,
        {"tokens": WORDS, "ner_tags": IDS},
        TOK,
        error=TypeError,
        match=r"examples\['tokens'\]\[0\] is one string.*batched=True",
    ),
    case(
        ner.tokenize_and_align,
        {"tokens": ["Steinmeier visited Wolfsburg ."], "ner_tags": [IDS]},
        TOK,
        error=TypeError,
        match=r"examples\['tokens'\]\[0\] is one string",
    ),
    case(
        ner.tokenize_and_align,
        {"tokens": [WORDS], "ner_tags": [IDS[:3]]},
        TOK,
        error=ValueError,
        match="example 0 has 4 words but 3 tags",
    ),
    case(
        ner.tokenize_and_align,
        {"tokens": [WORDS], "ner_tags": [TAGS]},
        TOK,
        error=TypeError,
        match=r"examples\['ner_tags'\]\[0\]\[0\] is 'B-PER'",
    ),
    case(
        ner.tokenize_and_align,
        {"tokens": [WORDS, WORDS], "ner_tags": [IDS]},
        TOK,
        error=ValueError,
        match=r"must have the same length: examples\['tokens'\] has 2",
    ),
    case(ner.tokenize_and_align, {"tokens": [WORDS]}, TOK, error=ValueError, match="no 'ner_tags' column"),
    case(ner.tokenize_and_align, None, TOK, error=TypeError, match="examples must be a datasets.Dataset"),
    case(ner.tokenize_and_align, BATCH, BERT, error=TypeError, match="tokenizer must be a tokenizer.*that is a model"),
    case(ner.tokenize_and_align, BATCH, TOK, max_length=0, error=ValueError, match="max_length=0 is too small"),
    case(ner.tokenize_and_align, BATCH, TOK, max_length=4096, error=ValueError, match="max_length=4096 is too large"),
    case(ner.tokenize_and_align, BATCH, TOK, max_length=96.0, error=TypeError, match="max_length must be an int"),
    case(ner.word_level, [1, 2, 3], "012", 3, error=TypeError, match="word_ids must be a list of word indices"),
    case(ner.word_level, None, [None, 0, None], 1, error=TypeError, match="token_values must be a list or array"),
    case(
        ner.word_level,
        [1, 2],
        [None, 0, None],
        1,
        error=ValueError,
        match="token_values and word_ids must have the same length",
    ),
    case(
        ner.word_level,
        [0, 1, 2, 0],
        [None, 0, 1, None],
        1,
        error=ValueError,
        match="word_ids mentions word 1 but n_words=1",
    ),
    case(ner.word_level, [0, 1, 0], [None, 0, None], -1, error=ValueError, match="n_words=-1 is too small"),
    case(ner.word_level, [0, 1, 0], [None, 0, None], 1.0, error=TypeError, match="n_words must be an int"),
    # -- ner: decoding and scoring -------------------------------------------------------------------
    case(entities.repair_iob2, "B-PER", error=TypeError, match="tags must be a list of tag strings.*pass a list"),
    case(entities.repair_iob2, None, error=TypeError, match="tags must be a list of tag strings.*not NoneType"),
    case(entities.repair_iob2, IDS, error=TypeError, match="tags contains 1, not a tag string.*NER_TAGS"),
    case(entities.repair_iob2, ["PER", "O"], error=ValueError, match="tags contains 'PER': use IOB2 tag strings"),
    case(entities.entity_spans, "B-PER I-PER", error=TypeError, match="tags must be a list of tag strings"),
    case(entities.entity_spans, ["B-PER", "X"], error=ValueError, match="tags contains 'X'"),
    case(
        entities.entity_scores,
        TAGS,
        [TAGS],
        error=TypeError,
        match="y_true is a flat list of tags.*one list per sentence",
    ),
    case(
        entities.entity_scores, [TAGS], "B-PER O B-LOC O", error=TypeError, match="y_pred must be a list of tag lists"
    ),
    case(entities.entity_scores, [], [], error=ValueError, match="y_true is empty"),
    case(entities.entity_scores, [TAGS], [IDS], error=TypeError, match=r"y_pred\[0\] contains 1, not a tag string"),
    case(entities.entity_scores, [TAGS], [TAGS, TAGS], error=ValueError, match="1 sentences but y_pred has 2"),
    case(entities.entity_scores, [TAGS], [TAGS[:3]], error=ValueError, match="4 gold tags but 3 predicted"),
    case(
        entities.entity_scores,
        [TAGS],
        [TAGS],
        mode="lenient",
        error=ValueError,
        match=r"mode='lenient' is unknown: choose one of \['strict', 'default'\]",
    ),
    case(entities.entity_report, TAGS, TAGS, error=TypeError, match="y_true is a flat list of tags"),
    case(entities.entity_report, None, [TAGS], error=TypeError, match="y_true must be a list of tag lists"),
    case(ner.tags_from_logits, LOGITS[0], LABELS, error=ValueError, match=r"logits has shape \(5, 9\).*batch, tokens"),
    case(ner.tags_from_logits, None, LABELS, error=TypeError, match="logits must be an array"),
    case(
        ner.tags_from_logits,
        LOGITS[..., :3],
        LABELS,
        error=ValueError,
        match="logits have 3 classes but label_names has 9",
    ),
    case(ner.tags_from_logits, LOGITS[:, :3], LABELS, error=ValueError, match="do not match"),
    case(ner.tags_from_logits, LOGITS, LABELS + 20, error=ValueError, match="labels must be label ids from 0 to 8"),
    case(ner.tags_from_logits, LOGITS, LABELS.astype(float), error=ValueError, match="labels must be label ids"),
    case(
        ner.tags_from_logits,
        LOGITS,
        LABELS,
        label_names="O",
        error=TypeError,
        match="label_names must be a list of strings",
    ),
    case(ner.ner_compute_metrics, "O B-PER I-PER", error=TypeError, match="label_names must be a list of tag strings"),
    case(ner.ner_compute_metrics, ["O", "PER"], error=ValueError, match="label_names contains 'PER'"),
    case(ner.ner_compute_metrics, [], error=ValueError, match="label_names is empty"),
    # -- ner: running a model ------------------------------------------------------------------------
    case(ner.predict_tags, TAGGER, TOK, WORDS, error=TypeError, match=r"sentences\[0\] is one string.*\[words\]"),
    case(
        ner.predict_tags,
        TAGGER,
        TOK,
        "EU rejects German call",
        error=TypeError,
        match="sentences must be a list of word lists.*not str",
    ),
    case(ner.predict_tags, TAGGER, TOK, None, error=TypeError, match="sentences must be a list of word lists"),
    case(ner.predict_tags, TAGGER, TOK, [WORDS, ["EU", 3]], error=TypeError, match=r"sentences\[1\]\[1\] is a int"),
    case(ner.predict_tags, TOK, TAGGER, [WORDS], error=TypeError, match="model must be a model.*that is a tokenizer"),
    case(
        ner.predict_tags,
        TAGGER,
        TAGGER,
        [WORDS],
        error=TypeError,
        match="tokenizer must be a tokenizer.*that is a model",
    ),
    case(
        ner.predict_tags,
        BERT,
        TOK,
        [WORDS],
        error=TypeError,
        match="no per-token logits: pass a token-classification model",
    ),
    case(ner.predict_tags, NLI_MODEL, TOK, [WORDS], error=TypeError, match="no per-token logits"),
    case(
        ner.predict_tags,
        TAGGER,
        TOK,
        [WORDS],
        ["O", "B-PER", "I-PER"],
        error=ValueError,
        match="model predicts 9 classes but label_names has 3",
    ),
    case(
        ner.predict_tags,
        TAGGER,
        TOK,
        [WORDS],
        [t for t in NER_TAGS if t != "O"],
        error=ValueError,
        match="label_names .* has no 'O'",
    ),
    case(ner.predict_tags, TAGGER, TOK, [WORDS], batch_size=0, error=ValueError, match="batch_size=0 is too small"),
    case(ner.predict_tags, TAGGER, TOK, [WORDS], batch_size=0.5, error=TypeError, match="batch_size must be an int"),
    case(ner.predict_tags, TAGGER, TOK, [WORDS], max_length=2, error=ValueError, match="max_length=2 is too small"),
    case(ner.predict_tags, TAGGER, TOK, [WORDS], max_length=None, error=TypeError, match="max_length must be an int"),
    case(
        ner_probe.select_layers, None, error=TypeError, match="hidden_states is None: run the model with output_hidden"
    ),
    case(
        ner_probe.select_layers,
        torch.zeros(2, 3, 4),
        error=TypeError,
        match="hidden_states must be the tuple of every layer's output.*not Tensor",
    ),
    case(ner_probe.select_layers, (), error=ValueError, match="hidden_states is empty"),
    case(ner_probe.select_layers, HIDDEN, layers="middle", error=ValueError, match="layers='middle' is not a choice"),
    case(ner_probe.select_layers, HIDDEN, layers=3, error=ValueError, match="layers=3 is not a choice.*below 3"),
    case(ner_probe.select_layers, HIDDEN, layers="concat_last4", error=ValueError, match="needs 4 hidden states"),
    case(
        ner_probe.select_layers,
        tuple(np.zeros((1, 3, 4)) for _ in range(4)),
        layers="sum_last4",
        error=TypeError,
        match="hidden_states must hold tensors",
    ),
    case(ner_probe.word_features, BERT, TOK, WORDS, error=TypeError, match=r"sentences\[0\] is one string"),
    case(ner_probe.word_features, BERT, TOK, [], error=ValueError, match="sentences is empty"),
    case(
        ner_probe.word_features, TOK, BERT, [WORDS], error=TypeError, match="model must be a model.*that is a tokenizer"
    ),
    case(ner_probe.word_features, BERT, BERT, [WORDS], error=TypeError, match="tokenizer must be a tokenizer"),
    case(
        ner_probe.word_features,
        BERT,
        TOK,
        [WORDS],
        layers="middle",
        error=ValueError,
        match="layers has 'middle', not a choice",
    ),
    case(ner_probe.word_features, BERT, TOK, [WORDS], layers=[], error=ValueError, match="layers is empty"),
    case(
        ner_probe.word_features, BERT, TOK, [WORDS], layers=None, error=TypeError, match="layers must be a layer choice"
    ),
    case(
        ner_probe.word_features,
        BERT,
        TOK,
        [WORDS],
        layers="concat_last4",
        error=ValueError,
        match="needs 4 hidden states",
    ),
    case(
        ner_probe.word_features, BERT, TOK, [WORDS], batch_size=-1, error=ValueError, match="batch_size=-1 is too small"
    ),
    case(
        ner_probe.word_features,
        BERT,
        TOK,
        [WORDS],
        max_length="256",
        error=TypeError,
        match="max_length must be an int",
    ),
    case(ner_probe.fit_linear_tagger, "X", Y, error=TypeError, match="features must be an array"),
    case(ner_probe.fit_linear_tagger, None, Y, error=TypeError, match="features must be an array"),
    case(
        ner_probe.fit_linear_tagger, [["a", "b"]] * 6, Y, error=TypeError, match="features must be an array of numbers"
    ),
    case(
        ner_probe.fit_linear_tagger,
        X[0],
        Y,
        error=ValueError,
        match="do not match: pass one row and one label per word",
    ),
    case(ner_probe.fit_linear_tagger, X, Y[:-1], error=ValueError, match=r"labels \(5\) do not match"),
    case(
        ner_probe.fit_linear_tagger, X, "010101", error=TypeError, match="labels must be a list or array of label ids"
    ),
    case(ner_probe.fit_linear_tagger, X, np.zeros(6), error=ValueError, match="labels has 1 class"),
    case(ner_probe.fit_linear_tagger, X, Y, c=0, error=ValueError, match="c=0 is too small"),
    case(ner_probe.fit_linear_tagger, X, Y, c=-1.0, error=ValueError, match="c=-1 is too small"),
    case(ner_probe.fit_linear_tagger, X, Y, c="0.1", error=TypeError, match="c must be a number"),
    case(ner_probe.fit_linear_tagger, X, Y, max_iter=0, error=ValueError, match="max_iter=0 is too small"),
    case(ner_probe.fit_linear_tagger, X, Y, max_iter=50.5, error=TypeError, match="max_iter must be an int"),
    case(
        ner_probe.split_by_sentence,
        [0, 1, 2, 5],
        4,
        error=TypeError,
        match="lengths must be a list of sentence lengths",
    ),
    case(
        ner_probe.split_by_sentence, [0, 1, 2, 5], [3, -1, 2], error=ValueError, match=r"lengths\[1\]=-1 is too small"
    ),
    case(ner_probe.split_by_sentence, [0, 1, 2, 5], [2.0, 2.0], error=TypeError, match=r"lengths\[0\] must be an int"),
    case(ner_probe.split_by_sentence, [0, 1, 2, 5], [2, 1], error=ValueError, match="add up to 3"),
    case(
        ner_probe.split_by_sentence,
        ["O", "B-PER"],
        [2],
        error=TypeError,
        match="word_labels must be an array of numbers",
    ),
    case(ner_probe.split_by_sentence, [0, -1], [2], error=ValueError, match="word_labels has -1, not a label id"),
    case(ner_probe.split_by_sentence, [0, 9], [2], error=ValueError, match="word_labels has 9, not a label id.*0 to 8"),
    case(ner_probe.split_by_sentence, [0, 1.5], [2], error=ValueError, match="word_labels has 1.5, not a label id"),
    case(ner_probe.split_by_sentence, [[0, 1]], [2], error=ValueError, match=r"word_labels has shape \(1, 2\)"),
    # -- ner: display --------------------------------------------------------------------------------
    case(
        entities.highlight_entities,
        "Tom",
        ["B-PER", "O", "O"],
        error=TypeError,
        match="words must be a list of words, one per tag, not one string.*pass a list",
    ),
    case(entities.highlight_entities, ["Tom"], "B-PER", error=TypeError, match="tags must be a list of tag strings"),
    case(entities.highlight_entities, None, ["B-PER"], error=TypeError, match="words must be a list of strings"),
    case(entities.highlight_entities, ["Tom", 3], ["B-PER", "O"], error=TypeError, match=r"words\[1\] is a int"),
    case(entities.highlight_entities, ["Tom", "Paris"], ["B-PER"], error=ValueError, match="one tag per word"),
    case(entities.show_entities, "Tom", ["B-PER", "O", "O"], error=TypeError, match="not one string.*pass a list"),
    case(entities.show_entities, ["Tom"], [1], error=TypeError, match="tags contains 1"),
]


@pytest.mark.parametrize(("func", "args", "kwargs", "error", "match"), CASES)
def test_bad_input_gets_a_clear_error(request, func, args, kwargs, error, match):
    run_case(request, func, args, kwargs, error, match)


# Silent wrong answers, now right -------------------------------------------------------------------


def test_words_keep_accents_and_split_cjk_characters():
    assert nli.words("Café naïve") == ["café", "naïve"]
    assert nli.words("cafe\u0301") == ["café"]  # a combining accent is the same word
    assert nli.words("He hadn’t called.") == ["he", "hadn't", "called"]  # a typographic apostrophe
    assert nli.words("我爱北京 in Beijing中文") == ["我", "爱", "北", "京", "in", "beijing", "中", "文"]
    assert nli.words("") == []
    # the negation in "isn’t" is found, the accented word counts for the overlap
    assert nli.tag_phenomenon("A man sits in a café.", "The man isn’t sitting.") == "negation"
    assert nli.word_overlap("Une fête à Zürich.", "fête Zürich") == 1.0


def test_accuracy_by_group_keeps_examples_without_a_group():
    table = nli.accuracy_by_group(["a", None, None], [0, 1, 1], [0, 1, 0])
    assert table["n"].sum() == 3  # the two examples without a group are not dropped
    assert table.loc["a", "accuracy"] == 1.0


def test_annotated_phenomena_of_no_pairs_is_empty():
    assert nli.annotated_phenomena([], "test") == []


def test_zero_shot_takes_one_text_as_one_row(tokenizer):
    torch.manual_seed(0)
    model = BertForSequenceClassification(_config(num_labels=3, id2label=dict(enumerate(NLI_LABELS)))).eval()
    one = nli.zero_shot_scores(model, tokenizer, "Goal in the last minute.", ["sports", "food"])
    listed = nli.zero_shot_scores(model, tokenizer, ["Goal in the last minute."], ["sports", "food"])
    assert one.shape == (1, 2)
    np.testing.assert_allclose(one, listed)


def test_zero_shot_truncates_long_texts_to_the_model(tokenizer):
    torch.manual_seed(0)
    config = _config(num_labels=3, id2label=dict(enumerate(NLI_LABELS)), max_position_embeddings=64)
    model = BertForSequenceClassification(config).eval()
    scores = nli.zero_shot_scores(model, tokenizer, [" ".join(["word"] * 300)], ["sports", "food"])
    assert scores.shape == (1, 2) and scores.sum() == pytest.approx(1.0)


# single-piece words (one token each), so that a window of max_length tokens holds max_length - 2 words
LONG = ["the", "cat", "sat", "on", "a", "mat", "and", "then", "it", "ran", "to", "my", "house"] * 5


def test_predict_tags_reads_long_sentences_in_windows(tokenizer, tiny_tagger):
    assert all(len(tokenizer.tokenize(w)) == 1 for w in LONG)
    tags = ner.predict_tags(tiny_tagger, tokenizer, [LONG, WORDS], max_length=12)
    assert [len(t) for t in tags] == [len(LONG), len(WORDS)]
    # the first window holds the first 10 words: they are tagged as if the sentence stopped there
    assert tags[0][:10] == ner.predict_tags(tiny_tagger, tokenizer, [LONG[:10]], max_length=12)[0]
    assert tags[1] == ner.predict_tags(tiny_tagger, tokenizer, [WORDS])[0]
    # before: every word after the first 10 got "O"; now each is predicted (a random model rarely says O)
    assert any(t != "O" for t in tags[0][10:])


def test_long_sentences_fit_the_model_instead_of_crashing(tokenizer):
    torch.manual_seed(0)
    model = BertForTokenClassification(_config(num_labels=len(NER_TAGS), max_position_embeddings=32)).eval()
    long = LONG * 3  # 195 tokens: more than the model's 32 positions, less than max_length=256
    assert len(ner.predict_tags(model, tokenizer, [long])[0]) == len(long)
    assert len(ner.predict_tags(model, tokenizer, [long], max_length=4096)[0]) == len(long)  # capped


def test_word_features_of_long_sentences_have_no_zero_rows(tokenizer, tiny_bert):
    features = ner_probe.word_features(tiny_bert, tokenizer, [LONG], max_length=12)
    assert features.shape == (len(LONG), 32)
    assert np.abs(features).sum(1).min() > 0  # before: zero vectors after the 10th word
    first = ner_probe.word_features(tiny_bert, tokenizer, [LONG[:10]], max_length=12)
    np.testing.assert_allclose(features[:10], first, atol=1e-5)
    assert ner_probe.word_features(tiny_bert, tokenizer, [[""], WORDS]).shape == (5, 32)  # '' has no token: a zero row


def test_empty_inputs_give_empty_results(tokenizer, tiny_tagger):
    assert ner.predict_tags(tiny_tagger, tokenizer, []) == []
    assert ner.predict_tags(tiny_tagger, tokenizer, [[], WORDS])[0] == []
    assert entities.repair_iob2([]) == [] and entities.entity_spans([]) == []
    assert entities.highlight_entities([], []) == '<div style="line-height:2"></div>'
    assert ner_probe.split_by_sentence([], []) == []
    assert ner.word_level([], [], 0) == []


def test_tokenize_and_align_accepts_a_whole_split(tokenizer):
    from datasets import Dataset

    split = Dataset.from_dict({"tokens": [WORDS, ["EU", "rejects"]], "ner_tags": [IDS, [3, 0]]})
    out = ner.tokenize_and_align(split, tokenizer)
    assert out["labels"] == ner.tokenize_and_align(split[:], tokenizer)["labels"]
    mapped = split.map(lambda b: ner.tokenize_and_align(b, tokenizer), batched=True)
    assert mapped["labels"] == out["labels"]
