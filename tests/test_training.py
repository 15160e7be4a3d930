"""Tests of course_utils.training (lesson 6-7 fine-tuning helpers), with tiny random BERTs."""

from __future__ import annotations

import copy
import math
from pathlib import Path

import numpy as np
import pytest
import torch
from datasets import Dataset
from transformers import BertForSequenceClassification, EvalPrediction, get_linear_schedule_with_warmup

from course_utils import classifier as clf
from course_utils import exercises_fine_tuning as ex
from course_utils import learning_curves as lc
from course_utils import predictions as pred
from course_utils import run_sizes as rs
from course_utils import trainer_setup as ts
from course_utils import training as tr

SENTENCES = [
    "a wonderful, moving film",
    "dull and far too long",
    "the best thing I saw this year",
    "a mess from start to finish",
    "funny, warm and clever",
    "I walked out after an hour",
    "great acting and a sharp script",
    "boring, boring, boring",
] * 2
LABELS = [1, 0] * 8


def _tiny_classifier(tiny_bert, seed: int = 0, num_labels: int = 2) -> BertForSequenceClassification:
    config = copy.deepcopy(tiny_bert.config)
    config.num_labels = num_labels
    config.id2label = {i: f"class_{i}" for i in range(num_labels)}
    config.label2id = {v: k for k, v in config.id2label.items()}
    torch.manual_seed(seed)
    return BertForSequenceClassification(config)


@pytest.fixture
def encoded(tokenizer) -> Dataset:
    ds = Dataset.from_dict({"sentence": SENTENCES, "label": LABELS})
    return ds.map(lambda b: tokenizer(b["sentence"], truncation=True, max_length=32), batched=True)


pytestmark = pytest.mark.usefixtures("one_thread")


TINY_RUN = rs.RunSize("sentiment", "quick", None, None, 1, 4, 32, 1e-3, warmup_ratio=0.25)


# Run sizes, subsets, output folders ------------------------------------------------------


def test_run_sizes_exist_for_both_profiles_and_full_is_bigger():
    for task in ("sentiment", "reviews", "nli"):
        quick, full = rs.run_size(task, "quick"), rs.run_size(task, "full", online=True)
        assert quick.size == "quick" and full.size == "full"
        assert full.max_length >= quick.max_length
        assert full.learning_rate < quick.learning_rate
        assert task in full.describe() and "full" in full.describe()
    assert rs.run_size("reviews", "full", online=True).max_length == 512


def test_offline_full_is_the_quick_recipe_on_all_the_data():
    """Offline, the course's data cannot fill the online sizes: "full" keeps the searched recipe, uncapped."""
    for task in ("sentiment", "nli", "qa", "ner"):
        quick, offline_full = rs.run_size(task, "quick"), rs.run_size(task, "full", online=False)
        assert offline_full is rs.RUN_SIZES[(task, "offline full")] and offline_full.size == "full"
        assert offline_full.train_examples is None and offline_full.epochs > quick.epochs
        assert (offline_full.max_length, offline_full.schedule, offline_full.trainable_layers) == (
            quick.max_length,
            quick.schedule,
            quick.trainable_layers,
        )
    assert rs.run_size("nli", "full") is rs.RUN_SIZES[("nli", "offline full")]  # the tests run offline


def test_the_run_size_table_has_every_row():
    table = rs.run_size_table()
    assert table.count("\n") == len(rs.RUN_SIZES) + 2
    assert "| qa | offline full | all | 2 | 16 | 192 | 0.0003 (constant) | top 3 |" in table


def test_run_size_steps_and_default_profile():
    run = rs.run_size("sentiment", "quick")
    assert run.steps(800) == 50
    assert rs.RunSize("x", "quick", None, None, 2, 16, 64, 1e-4).steps(33) == 6
    assert rs.run_size("sentiment") == run  # the tests run under the quick offline profile


def test_run_size_rejects_unknown_task_and_size():
    with pytest.raises(ValueError, match="task='imdb'"):
        rs.run_size("imdb", "quick")
    with pytest.raises(ValueError, match="size='huge'"):
        rs.run_size("nli", "huge")


def test_take_is_seeded_and_keeps_small_sets():
    ds = Dataset.from_dict({"x": list(range(100))})
    assert tr.take(ds, 10)["x"] == tr.take(ds, 10)["x"]
    assert tr.take(ds, 10)["x"] != tr.take(ds, 10, seed=1)["x"]
    assert len(tr.take(ds, 10)) == 10 and tr.take(ds, None) is ds and tr.take(ds, 500) is ds
    with pytest.raises(ValueError, match="n=0"):
        tr.take(ds, 0)


def test_length_grouped_batches_hold_one_length_and_keep_every_row():
    rng = np.random.default_rng(0)
    lengths = rng.integers(1, 60, size=203)
    ds = Dataset.from_dict({"input_ids": [[1] * n for n in lengths], "row": list(range(203))})
    grouped = tr.length_grouped(ds, batch_size=16)
    assert sorted(grouped["row"]) == list(range(203))  # a reordering: nothing dropped or repeated
    batches = [grouped["input_ids"][i:i + 16] for i in range(0, 203, 16)]
    padded = sum(max(map(len, b)) * len(b) for b in batches)
    assert padded / lengths.sum() < 1.35  # random batches of these lengths pad about 1.8x
    assert grouped["row"] == tr.length_grouped(ds, 16)["row"] != tr.length_grouped(ds, 16, seed=1)["row"]
    spans = [max(map(len, b)) - min(map(len, b)) for b in batches]
    assert max(spans) <= 6 and len(batches[-1]) == 203 % 16


def test_output_dir_is_under_the_ignored_outputs_folder():
    path = tr.output_dir("06_trainer")
    assert path.parts[-3:] == ("notebooks", "outputs", "06_trainer")
    with pytest.raises(ValueError, match="plain folder name"):
        tr.output_dir("../escape")


# Metrics -----------------------------------------------------------------------------------


def test_classification_metrics_values():
    m = ts.classification_metrics([0, 0, 1, 1], [0, 1, 1, 1])
    assert m["accuracy"] == pytest.approx(0.75)
    # F1 class 0: p=1, r=0.5 -> 2/3; class 1: p=2/3, r=1 -> 0.8
    assert m["macro_f1"] == pytest.approx((2 / 3 + 0.8) / 2)
    with pytest.raises(ValueError, match="same length"):
        ts.classification_metrics([0, 1], [0])


def test_compute_metrics_takes_logits_and_tuples():
    logits = np.array([[2.0, 0.0], [0.0, 1.0], [1.0, 0.0]])
    labels = np.array([0, 1, 1])
    m = ts.compute_metrics(EvalPrediction(predictions=logits, label_ids=labels))
    assert m["accuracy"] == pytest.approx(2 / 3)
    m2 = ts.compute_metrics(EvalPrediction(predictions=(logits, np.zeros(3)), label_ids=labels))
    assert m2 == m


# Trainer arguments ---------------------------------------------------------------------


def test_training_args_use_current_api(tmp_path):
    args = ts.training_args(rs.run_size("sentiment", "quick"), tmp_path, seed=7, eval_steps=10)
    assert args.eval_strategy == "steps" and args.eval_steps == 10
    assert args.use_cpu is True and args.report_to == [] or args.report_to in ("none", ["none"])
    assert args.save_strategy == "no"
    assert args.disable_tqdm is False
    quick = rs.run_size("sentiment", "quick")
    assert args.seed == 7 and args.learning_rate == quick.learning_rate
    assert args.per_device_train_batch_size == quick.batch_size
    assert args.lr_scheduler_type.value == rs.SCHEDULES[quick.schedule]
    full = ts.training_args(rs.run_size("sentiment", "full"), tmp_path)
    assert full.eval_strategy == "epoch" and full.save_strategy == "epoch"
    assert ts.training_args(rs.run_size("nli", "quick"), tmp_path, num_train_epochs=5).num_train_epochs == 5


def test_training_args_rejects_a_dict(tmp_path):
    with pytest.raises(TypeError, match="RunSize"):
        ts.training_args({"epochs": 1}, tmp_path)


# Data loader ------------------------------------------------------------------------------


def test_make_loader_pads_each_batch_and_keeps_model_columns(encoded, tokenizer):
    batch = next(iter(tr.make_loader(encoded, tokenizer, batch_size=4)))
    assert set(batch) == {"input_ids", "token_type_ids", "attention_mask", "labels"}
    longest = max(len(ids) for ids in encoded["input_ids"][:4])
    assert batch["input_ids"].shape == (4, longest)
    assert batch["attention_mask"].sum().item() == sum(len(ids) for ids in encoded["input_ids"][:4])
    with pytest.raises(ValueError, match="tokenize it first"):
        tr.make_loader(Dataset.from_dict({"sentence": ["x"]}), tokenizer, 4)
    with pytest.raises(ValueError, match="batch_size"):
        tr.make_loader(encoded, tokenizer, 0)


# The plain loop: determinism, learning, history -----------------------------------------------


def _loop(tiny_bert, encoded, tokenizer, seed):
    torch.manual_seed(seed)
    model = _tiny_classifier(tiny_bert, seed)
    history = tr.train_loop(model, encoded, encoded, tokenizer, TINY_RUN, seed=seed, logging_steps=1, progress=False)
    return model, history


def test_train_loop_is_deterministic_for_a_seed(tiny_bert, encoded, tokenizer):
    _, first = _loop(tiny_bert, encoded, tokenizer, seed=3)
    _, again = _loop(tiny_bert, encoded, tokenizer, seed=3)
    _, other = _loop(tiny_bert, encoded, tokenizer, seed=4)
    assert first == again
    assert [h["loss"] for h in first if "loss" in h] != [h["loss"] for h in other if "loss" in h]


def test_train_loop_history_has_the_trainer_log_format(tiny_bert, encoded, tokenizer):
    _, history = _loop(tiny_bert, encoded, tokenizer, seed=0)
    train, evaluation = lc.history_frames(history)
    assert list(train["step"]) == [1, 2, 3, 4]  # 16 examples / batch 4, one epoch, logged each step
    assert {"loss", "learning_rate", "epoch", "step"} <= set(train.columns)
    assert list(evaluation["step"]) == [4]  # evaluated at the end of the epoch
    assert {"eval_loss", "eval_accuracy", "eval_macro_f1"} <= set(evaluation.columns)
    # linear warm-up over 1 of 4 steps: 0 at step 1, the peak at step 2, then down
    assert list(train["learning_rate"]) == pytest.approx([0.0, 1e-3, 1e-3 * 2 / 3, 1e-3 / 3])


def test_train_loop_learns_a_separable_task(tiny_bert, encoded, tokenizer):
    torch.manual_seed(0)
    model = _tiny_classifier(tiny_bert)
    run = rs.RunSize("toy", "quick", None, None, 15, 4, 32, 3e-3, warmup_ratio=0.0)
    before = tr.evaluate_model(model, encoded, tokenizer)["eval_loss"]
    history = tr.train_loop(model, encoded, encoded, tokenizer, run, eval_steps=20, progress=False)
    after = history[-1]
    assert after["eval_loss"] < before / 2
    assert after["eval_accuracy"] == 1.0
    assert [h["step"] for h in history if "eval_loss" in h] == [20, 40, 60]


def test_train_loop_rejects_a_dict(tiny_bert, encoded, tokenizer):
    with pytest.raises(TypeError, match="RunSize"):
        tr.train_loop(_tiny_classifier(tiny_bert), encoded, encoded, tokenizer, {"epochs": 1})


# The Trainer path: determinism ---------------------------------------------------------------


def _trainer_run(tiny_bert, encoded, tokenizer, seed, tmp_path):
    from transformers import DataCollatorWithPadding, Trainer

    args = ts.training_args(
        TINY_RUN, tmp_path / f"run{seed}", seed=seed, logging_steps=1, max_steps=3, disable_tqdm=True
    )
    trainer = Trainer(
        model_init=lambda: _tiny_classifier(tiny_bert, seed),
        args=args,
        train_dataset=encoded,
        eval_dataset=encoded,
        processing_class=tokenizer,
        data_collator=DataCollatorWithPadding(tokenizer),
        compute_metrics=ts.compute_metrics,
    )
    trainer.train()
    return [h["loss"] for h in trainer.state.log_history if "loss" in h], trainer.evaluate()


def test_trainer_is_deterministic_for_a_seed(tiny_bert, encoded, tokenizer, tmp_path):
    losses, metrics = _trainer_run(tiny_bert, encoded, tokenizer, 5, tmp_path)
    losses_again, metrics_again = _trainer_run(tiny_bert, encoded, tokenizer, 5, tmp_path)
    other, _ = _trainer_run(tiny_bert, encoded, tokenizer, 6, tmp_path)
    assert len(losses) == 3
    assert losses == losses_again
    drop = ("eval_runtime", "eval_samples_per_second", "eval_steps_per_second")
    assert {k: v for k, v in metrics.items() if k not in drop} == {
        k: v for k, v in metrics_again.items() if k not in drop
    }
    assert losses != other


# The custom head -------------------------------------------------------------------------------


@pytest.mark.parametrize("pooling", ["pooler", "cls", "mean"])
def test_bert_classifier_forward(tiny_bert, tokenizer, pooling):
    model = clf.BertClassifier(copy.deepcopy(tiny_bert), num_labels=3, pooling=pooling).eval()
    enc = tokenizer(["a short one", "a somewhat longer sentence here"], padding=True, return_tensors="pt")
    out = model(**enc, labels=torch.tensor([0, 2]))
    assert out.logits.shape == (2, 3)
    assert out.loss.item() == pytest.approx(torch.nn.functional.cross_entropy(out.logits, torch.tensor([0, 2])).item())
    assert clf.count_parameters(model) - clf.count_parameters(tiny_bert) == 32 * 3 + 3


def test_bert_classifier_pooling_choices_differ_and_mean_ignores_padding(tiny_bert, tokenizer):
    encoder = copy.deepcopy(tiny_bert).eval()
    single = tokenizer(["a short one"], return_tensors="pt")
    padded = tokenizer(["a short one", "a much much longer sentence than the first"], padding=True, return_tensors="pt")
    out = encoder(**single)
    mean = clf.BertClassifier(encoder, 2, pooling="mean").pool(out, single["attention_mask"])
    torch.testing.assert_close(mean, out.last_hidden_state.mean(1))
    mean_padded = clf.BertClassifier(encoder, 2, pooling="mean").pool(encoder(**padded), padded["attention_mask"])
    torch.testing.assert_close(mean_padded[0], mean[0], atol=1e-5, rtol=1e-4)
    cls = clf.BertClassifier(encoder, 2, pooling="cls").pool(out, None)
    torch.testing.assert_close(cls, out.last_hidden_state[:, 0])
    pooler = clf.BertClassifier(encoder, 2, pooling="pooler").pool(out, None)
    torch.testing.assert_close(pooler, out.pooler_output)


def test_bert_classifier_rejects_bad_settings(tiny_bert):
    with pytest.raises(ValueError, match="pooling='max'"):
        clf.BertClassifier(tiny_bert, 2, pooling="max")
    with pytest.raises(ValueError, match="num_labels=1"):
        clf.BertClassifier(tiny_bert, 1)


def test_custom_head_trains_with_the_loop(tiny_bert, encoded, tokenizer):
    torch.manual_seed(0)
    model = clf.BertClassifier(copy.deepcopy(tiny_bert), 2, pooling="mean")
    history = tr.train_loop(model, encoded, encoded, tokenizer, TINY_RUN, progress=False)
    assert history[-1]["step"] == 4 and 0.0 <= history[-1]["eval_accuracy"] <= 1.0


# Predict, save, reload -----------------------------------------------------------------------


def test_predict_gives_labels_and_probabilities(tiny_bert, tokenizer):
    model = _tiny_classifier(tiny_bert, num_labels=3)
    out = pred.predict(model, tokenizer, ["one sentence", "and another"])
    assert len(out) == 2 and out[0]["label"] in {"class_0", "class_1", "class_2"}
    assert sum(out[0]["probs"].values()) == pytest.approx(1.0)
    assert out[0]["score"] == pytest.approx(max(out[0]["probs"].values()))
    pair = pred.predict(model, tokenizer, "a premise", text_pairs="a hypothesis")
    assert len(pair) == 1
    with pytest.raises(ValueError, match="text_pairs"):
        pred.predict(model, tokenizer, ["a", "b"], text_pairs=["only one"])
    with pytest.raises(TypeError, match="texts"):
        pred.predict(model, tokenizer, [1, 2])


def test_save_and_reload_an_auto_model(tiny_bert, tokenizer, tmp_path):
    model = _tiny_classifier(tiny_bert).eval()
    clf.save_model(model, tokenizer, tmp_path / "auto")
    reloaded, tok = clf.load_model(tmp_path / "auto")
    assert isinstance(reloaded, BertForSequenceClassification)
    assert pred.predict(reloaded, tok, SENTENCES[:3]) == pred.predict(model, tokenizer, SENTENCES[:3])


def test_save_and_reload_the_custom_head(tiny_bert, tokenizer, tmp_path):
    model = clf.BertClassifier(copy.deepcopy(tiny_bert), 2, pooling="mean", id2label={0: "neg", 1: "pos"}).eval()
    clf.save_model(model, tokenizer, tmp_path / "custom")
    reloaded, tok = clf.load_model(tmp_path / "custom")
    assert isinstance(reloaded, clf.BertClassifier) and reloaded.pooling == "mean"
    before, after = pred.predict(model, tokenizer, SENTENCES[:3]), pred.predict(reloaded, tok, SENTENCES[:3])
    assert [b["label"] for b in before] == [a["label"] for a in after]
    assert [b["score"] for b in before] == pytest.approx([a["score"] for a in after], abs=1e-6)


def test_load_model_explains_a_missing_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="save_model"):
        clf.load_model(tmp_path)


def test_text_classification_pipeline_reads_a_saved_model(tiny_bert, tokenizer, tmp_path):
    from transformers import pipeline

    model = _tiny_classifier(tiny_bert).eval()
    path = clf.save_model(model, tokenizer, tmp_path / "auto")
    classify = pipeline("text-classification", model=str(path), device="cpu")
    got = classify(SENTENCES[:2])
    ours = pred.predict(model, tokenizer, SENTENCES[:2])
    assert [g["label"] for g in got] == [o["label"] for o in ours]
    assert [g["score"] for g in got] == pytest.approx([o["score"] for o in ours], abs=1e-5)


# Plots -----------------------------------------------------------------------------------------


def test_plots_draw_without_error(monkeypatch):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    monkeypatch.setattr(plt, "show", lambda: None)
    history = [
        {"loss": 0.7, "step": 1, "epoch": 0.5},
        {"loss": 0.5, "step": 2, "epoch": 1.0},
        {"eval_loss": 0.6, "eval_accuracy": 0.7, "eval_macro_f1": 0.65, "step": 2, "epoch": 1.0},
        {"train_runtime": 1.0, "step": 2},
    ]
    lc.plot_history(history, title="toy")
    matrix = lc.plot_confusion([0, 1, 1, 0], [0, 1, 0, 0], ["neg", "pos"])
    assert matrix.tolist() == [[2, 0], [1, 1]]
    with pytest.raises(ValueError, match="history"):
        lc.plot_history([{"train_runtime": 1.0}])
    plt.close("all")


# Lesson 6 exercise checkers ---------------------------------------------------------------------


def test_check_num_steps():
    assert ex.check_num_steps(1148, 16, 3, 3 * 72)
    assert not ex.check_num_steps(1148, 16, 3, 3 * 1148 // 16)
    assert not ex.check_num_steps(1148, 16, 3, None)


def test_check_warmup_lr_matches_the_scheduler():
    param = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.AdamW([param], lr=1e-4)
    scheduler = get_linear_schedule_with_warmup(optimizer, 10, 100)
    lrs = []
    for _ in range(60):
        lrs.append(scheduler.get_last_lr()[0])
        optimizer.step()
        scheduler.step()
    assert ex.check_warmup_lr(5, 100, 10, 1e-4, lrs[5])
    assert ex.check_warmup_lr(55, 100, 10, 1e-4, lrs[55])
    assert ex.check_warmup_lr(55, 100, 10, 1e-4, 5e-5)
    assert not ex.check_warmup_lr(55, 100, 10, 1e-4, 1e-4)


def test_check_macro_f1():
    labels, preds = [0, 0, 1, 1, 1], [0, 1, 1, 1, 0]
    value = ts.classification_metrics(labels, preds)["macro_f1"]
    assert ex.check_macro_f1(labels, preds, value)
    assert ex.check_macro_f1(labels, preds, round(value, 3))
    assert not ex.check_macro_f1(labels, preds, 0.6)


def test_check_tokens_lost(tokenizer):
    text = "word " * 100
    assert ex.check_tokens_lost(text, 64, 102 - 64, tokenizer)
    assert ex.check_tokens_lost("short", 64, 0, tokenizer)
    assert not ex.check_tokens_lost(text, 64, 100 - 64, tokenizer)


def test_check_head_parameters():
    assert ex.check_head_parameters(384, 2, 770)
    assert not ex.check_head_parameters(384, 2, 768)
    assert math.isclose(384 * 2 + 2, 770)


# Long texts --------------------------------------------------------------------------------------


def test_truncate_ids_keeps_head_tail_or_both():
    ids = list(range(20))
    assert pred.truncate_ids(ids, 8, "head") == list(range(8))
    assert pred.truncate_ids(ids, 8, "tail") == list(range(12, 20))
    assert pred.truncate_ids(ids, 8, "head+tail") == [0, 1, 14, 15, 16, 17, 18, 19]
    assert pred.truncate_ids(ids[:5], 8, "tail") == ids[:5]
    with pytest.raises(ValueError, match="keep='middle'"):
        pred.truncate_ids(ids, 8, "middle")


def test_long_text_logits_match_plain_truncation_for_head(tiny_bert, tokenizer):
    model = _tiny_classifier(tiny_bert).eval()
    texts = ["a long review " * 30, "short one"]
    ours = pred.long_text_logits(model, tokenizer, texts, max_length=24, keep="head")
    enc = tokenizer(texts, truncation=True, max_length=24, padding=True, return_tensors="pt")
    with torch.no_grad():
        theirs = model(**enc).logits.numpy()
    np.testing.assert_allclose(ours, theirs, atol=1e-5)
    tail = pred.long_text_logits(model, tokenizer, ["the start " * 30 + "the very end"], max_length=8, keep="tail")
    # [CLS] + the last 6 words + [SEP]
    with torch.no_grad():
        expected_tail = model(**tokenizer(["start the start the very end"], return_tensors="pt")).logits.numpy()
    np.testing.assert_allclose(tail, expected_tail, atol=1e-5)
    with pytest.raises(ValueError, match="max_length=1000"):
        pred.long_text_logits(model, tokenizer, texts, max_length=1000)


def test_trainer_trains_the_custom_head(tiny_bert, encoded, tokenizer, tmp_path):
    from transformers import DataCollatorWithPadding, Trainer

    torch.manual_seed(0)
    model = clf.BertClassifier(copy.deepcopy(tiny_bert), 2, pooling="mean")
    before = [p.detach().clone() for p in model.classifier.parameters()]
    args = ts.training_args(TINY_RUN, tmp_path, max_steps=2, logging_steps=1, disable_tqdm=True)
    trainer = Trainer(
        model=model,
        args=args,
        train_dataset=encoded,
        eval_dataset=encoded,
        processing_class=tokenizer,
        data_collator=DataCollatorWithPadding(tokenizer),
        compute_metrics=ts.compute_metrics,
    )
    trainer.train()
    assert {"eval_accuracy", "eval_macro_f1"} <= set(trainer.evaluate())
    assert any(not torch.equal(a, b) for a, b in zip(before, model.classifier.parameters(), strict=True))


def test_predict_logits_keeps_the_dataset_order(tiny_bert, encoded, tokenizer):
    model = _tiny_classifier(tiny_bert).eval()
    logits, loss = tr.predict_logits(model, encoded, tokenizer, batch_size=3)
    with torch.no_grad():
        one_by_one = [model(**tokenizer(s, return_tensors="pt")).logits[0].numpy() for s in SENTENCES]
    np.testing.assert_allclose(logits, np.stack(one_by_one), atol=1e-5)
    expected_loss = torch.nn.functional.cross_entropy(torch.tensor(logits), torch.tensor(LABELS)).item()
    assert loss == pytest.approx(expected_loss, rel=1e-5)


def test_training_batches_group_similar_lengths(encoded, tokenizer):
    loader = tr.make_loader(encoded, tokenizer, batch_size=4, shuffle=True, seed=1)
    batches = [b["input_ids"] for b in loader]
    assert sum(len(b) for b in batches) == len(encoded)
    again = [b["input_ids"] for b in tr.make_loader(encoded, tokenizer, batch_size=4, shuffle=True, seed=1)]
    assert all(torch.equal(a, b) for a, b in zip(batches, again, strict=True))
    padded = sum(b.numel() for b in batches)
    plain = tr.make_loader(encoded, tokenizer, batch_size=4, shuffle=True, seed=1, group_by_length=False)
    assert padded <= sum(b["input_ids"].numel() for b in plain)


def test_trainer_predictions_follow_the_dataset_order(tiny_bert, encoded, tokenizer, tmp_path):
    from transformers import DataCollatorWithPadding, Trainer

    model = _tiny_classifier(tiny_bert).eval()
    args = ts.training_args(TINY_RUN, tmp_path, disable_tqdm=True, per_device_eval_batch_size=3, eval_strategy="no")
    trainer = Trainer(
        model=model, args=args, processing_class=tokenizer, data_collator=DataCollatorWithPadding(tokenizer)
    )
    out = trainer.predict(encoded)
    assert list(out.label_ids) == LABELS
    np.testing.assert_allclose(out.predictions, tr.predict_logits(model, encoded, tokenizer)[0], atol=1e-5)


# The one table of run sizes and layer freezing -------------------------------------------------


def test_every_training_task_has_a_quick_and_a_full_run():
    for task in ("sentiment", "reviews", "nli", "qa", "ner"):
        quick, full = rs.run_size(task, "quick"), rs.run_size(task, "full", online=True)
        assert (quick.size, full.size) == ("quick", "full")
        assert quick.schedule in rs.SCHEDULES and full.schedule in rs.SCHEDULES
    qa = rs.run_size("qa", "quick")
    assert qa.stride is not None and qa.stride < qa.max_length // 2 and f"stride {qa.stride}" in qa.describe()
    full = rs.run_size("qa", "full", online=True)
    assert (full.max_length, full.stride, full.epochs, full.learning_rate) == (384, 128, 2, 3e-5)
    assert full.trainable_layers is None and "all layers" in full.describe()
    with pytest.raises(ValueError, match="size='huge'"):
        rs.run_size("qa", "huge")
    with pytest.raises(ValueError, match="task='poetry'"):
        rs.run_size("poetry", "quick")


def test_a_run_size_rejects_an_unknown_schedule():
    with pytest.raises(ValueError, match="schedule='cosine'"):
        rs.RunSize("toy", "quick", None, None, 1, 4, 32, 1e-3, schedule="cosine")


def test_freeze_lower_layers_and_back():
    from transformers import BertConfig, BertForQuestionAnswering

    config = BertConfig(
        vocab_size=100, hidden_size=16, num_hidden_layers=3, num_attention_heads=2, intermediate_size=32
    )
    model = BertForQuestionAnswering(config)
    trainable = tr.freeze_lower_layers(model, 1)
    assert not any(p.requires_grad for p in model.bert.embeddings.parameters())
    assert not any(p.requires_grad for p in model.bert.encoder.layer[1].parameters())
    assert all(p.requires_grad for p in model.bert.encoder.layer[2].parameters())
    assert all(p.requires_grad for p in model.qa_outputs.parameters())
    assert trainable == sum(p.numel() for p in model.parameters() if p.requires_grad)
    assert tr.freeze_lower_layers(model, None) == sum(p.numel() for p in model.parameters())
    with pytest.raises(ValueError, match="trainable_layers=4"):
        tr.freeze_lower_layers(model, 4)
    with pytest.raises(TypeError, match="encoder.layer"):
        tr.freeze_lower_layers(torch.nn.Linear(2, 2), 1)


# KeepBest ---------------------------------------------------------------------------------------


class _State:
    def __init__(self):
        self.global_step, self.epoch, self.log_history = 0, 0.0, []


class _Control:
    should_training_stop = False


def test_keep_best_restores_the_best_weights_and_stops_with_patience():
    model = torch.nn.Linear(2, 1)
    keep = ts.KeepBest("eval_accuracy", patience=2)
    state, control = _State(), _Control()
    keep.on_evaluate(None, state, control, metrics={"eval_accuracy": 0.9}, model=model)
    assert keep.best == {}  # an evaluation before training is not a candidate
    best_weights = None
    for step, score in [(10, 0.5), (20, 0.8), (30, 0.7), (40, 0.6)]:
        state.global_step, state.epoch = step, step / 40
        with torch.no_grad():
            model.weight.fill_(step)
        if score == 0.8:
            best_weights = model.weight.clone()
        keep.on_evaluate(None, state, control, metrics={"eval_accuracy": score}, model=model)
    assert keep.best == {"step": 20, "epoch": 0.5, "eval_accuracy": 0.8}
    assert control.should_training_stop  # two evaluations without a gain
    keep.on_train_end(None, state, control, model=model)
    assert torch.equal(model.weight, best_weights)


def test_keep_best_with_an_evaluate_function_logs_its_scores():
    model = torch.nn.Linear(2, 1)
    scores = iter([{"f1": 40.0, "exact_match": 30.0}, {"f1": 55.0, "exact_match": 41.0}])
    keep = ts.KeepBest("eval_f1", evaluate=lambda m: next(scores))
    state, control = _State(), _Control()
    for epoch in (1, 2):
        state.global_step, state.epoch = 10 * epoch, float(epoch)
        keep.on_epoch_end(None, state, control, model=model)
    assert [h["eval_f1"] for h in state.log_history] == [40.0, 55.0]
    assert keep.best["epoch"] == 2.0 and keep.eval_seconds >= 0
    with pytest.raises(ValueError, match="eval_"):
        ts.KeepBest("accuracy")
    bad = ts.KeepBest("eval_f1", evaluate=lambda m: {"accuracy": 1.0})
    with pytest.raises(KeyError, match="without 'f1'"):
        bad.on_epoch_end(None, state, control, model=model)


def test_readme_shows_the_run_size_table():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- run-sizes:start -->\n")[1].split("<!-- run-sizes:end -->")[0]
    assert block == rs.run_size_table(), "run `python -m course_utils.run_sizes` to regenerate it"
