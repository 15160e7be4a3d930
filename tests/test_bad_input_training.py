"""Bad input to course_utils.training gets a clear error from our code (issue 17), and the silent wrong
answers found on the way now give the right result or a refusal."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch
from bad_input import Fixture, case, run_case
from datasets import Dataset, DatasetDict
from transformers import BertForSequenceClassification

from course_utils import classifier as clf
from course_utils import learning_curves as lc
from course_utils import predictions as pred
from course_utils import run_sizes as rs
from course_utils import trainer_setup as ts
from course_utils import training as tr

SENTENCES = ["a wonderful, moving film", "dull and far too long", "funny, warm and clever", "boring, boring"]
LABELS = [1, 0, 1, 0]
TINY_RUN = rs.RunSize("sentiment", "quick", None, None, 1, 2, 32, 1e-3)
HISTORY = [{"loss": 0.7, "step": 1, "epoch": 0.5}, {"eval_loss": 0.6, "eval_accuracy": 0.7, "step": 1, "epoch": 0.5}]


pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.fixture
def classifier(tiny_bert) -> BertForSequenceClassification:
    torch.manual_seed(0)
    config = copy.deepcopy(tiny_bert.config)
    config.num_labels = 2
    return BertForSequenceClassification(config).eval()


@pytest.fixture
def custom(tiny_bert) -> clf.BertClassifier:
    torch.manual_seed(0)
    return clf.BertClassifier(copy.deepcopy(tiny_bert), 2).eval()


@pytest.fixture
def frozen(classifier):
    return classifier.requires_grad_(False)


@pytest.fixture
def raw() -> Dataset:
    return Dataset.from_dict({"sentence": SENTENCES, "label": LABELS})


@pytest.fixture
def encoded(raw, tokenizer) -> Dataset:
    return raw.map(lambda b: tokenizer(b["sentence"], truncation=True, max_length=32), batched=True)


@pytest.fixture
def three_labels(encoded) -> Dataset:
    return encoded.map(lambda row, i: {"label": i % 3}, with_indices=True)


@pytest.fixture
def unlabelled(encoded) -> Dataset:
    return encoded.map(lambda row: {"label": -1})


@pytest.fixture
def no_label(encoded) -> Dataset:
    return encoded.remove_columns("label")


@pytest.fixture
def empty_encoded() -> Dataset:
    return Dataset.from_dict({"input_ids": [], "label": []})


@pytest.fixture
def data_dict(raw) -> DatasetDict:
    return DatasetDict({"train": raw, "test": raw})


@pytest.fixture
def encoded_dict(encoded) -> DatasetDict:
    return DatasetDict({"train": encoded, "test": encoded})


@pytest.fixture
def batch(tokenizer):
    return tokenizer(["a short one", "and a longer second one"], padding=True, return_tensors="pt")


@pytest.fixture
def encoder_outputs(tiny_bert, batch):
    with torch.no_grad():
        return tiny_bert(**batch)


@pytest.fixture
def a_file(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("not a folder")
    return path


@pytest.fixture
def missing(tmp_path):
    return tmp_path / "no_such_folder"


@pytest.fixture
def model_without_tokenizer(classifier, tmp_path):
    classifier.save_pretrained(tmp_path / "model_only")
    return tmp_path / "model_only"


TOK, MODEL, CUSTOM = Fixture("tokenizer"), Fixture("classifier"), Fixture("custom")
RAW, ENCODED = Fixture("raw"), Fixture("encoded")

CASES = [
    # run sizes
    case(rs.RunSize, "sentiment", "quick", None, None, 1, 0, 64, 2e-5, error=ValueError, match="batch_size=0"),
    case(
        rs.RunSize,
        "sentiment",
        "quick",
        None,
        None,
        1,
        16.0,
        64,
        2e-5,
        error=TypeError,
        match="batch_size must be an int, not float",
    ),
    case(rs.RunSize, "sentiment", "quick", None, None, 0, 16, 64, 2e-5, error=ValueError, match="epochs=0"),
    case(
        rs.RunSize,
        "sentiment",
        "huge",
        None,
        None,
        1,
        16,
        64,
        2e-5,
        error=ValueError,
        match=r"size='huge' is unknown: choose one of \['quick', 'full'\]",
    ),
    case(rs.RunSize, "sentiment", "quick", -5, None, 1, 16, 64, 2e-5, error=ValueError, match="train_examples=-5"),
    case(
        rs.RunSize,
        "sentiment",
        "quick",
        None,
        None,
        1,
        16,
        64,
        "2e-5",
        error=TypeError,
        match="learning_rate must be a number",
    ),
    case(
        rs.RunSize,
        "sentiment",
        "quick",
        None,
        None,
        1,
        16,
        64,
        2e-5,
        warmup_ratio=1.5,
        error=ValueError,
        match="warmup_ratio=1.5 is too large",
    ),
    case(
        rs.RunSize,
        "sentiment",
        "quick",
        None,
        None,
        1,
        16,
        64,
        2e-5,
        warmup_ratio=1,
        error=ValueError,
        match="warmup_ratio=1 is too large",
    ),
    case(
        rs.RunSize,
        "qa",
        "quick",
        None,
        None,
        1,
        16,
        64,
        2e-5,
        stride=64,
        error=ValueError,
        match="stride=64 is too large",
    ),
    case(rs.RunSize.steps, TINY_RUN, ENCODED, error=TypeError, match="n_train must be an int, not Dataset"),
    case(rs.RunSize.steps, TINY_RUN, -1, error=ValueError, match="n_train=-1"),
    case(rs.run_size, "imdb", "quick", error=ValueError, match=r"task='imdb' is unknown: choose one of \["),
    case(rs.run_size, "sentiment", "huge", error=ValueError, match="size='huge' is unknown"),
    case(rs.run_size, "quick", error=ValueError, match="task='quick' is unknown"),
    case(rs.run_size, None, "quick", error=ValueError, match="task=None is unknown"),
    case(tr.freeze_lower_layers, TOK, 2, error=TypeError, match="that is a tokenizer: pass the model"),
    case(tr.freeze_lower_layers, MODEL, 0.5, error=TypeError, match="trainable_layers must be an int, not float"),
    case(tr.freeze_lower_layers, MODEL, -1, error=ValueError, match="trainable_layers=-1 is too small"),
    case(tr.freeze_lower_layers, MODEL, 5, error=ValueError, match="trainable_layers=5 is too large: pass an int <= 2"),
    case(tr.take, Fixture("data_dict"), 10, error=TypeError, match=r"one split, e.g. data\['train'\]"),
    case(tr.take, RAW, 0.5, error=TypeError, match="n must be an int, not float"),
    case(tr.take, RAW, -3, error=ValueError, match="n=-3 is too small"),
    case(tr.take, SENTENCES, 2, error=TypeError, match="must be a datasets.Dataset"),
    case(tr.take, {"sentence": SENTENCES}, 2, error=TypeError, match="dataset must be a datasets.Dataset, not dict"),
    case(tr.take, RAW, 2, seed="42", error=TypeError, match="seed must be an int"),
    case(tr.length_grouped, RAW, 16, error=ValueError, match=r"dataset has no column\(s\) \['input_ids'\]"),
    case(tr.length_grouped, Fixture("data_dict"), 16, error=TypeError, match="one split"),
    case(tr.length_grouped, ENCODED, 0, error=ValueError, match="batch_size=0 is too small"),
    case(tr.length_grouped, ENCODED, 16, seed=-1, error=ValueError, match="seed=-1 is too small"),
    case(tr.output_dir, None, error=TypeError, match="name must be a str"),
    case(tr.output_dir, "", error=ValueError, match="name is empty"),
    case(tr.output_dir, "../escape", error=ValueError, match="plain folder name"),
    # metrics
    case(ts.classification_metrics, [0, 1], [0], error=ValueError, match="labels and preds must have the same length"),
    case(
        ts.classification_metrics,
        [0, 1],
        [[0.2, 0.8], [0.9, 0.1]],
        error=ValueError,
        match=r"these look like logits, pass class ids \(preds.argmax\(-1\)\)",
    ),
    case(ts.classification_metrics, [0, 1], [0.3, 0.9], error=ValueError, match="preds holds non-integer values"),
    case(ts.classification_metrics, [], [], error=ValueError, match="labels is empty"),
    case(ts.classification_metrics, "0101", "0101", error=TypeError, match="labels must be an array of numbers"),
    case(ts.classification_metrics, None, [0, 1], error=TypeError, match="labels must be an array of numbers"),
    case(ts.compute_metrics, ([0.2, 0.8], [1, 0]), error=ValueError, match="logits must have 2 dimension"),
    case(ts.compute_metrics, "predictions", error=TypeError, match="eval_pred must be an EvalPrediction"),
    # Trainer arguments and the callback
    case(ts.training_args, "sentiment", Fixture("tmp_path"), error=TypeError, match=r"pass run_size\('sentiment'\)"),
    case(ts.training_args, TINY_RUN, None, error=TypeError, match="out must be a path"),
    case(ts.training_args, TINY_RUN, "", error=ValueError, match="out is empty"),
    case(ts.training_args, TINY_RUN, Fixture("tmp_path"), eval_steps=0, error=ValueError, match="eval_steps=0"),
    case(
        ts.training_args,
        TINY_RUN,
        Fixture("tmp_path"),
        logging_steps=0.5,
        error=TypeError,
        match="logging_steps must be an int",
    ),
    case(
        ts.training_args,
        TINY_RUN,
        Fixture("tmp_path"),
        num_epochs=3,
        error=TypeError,
        match="did you mean 'num_train_epochs'",
    ),
    case(ts.KeepBest, "accuracy", error=ValueError, match="with 'eval_'"),
    case(ts.KeepBest, None, error=TypeError, match="metric must be a str"),
    case(ts.KeepBest, "eval_f1", patience=0, error=ValueError, match="patience=0 is too small"),
    case(ts.KeepBest, "eval_f1", evaluate="f1", error=TypeError, match="evaluate must be None or a function"),
    # the plain loop
    case(
        tr.make_loader,
        RAW,
        TOK,
        4,
        error=ValueError,
        match=r"no column\(s\) \['input_ids'\].*tokenize it first with dataset.map\(",
    ),
    case(tr.make_loader, ENCODED, MODEL, 4, error=TypeError, match="that is a model: pass the tokenizer"),
    case(tr.make_loader, ENCODED, TOK, 0, error=ValueError, match="batch_size=0 is too small"),
    case(tr.make_loader, ENCODED, TOK, 2.5, error=TypeError, match="batch_size must be an int"),
    case(tr.make_loader, Fixture("encoded_dict"), TOK, 4, error=TypeError, match="one split"),
    case(tr.make_loader, Fixture("empty_encoded"), TOK, 4, error=ValueError, match="dataset is empty"),
    case(tr.predict_logits, MODEL, RAW, TOK, error=ValueError, match="tokenize it first"),
    case(tr.predict_logits, MODEL, TOK, ENCODED, error=TypeError, match="dataset must be a datasets.Dataset"),
    case(tr.predict_logits, TOK, ENCODED, MODEL, error=TypeError, match="that is a tokenizer: pass the model"),
    case(tr.predict_logits, MODEL, ENCODED, TOK, batch_size=0, error=ValueError, match="batch_size=0"),
    case(tr.predict_logits, Fixture("tiny_bert"), ENCODED, TOK, error=TypeError, match="gives no logits"),
    case(
        tr.predict_logits,
        MODEL,
        Fixture("three_labels"),
        TOK,
        error=ValueError,
        match=r"values from 0 to 2, but the model has 2 classes",
    ),
    case(tr.predict_logits, MODEL, Fixture("unlabelled"), TOK, error=ValueError, match="unlabelled split uses -1"),
    case(tr.evaluate_model, MODEL, RAW, TOK, error=ValueError, match="tokenize it first"),
    case(tr.evaluate_model, MODEL, Fixture("no_label"), TOK, error=ValueError, match="has no 'label' column"),
    case(tr.evaluate_model, MODEL, ENCODED, MODEL, error=TypeError, match="tokenizer must be a tokenizer"),
    case(tr.train_loop, MODEL, RAW, ENCODED, TOK, TINY_RUN, error=ValueError, match="train_data has no column"),
    case(
        tr.train_loop,
        MODEL,
        ENCODED,
        Fixture("no_label"),
        TOK,
        TINY_RUN,
        error=ValueError,
        match="eval_data has no 'label' column",
    ),
    case(tr.train_loop, MODEL, ENCODED, ENCODED, TOK, "sentiment", error=TypeError, match=r"run_size\('sentiment'\)"),
    case(tr.train_loop, MODEL, ENCODED, ENCODED, TOK, TINY_RUN, eval_steps=0, error=ValueError, match="eval_steps=0"),
    case(
        tr.train_loop,
        MODEL,
        ENCODED,
        ENCODED,
        TOK,
        TINY_RUN,
        logging_steps=0,
        error=ValueError,
        match="logging_steps=0",
    ),
    case(tr.train_loop, TOK, ENCODED, ENCODED, MODEL, TINY_RUN, error=TypeError, match="that is a tokenizer"),
    case(
        tr.train_loop,
        MODEL,
        Fixture("three_labels"),
        ENCODED,
        TOK,
        TINY_RUN,
        error=ValueError,
        match=r"train_data\['label'\] holds values from 0 to 2",
    ),
    case(
        tr.train_loop,
        Fixture("frozen"),
        ENCODED,
        ENCODED,
        TOK,
        TINY_RUN,
        error=ValueError,
        match="no trainable parameters",
    ),
    case(lc.history_frames, {"run": HISTORY}, error=TypeError, match="one run's history .*not a dict"),
    case(lc.history_frames, "loss", error=TypeError, match="history must be a list of dicts"),
    case(lc.history_frames, [1, 2], error=TypeError, match=r"history\[0\] is a int, not a dict"),
    case(lc.plot_history, {}, error=ValueError, match="history is an empty dict"),
    case(
        lc.plot_history,
        HISTORY,
        metric="eval_f1",
        error=ValueError,
        match=r"metric='eval_f1' is not in the history: choose one of \['eval_accuracy', 'eval_loss'\]",
    ),
    case(lc.plot_history, HISTORY, chance="0.5", error=TypeError, match="chance must be a number"),
    case(lc.plot_history, {"a": 0.5}, error=TypeError, match=r"history\['a'\] must be a list of dicts"),
    case(lc.plot_history, [], error=ValueError, match="has no 'loss' or 'eval_accuracy' entries"),
    case(lc.plot_confusion, [0, 1], [0, 1], "pos", error=TypeError, match="names must be a list of strings, not one"),
    case(
        lc.plot_confusion,
        [0, 2],
        [0, 1],
        ["neg", "pos"],
        error=ValueError,
        match="labels holds class ids from 0 to 2, but names has 2 entries",
    ),
    case(lc.plot_confusion, [0, 1], [0], ["neg", "pos"], error=ValueError, match="same length"),
    # the custom head
    case(clf.BertClassifier, Fixture("tiny_bert"), 1, error=ValueError, match="num_labels=1 is too small"),
    case(clf.BertClassifier, Fixture("tiny_bert"), 2.0, error=TypeError, match="num_labels must be an int"),
    case(clf.BertClassifier, Fixture("tiny_bert"), 2, dropout=1.5, error=ValueError, match="dropout=1.5 is too large"),
    case(
        clf.BertClassifier, Fixture("tiny_bert"), 2, pooling="max", error=ValueError, match="pooling='max' is unknown"
    ),
    case(clf.BertClassifier, TOK, 2, error=TypeError, match="that is a tokenizer: pass the model"),
    case(clf.BertClassifier, MODEL, 2, error=TypeError, match=r"a model with a head: pass its encoder"),
    case(
        clf.BertClassifier,
        Fixture("tiny_bert"),
        3,
        id2label={0: "a", 1: "b"},
        error=ValueError,
        match=r"id2label has keys \[0, 1\]: give one name for each class id 0..2",
    ),
    case(
        clf.BertClassifier,
        Fixture("tiny_bert"),
        2,
        id2label=["neg", "pos"],
        error=TypeError,
        match="id2label must be a dict",
    ),
    case(
        clf.BertClassifier.from_encoder,
        Fixture("tiny_bert"),
        2,
        error=TypeError,
        match=r"use BertClassifier\(encoder, num_labels\)",
    ),
    case(clf.BertClassifier.from_encoder, Fixture("missing"), 2, error=FileNotFoundError, match="does not exist"),
    case(clf.BertClassifier.from_encoder, "", 2, error=ValueError, match="name_or_path is empty"),
    case(clf.BertClassifier.from_encoder, Fixture("bundled_dir"), 1, error=ValueError, match="num_labels=1"),
    case(
        clf.BertClassifier.pool,
        CUSTOM,
        torch.zeros(2, 4, 32),
        None,
        error=TypeError,
        match="outputs must be the encoder's output",
    ),
    case(
        clf.BertClassifier.pool,
        CUSTOM,
        Fixture("encoder_outputs"),
        torch.ones(1, 3),
        error=ValueError,
        match=r"attention_mask has shape \(1, 3\)",
    ),
    case(clf.BertClassifier.forward, CUSTOM, [[101, 102]], error=TypeError, match="input_ids must be a tensor"),
    case(clf.BertClassifier.forward, CUSTOM, Fixture("batch"), error=TypeError, match=r"call model\(\*\*inputs\)"),
    case(
        clf.BertClassifier.forward,
        CUSTOM,
        torch.tensor([[101, 102]]),
        labels=[0],
        error=TypeError,
        match="labels must be a tensor",
    ),
    case(clf.BertClassifier.save_pretrained, CUSTOM, "", error=ValueError, match="path is empty"),
    case(clf.BertClassifier.save_pretrained, CUSTOM, None, error=TypeError, match="path must be a path"),
    case(clf.BertClassifier.save_pretrained, CUSTOM, Fixture("a_file"), error=ValueError, match="is a file"),
    case(
        clf.BertClassifier.from_pretrained,
        Fixture("tmp_path"),
        error=FileNotFoundError,
        match="classifier_head.json is missing",
    ),
    case(clf.BertClassifier.from_pretrained, Fixture("missing"), error=FileNotFoundError, match="does not exist"),
    case(clf.BertClassifier.from_pretrained, None, error=TypeError, match="path must be a path"),
    # predict, long texts, save, reload
    case(pred.predict, TOK, MODEL, ["a film"], error=TypeError, match="that is a tokenizer: pass the model"),
    case(pred.predict, MODEL, MODEL, ["a film"], error=TypeError, match="tokenizer must be a tokenizer"),
    case(pred.predict, MODEL, TOK, [], error=ValueError, match="texts is empty"),
    case(pred.predict, MODEL, TOK, None, error=TypeError, match="texts must be a list of strings, not NoneType"),
    case(pred.predict, MODEL, TOK, [1, 2], error=TypeError, match=r"texts\[0\] is a int"),
    case(pred.predict, MODEL, TOK, ["a", "b"], text_pairs="h", error=ValueError, match="text_pairs has 1 items"),
    case(pred.predict, MODEL, TOK, ["a"], text_pairs=[3], error=TypeError, match=r"text_pairs\[0\] is a int"),
    case(pred.predict, MODEL, TOK, "a film", max_length=1000, error=ValueError, match="max_length=1000 is more than"),
    case(pred.predict, MODEL, TOK, "a film", max_length=0.5, error=TypeError, match="max_length must be an int"),
    case(pred.predict, Fixture("tiny_bert"), TOK, "a film", error=TypeError, match="gives no logits"),
    case(pred.truncate_ids, "a long text", 8, error=TypeError, match="ids must be a list of token ids"),
    case(pred.truncate_ids, {"input_ids": [101, 7, 102]}, 8, error=TypeError, match="not a tokenizer output"),
    case(pred.truncate_ids, [[101, 7, 102]], 8, error=TypeError, match=r"ids\[0\] is a list, not an int"),
    case(pred.truncate_ids, None, 8, error=TypeError, match="ids must be a list of token ids"),
    case(pred.truncate_ids, [1, 2, 3], 1, error=ValueError, match="budget=1 is too small"),
    case(pred.truncate_ids, [1, 2, 3], 8.0, error=TypeError, match="budget must be an int"),
    case(pred.truncate_ids, [1, 2, 3], 8, "middle", error=ValueError, match="keep='middle' is unknown"),
    case(
        pred.long_text_logits,
        MODEL,
        TOK,
        "one long review",
        32,
        error=TypeError,
        match=r"not one string: wrap a single text as \[text\]",
    ),
    case(pred.long_text_logits, MODEL, TOK, [], 32, error=ValueError, match="texts is empty"),
    case(pred.long_text_logits, MODEL, TOK, ["a"], 1000, error=ValueError, match="max_length=1000"),
    case(pred.long_text_logits, MODEL, TOK, ["a"], 32.0, error=TypeError, match="max_length must be an int"),
    case(pred.long_text_logits, MODEL, TOK, ["a"], 2, error=ValueError, match="max_length=2 is too small"),
    case(pred.long_text_logits, MODEL, TOK, ["a"], 32, keep="middle", error=ValueError, match="keep='middle'"),
    case(pred.long_text_logits, MODEL, TOK, ["a"], 32, batch_size=0, error=ValueError, match="batch_size=0"),
    case(pred.long_text_logits, TOK, MODEL, ["a"], 32, error=TypeError, match="that is a tokenizer"),
    case(clf.save_model, TOK, MODEL, Fixture("tmp_path"), error=TypeError, match="that is a tokenizer"),
    case(clf.save_model, MODEL, MODEL, Fixture("tmp_path"), error=TypeError, match="tokenizer must be a tokenizer"),
    case(clf.save_model, MODEL, TOK, "", error=ValueError, match="path is empty"),
    case(clf.save_model, MODEL, TOK, None, error=TypeError, match="path must be a path"),
    case(clf.save_model, MODEL, TOK, Fixture("a_file"), error=ValueError, match="is a file: pass a folder"),
    case(
        clf.load_model,
        Fixture("bundled_dir"),
        error=ValueError,
        match=r"holds no fine-tuned classification head .*new_head=True",
    ),
    case(clf.load_model, Fixture("missing"), error=FileNotFoundError, match="does not exist"),
    case(clf.load_model, Fixture("tmp_path"), error=FileNotFoundError, match=r"no config.json\): call save_model"),
    case(clf.load_model, Fixture("a_file"), error=ValueError, match="is a file: pass a folder"),
    case(clf.load_model, None, error=TypeError, match="path must be a path"),
    case(clf.load_model, Fixture("bundled_dir"), new_head="yes", error=ValueError, match="new_head='yes' is unknown"),
    case(clf.load_model, Fixture("model_without_tokenizer"), error=FileNotFoundError, match="holds no tokenizer"),
    case(clf.count_parameters, TOK, error=TypeError, match="that is a tokenizer: pass the model"),
    case(clf.count_parameters, MODEL, "all", error=ValueError, match="trainable_only='all' is unknown"),
]


@pytest.mark.parametrize(("func", "args", "kwargs", "error", "match"), CASES)
def test_bad_input_gets_a_clear_error(request, func, args, kwargs, error, match):
    run_case(request, func, args, kwargs, error, match)


# Silent wrong answers, fixed ------------------------------------------------------------------


def test_load_model_gives_a_fresh_head_only_when_asked(bundled_dir):
    """The bundled encoder has no classification head: load_model used to return a random one silently."""
    model, tokenizer = clf.load_model(bundled_dir, new_head=True)
    assert isinstance(model, torch.nn.Module) and not model.training
    assert model.config.num_labels == 2 and tokenizer.cls_token_id is not None


def test_load_model_still_reads_a_fine_tuned_folder(classifier, tokenizer, tmp_path):
    path = clf.save_model(classifier, tokenizer, tmp_path / "tuned")
    model, _ = clf.load_model(path)  # its head is saved: no new_head needed
    assert pred.predict(model, tokenizer, SENTENCES) == pred.predict(classifier, tokenizer, SENTENCES)


def test_truncate_ids_reads_one_texts_ids_from_a_tensor_or_array(tokenizer):
    ids = tokenizer("a long review " * 10)["input_ids"]
    expected = pred.truncate_ids(ids, 8, "head+tail")
    assert pred.truncate_ids(torch.tensor(ids), 8, "head+tail") == expected
    assert pred.truncate_ids(np.array(ids), 8, "head+tail") == expected
    assert pred.truncate_ids([], 8) == []  # no ids: nothing to cut


def test_long_text_logits_of_one_text_in_a_list_is_one_row(classifier, tokenizer):
    """A lone string used to be read as one text per character."""
    logits = pred.long_text_logits(classifier, tokenizer, ["one long review " * 20], max_length=16)
    assert logits.shape == (1, 2)


def test_take_refuses_a_dataset_dict_instead_of_returning_it(data_dict, raw):
    """take(data, 3500) on a DatasetDict used to return the whole dict (len = number of splits)."""
    with pytest.raises(TypeError, match="one split"):
        tr.take(data_dict, 3)
    assert len(tr.take(data_dict["train"], 3)) == 3
    assert tr.take(raw, np.int64(2))["sentence"] == tr.take(raw, 2)["sentence"]


def test_evaluate_model_reads_a_labels_column(classifier, encoded, tokenizer):
    renamed = encoded.rename_column("label", "labels")
    assert tr.evaluate_model(classifier, renamed, tokenizer) == pytest.approx(
        tr.evaluate_model(classifier, encoded, tokenizer)
    )


def test_compute_metrics_takes_a_logits_labels_pair():
    logits, labels = np.array([[2.0, 0.0], [0.0, 1.0], [1.0, 0.0]]), np.array([0, 1, 1])
    assert ts.compute_metrics((logits, labels))["accuracy"] == pytest.approx(2 / 3)


def test_freeze_lower_layers_takes_a_bert_classifier(custom):
    """It used to fail on our own head; now it freezes the encoder's lower layers and keeps the head trainable."""
    trainable = tr.freeze_lower_layers(custom, 1)
    assert not any(p.requires_grad for p in custom.encoder.encoder.layer[0].parameters())
    assert all(p.requires_grad for p in custom.encoder.encoder.layer[1].parameters())
    assert all(p.requires_grad for p in custom.classifier.parameters())
    assert trainable == clf.count_parameters(custom)
    assert tr.freeze_lower_layers(custom, None) == clf.count_parameters(custom, trainable_only=False)


def test_history_frames_of_an_empty_history_are_empty():
    train, evaluation = lc.history_frames([])
    assert train.empty and evaluation.empty


@pytest.mark.filterwarnings("ignore:No artists with labels")  # the empty metric panel has no legend
def test_plot_history_draws_a_loss_only_run(monkeypatch):
    """A run without evaluations still draws (the metric check only refuses a metric the history lacks)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    monkeypatch.setattr(plt, "show", lambda: None)
    lc.plot_history([{"loss": 0.7, "step": 1}, {"loss": 0.5, "step": 2}], metric="eval_f1")
    plt.close("all")


def test_valid_run_sizes_are_unchanged():
    assert rs.run_size("sentiment", "quick").train_examples == 3500
    assert rs.RunSize("toy", "quick", None, None, 0.5, 4, 32, 1e-3).steps(16) == 2  # half an epoch is fine
