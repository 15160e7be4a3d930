"""Fine-tuning helpers for lessons 6 (text classification) and 7 (NLI).

* :func:`training_args`: ``TrainingArguments`` for the Trainer, set from a run size;
* :func:`classification_metrics` / :func:`compute_metrics`: accuracy and macro-F1 (scikit-learn);
* :func:`train_loop`: the same training written as a plain PyTorch loop (torch ``AdamW``, linear
  warm-up, gradient clipping, evaluation, progress bar), returning a history in the Trainer's
  ``log_history`` format so :func:`plot_history` draws both;
* :class:`BertClassifier`: our own head (encoder + dropout + linear on the pooled output);
* :func:`predict`, :func:`save_model`, :func:`load_model`.
"""

from __future__ import annotations

import dataclasses
import difflib
import json
import math
import time
from collections.abc import Mapping, Sequence
from numbers import Integral
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F
from transformers import TrainerCallback

from . import checks
from .profiles import progress_bar
from .run_sizes import SCHEDULES, RunSize

OUTPUT_DIR = Path(__file__).resolve().parent.parent / "notebooks" / "outputs"  # git-ignored
MODEL_INPUTS = ("input_ids", "token_type_ids", "attention_mask")
HEAD_FILE = "classifier_head.json"


def freeze_lower_layers(model: Any, trainable_layers: int | None) -> int:
    """Freeze the embeddings and all but the top ``trainable_layers`` encoder layers (None: train all).

    A CPU-budget trick: no gradients are computed below the lowest trainable layer, so a step costs
    less (the backward pass stops early). Returns the number of trainable parameters.
    A :class:`BertClassifier` freezes its encoder's layers; its head always trains.
    """
    base = model.encoder if isinstance(model, BertClassifier) else getattr(model, "base_model", model)
    stack = getattr(getattr(base, "encoder", None), "layer", None) or getattr(
        getattr(base, "transformer", None), "layer", None
    )
    if stack is None:
        hint = " (that is a tokenizer: pass the model)" if hasattr(model, "convert_tokens_to_ids") else ""
        raise TypeError(
            f"{type(model).__name__} has no encoder.layer stack{hint}: pass a BERT-like transformers model."
        )
    if trainable_layers is None:
        trainable_layers = len(stack)
        base.embeddings.requires_grad_(True)
    else:
        trainable_layers = checks.integer("trainable_layers", trainable_layers, minimum=0, maximum=len(stack))
        base.embeddings.requires_grad_(False)
    for index, layer in enumerate(stack):
        layer.requires_grad_(index >= len(stack) - trainable_layers)
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def take(dataset: Any, n: int | None, seed: int = 42) -> Any:
    """A seeded random subset of ``n`` rows of a ``datasets.Dataset`` (all of it if ``n`` is None or larger).

    Works on any split, tokenized or not; pass one split (``data["train"]``), not the whole ``DatasetDict``.
    """
    checks.columns("dataset", dataset, [])
    if not hasattr(dataset, "shuffle"):
        raise TypeError(f"dataset must be a datasets.Dataset, not {type(dataset).__name__}: "
                        "make one with Dataset.from_dict(...).")
    if n is not None:
        n = checks.integer("n", n, minimum=1)
    checks.integer("seed", seed, minimum=0)
    if n is None or len(dataset) <= n:
        return dataset
    return dataset.shuffle(seed=seed).select(range(n))


def output_dir(name: str) -> Path:
    """``notebooks/outputs/<name>`` (git-ignored): where runs and saved models go."""
    checks.text("name", name)
    if "/" in name or "\\" in name or name.startswith("."):
        raise ValueError(f"name={name!r} must be a plain folder name such as '06_trainer'.")
    return OUTPUT_DIR / name


# Metrics ---------------------------------------------------------------------------------


def classification_metrics(labels: Sequence[int], preds: Sequence[int]) -> dict[str, float]:
    """Accuracy and macro-F1 (the mean of the per-class F1 scores), via scikit-learn."""
    from sklearn.metrics import accuracy_score, f1_score

    labels, preds = checks.class_ids("labels", labels), checks.class_ids("preds", preds)
    checks.same_length(("labels", "preds"), labels, preds)
    return {
        "accuracy": float(accuracy_score(labels, preds)),
        "macro_f1": float(f1_score(labels, preds, average="macro")),
    }


def compute_metrics(eval_pred: Any) -> dict[str, float]:
    """For ``Trainer(compute_metrics=...)``: logits and labels in, accuracy and macro-F1 out.

    ``eval_pred``: the Trainer's ``EvalPrediction``, or a ``(logits, labels)`` pair.
    """
    if hasattr(eval_pred, "predictions") and hasattr(eval_pred, "label_ids"):
        logits, labels = eval_pred.predictions, eval_pred.label_ids
    elif isinstance(eval_pred, (tuple, list)) and len(eval_pred) == 2:
        logits, labels = eval_pred
    else:
        raise TypeError(f"eval_pred must be an EvalPrediction (the Trainer passes one) or a (logits, labels) pair, "
                        f"not {type(eval_pred).__name__}.")
    if isinstance(logits, tuple):
        logits = logits[0]
    checks.array("logits", logits, ndim=2)
    return classification_metrics(labels, np.argmax(logits, axis=-1))


# Trainer ---------------------------------------------------------------------------------


def training_args(
    run: RunSize,
    out: str | Path,
    seed: int = 42,
    eval_steps: int | None = None,
    logging_steps: int = 5,
    **overrides: Any,
) -> Any:
    """``TrainingArguments`` for ``run`` (lessons 6-7).

    Evaluates every ``eval_steps`` steps (each epoch when None), logs the training loss every
    ``logging_steps``, keeps the progress bar, saves no checkpoints in quick runs and reports to
    no tracker. ``overrides`` go straight to ``TrainingArguments``.
    """
    from transformers import TrainingArguments

    _check_run(run)
    checks.output_path("out", out)
    checks.integer("seed", seed, minimum=0)
    if eval_steps is not None:
        checks.integer("eval_steps", eval_steps, minimum=1)
    checks.integer("logging_steps", logging_steps, minimum=1)
    known = {field.name for field in dataclasses.fields(TrainingArguments)}
    unknown = sorted(set(overrides) - known)
    if unknown:
        hints = []
        for name in unknown:
            near = difflib.get_close_matches(name, known, n=1)
            hints.append(f"{name!r}" + (f" (did you mean {near[0]!r}?)" if near else ""))
        raise TypeError(f"TrainingArguments has no field(s) {', '.join(hints)}: see its documentation for the names.")
    cuda = torch.cuda.is_available()
    kwargs: dict[str, Any] = {
        "output_dir": str(out),
        "num_train_epochs": run.epochs,
        "per_device_train_batch_size": run.batch_size,
        "per_device_eval_batch_size": 2 * run.batch_size,
        "learning_rate": run.learning_rate,
        "lr_scheduler_type": SCHEDULES[run.schedule],
        "warmup_steps": run.warmup_ratio,  # a float below 1 is a fraction of the steps
        "weight_decay": run.weight_decay,
        "max_grad_norm": 1.0,
        "eval_strategy": "steps" if eval_steps else "epoch",
        "eval_steps": eval_steps,
        "logging_strategy": "steps",
        "logging_steps": logging_steps,
        "save_strategy": "no" if run.size == "quick" else "epoch",
        "save_total_limit": 1,
        "use_cpu": not cuda,
        "bf16": cuda and run.size == "full" and torch.cuda.is_bf16_supported(),
        "report_to": "none",
        "seed": seed,
        # not "group_by_length": in transformers 5 it also reorders evaluation, so the rows of
        # trainer.predict(...).predictions would no longer follow the dataset's order
        "train_sampling_strategy": "random",
        "disable_tqdm": False,  # the course's quiet logging would otherwise hide the progress bar
    }
    kwargs.update(overrides)
    return TrainingArguments(**kwargs)


def _check_run(run: Any) -> RunSize:
    if isinstance(run, str):
        raise TypeError(f"run must be a RunSize, not the task name {run!r}: pass run_size({run!r}).")
    if not isinstance(run, RunSize):
        raise TypeError(f"run must be a RunSize (from run_size(task)), not {type(run).__name__}.")
    return run


class KeepBest(TrainerCallback):
    """Keep the weights of the best validation score of a Trainer run, and restore them at the end.

    ``metric`` names the score (higher is better), as the Trainer logs it ("eval_accuracy").
    Without ``evaluate`` it watches the Trainer's own evaluations during training (``eval_strategy``;
    a ``trainer.evaluate()`` before training is not a candidate); with
    ``evaluate`` (a function ``model -> {name: value}``, for tasks the Trainer cannot score, such as
    question answering) it calls it after every epoch and logs ``eval_<name>`` into
    ``trainer.state.log_history``. ``patience``: stop after that many evaluations without a gain.
    After training, ``best`` holds ``{"step", "epoch", metric}`` of the kept weights and
    ``eval_seconds`` the time spent evaluating.
    """

    def __init__(self, metric: str, evaluate: Any = None, patience: int | None = None) -> None:
        if not checks.text("metric", metric).startswith("eval_"):
            raise ValueError(f"metric={metric!r} must be a logged name such as 'eval_accuracy' (with 'eval_').")
        if evaluate is not None and not callable(evaluate):
            raise TypeError(
                f"evaluate must be None or a function model -> {{name: score}}, not {type(evaluate).__name__}."
            )
        if patience is not None:
            patience = checks.integer("patience", patience, minimum=1)
        self.metric, self.evaluate, self.patience = metric, evaluate, patience
        self.best: dict[str, float] = {}
        self.eval_seconds = 0.0
        self._weights: dict[str, torch.Tensor] | None = None
        self._waited = 0

    def _consider(self, score: float, state: Any, control: Any, model: nn.Module) -> None:
        if not self.best or score > self.best[self.metric]:
            self.best = {"step": state.global_step, "epoch": float(state.epoch or 0), self.metric: float(score)}
            self._weights = {k: v.detach().clone() for k, v in model.state_dict().items()}
            self._waited = 0
        else:
            self._waited += 1
            if self.patience is not None and self._waited >= self.patience:
                control.should_training_stop = True

    def on_evaluate(self, args: Any, state: Any, control: Any, metrics: dict | None = None, **kwargs: Any) -> None:
        if self.evaluate is None and metrics and self.metric in metrics and state.global_step > 0:
            self._consider(metrics[self.metric], state, control, kwargs["model"])

    def on_epoch_end(self, args: Any, state: Any, control: Any, model: nn.Module | None = None, **kwargs: Any) -> None:
        if self.evaluate is None:
            return
        started = time.perf_counter()
        scores = {f"eval_{k}": float(v) for k, v in self.evaluate(model).items()}
        model.train()
        self.eval_seconds += time.perf_counter() - started
        if self.metric not in scores:
            raise KeyError(f"evaluate returned {sorted(scores)}, without {self.metric[5:]!r} (metric={self.metric!r}).")
        state.log_history.append({**scores, "epoch": float(state.epoch or 0), "step": state.global_step})
        self._consider(scores[self.metric], state, control, model)

    def on_train_end(self, args: Any, state: Any, control: Any, model: nn.Module | None = None, **kwargs: Any) -> None:
        if self._weights is not None:
            model.load_state_dict(self._weights)


# A plain PyTorch loop --------------------------------------------------------------------


TOKENIZE_FIRST = "tokenize it first with dataset.map(lambda b: tokenizer(b['sentence'], truncation=True), batched=True)"


def _tokenized(name: str, dataset: Any, labelled: bool = False) -> Any:
    """Refuse what is not a non-empty tokenized split (``input_ids``; with ``labelled``, a label column)."""
    checks.columns(name, dataset, ["input_ids"], hint=TOKENIZE_FIRST)
    if not hasattr(dataset, "select_columns"):
        raise TypeError(f"{name} must be a datasets.Dataset, not {type(dataset).__name__}: "
                        "make one with Dataset.from_dict(...) and tokenize it with .map(...).")
    if len(dataset) == 0:
        raise ValueError(f"{name} is empty (0 rows): pass a split with examples.")
    if labelled and _label_column(dataset) is None:
        raise ValueError(f"{name} has no 'label' column (it has {dataset.column_names}): pass a labelled split.")
    return dataset


def _label_column(dataset: Any) -> str | None:
    return next((c for c in ("label", "labels") if c in dataset.column_names), None)


def _check_labels(name: str, dataset: Any, model: nn.Module) -> None:
    """Refuse labels that are not class ids of ``model`` (an unlabelled split's -1, a third class for two outputs)."""
    column = _label_column(dataset)
    if column is None:
        return
    values = checks.array(f"{name}[{column!r}]", dataset[column], ndim=1)
    classes = model.num_labels if isinstance(model, BertClassifier) else model.config.num_labels
    if values.min() < 0 or values.max() >= classes or not np.all(values == np.round(values)):
        raise ValueError(
            f"{name}[{column!r}] holds values from {values.min():g} to {values.max():g}, but the model has {classes} "
            f"classes: labels must be class ids 0..{classes - 1} (an unlabelled split uses -1: drop its labels)."
        )


def _model_columns(dataset: Any) -> list[str]:
    return [c for c in (*MODEL_INPUTS, "label", "labels") if c in dataset.column_names]


def make_loader(
    dataset: Any, tokenizer: Any, batch_size: int, shuffle: bool = False, seed: int = 42, group_by_length: bool = True
) -> Any:
    """A ``DataLoader`` over a tokenized dataset that pads each batch (``DataCollatorWithPadding``).

    With ``shuffle``, batches are drawn at random but, with ``group_by_length``, from examples of
    similar length (transformers' ``LengthGroupedSampler``): less padding, so faster steps on a CPU.
    """
    from torch.utils.data import DataLoader
    from transformers import DataCollatorWithPadding
    from transformers.trainer_pt_utils import LengthGroupedSampler

    _tokenized("dataset", dataset)
    checks.tokenizer("tokenizer", tokenizer)
    batch_size = checks.integer("batch_size", batch_size, minimum=1)
    checks.integer("seed", seed, minimum=0)
    data = dataset.select_columns(_model_columns(dataset))
    sampler = None
    if shuffle:
        generator = torch.Generator().manual_seed(seed)
        if group_by_length:
            lengths = [len(ids) for ids in data["input_ids"]]
            sampler = LengthGroupedSampler(batch_size, lengths=lengths, generator=generator)
        else:
            sampler = torch.utils.data.RandomSampler(data, generator=generator)
    return DataLoader(data, batch_size=batch_size, sampler=sampler, collate_fn=DataCollatorWithPadding(tokenizer))


def _device_of(model: nn.Module) -> torch.device:
    return next(model.parameters()).device


def _inputs(batch: dict, device: torch.device) -> dict:
    return {k: v.to(device) for k, v in batch.items() if k in MODEL_INPUTS}


def _logits(output: Any, model: nn.Module) -> torch.Tensor:
    """``output.logits``, or a clear error for a model without a classification head."""
    logits = getattr(output, "logits", None)
    if logits is None:
        raise TypeError(f"model ({type(model).__name__}) gives no logits: pass a classifier "
                        "(AutoModelForSequenceClassification or BertClassifier), not a bare encoder.")
    return logits


@torch.no_grad()
def predict_logits(model: nn.Module, dataset: Any, tokenizer: Any, batch_size: int = 64) -> tuple[np.ndarray, float]:
    """Logits for every row of a tokenized dataset (in its order), and the mean loss when it has labels
    (NaN otherwise). Rows are batched by length, so little padding is computed."""
    checks.model("model", model)
    _tokenized("dataset", dataset)
    checks.tokenizer("tokenizer", tokenizer)
    checks.integer("batch_size", batch_size, minimum=1)
    _check_labels("dataset", dataset, model)
    was_training = model.training
    model.eval()
    device = _device_of(model)
    order = np.argsort([len(ids) for ids in dataset["input_ids"]], kind="stable")
    logits, loss_sum, n = [], 0.0, 0
    for batch in make_loader(dataset.select(order), tokenizer, batch_size):
        out = _logits(model(**_inputs(batch, device)), model)
        if "labels" in batch:
            loss_sum += F.cross_entropy(out, batch["labels"].to(device), reduction="sum").item()
            n += len(out)
        logits.append(out.float().cpu().numpy())
    model.train(was_training)
    result = np.empty_like(np.concatenate(logits))
    result[order] = np.concatenate(logits)
    return result, (loss_sum / n if n else float("nan"))


def evaluate_model(model: nn.Module, dataset: Any, tokenizer: Any, batch_size: int = 64) -> dict[str, float]:
    """Loss, accuracy and macro-F1 of ``model`` on a tokenized, labelled dataset (keys as the Trainer's)."""
    checks.model("model", model)
    _tokenized("dataset", dataset, labelled=True)
    logits, loss = predict_logits(model, dataset, tokenizer, batch_size)
    metrics = classification_metrics(dataset[_label_column(dataset)], logits.argmax(-1))
    return {"eval_loss": loss, **{f"eval_{k}": v for k, v in metrics.items()}}


def train_loop(
    model: nn.Module,
    train_data: Any,
    eval_data: Any,
    tokenizer: Any,
    run: RunSize,
    eval_steps: int | None = None,
    logging_steps: int = 10,
    seed: int = 42,
    progress: bool = True,
) -> list[dict[str, float]]:
    """Lesson 6 (section 4 prints it): fine-tune ``model`` with a plain PyTorch loop.

    Batches of similar length in random order, cross-entropy, backward, gradient clipping at 1,
    torch ``AdamW`` and the run's learning-rate schedule; the validation split is scored every
    ``eval_steps`` steps (each epoch when None) and at the end. Returns the history in the
    format of the Trainer's ``log_history``, so :func:`plot_history` draws both.
    """
    from transformers import get_scheduler

    checks.model("model", model)
    _tokenized("train_data", train_data, labelled=True)
    _tokenized("eval_data", eval_data, labelled=True)
    checks.tokenizer("tokenizer", tokenizer)
    _check_run(run)
    if eval_steps is not None:
        checks.integer("eval_steps", eval_steps, minimum=1)
    checks.integer("logging_steps", logging_steps, minimum=1)
    checks.integer("seed", seed, minimum=0)
    _check_labels("train_data", train_data, model)
    _check_labels("eval_data", eval_data, model)
    if not any(p.requires_grad for p in model.parameters()):
        raise ValueError("model has no trainable parameters: call freeze_lower_layers(model, None) to unfreeze them.")
    torch.manual_seed(seed)  # dropout
    loader = make_loader(train_data, tokenizer, run.batch_size, shuffle=True, seed=seed)
    total = run.steps(len(train_data))
    eval_steps = eval_steps or len(loader)
    optimizer = torch.optim.AdamW(
        [p for p in model.parameters() if p.requires_grad], lr=run.learning_rate, weight_decay=run.weight_decay
    )
    scheduler = get_scheduler(SCHEDULES[run.schedule], optimizer, math.ceil(run.warmup_ratio * total), total)
    history: list[dict[str, float]] = []
    losses: list[float] = []
    step = 0
    bar = progress_bar(total, "training", disable=not progress)
    model.train()
    while step < total:
        for batch in loader:
            batch = {k: v.to(next(model.parameters()).device) for k, v in batch.items()}
            logits = _logits(model(**{k: v for k, v in batch.items() if k != "labels"}), model)
            loss = F.cross_entropy(logits, batch["labels"])
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
            learning_rate = scheduler.get_last_lr()[0]
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad()
            step += 1
            losses.append(loss.item())
            bar.update(1)
            epoch = round(step / len(loader), 4)
            if step % logging_steps == 0 or step == total:
                history.append({"loss": float(np.mean(losses)), "learning_rate": learning_rate, "step": step,
                                "epoch": epoch})
                losses = []
            if step % eval_steps == 0 or step == total:
                history.append({**evaluate_model(model, eval_data, tokenizer), "step": step, "epoch": epoch})
                model.train()
            if step == total:
                break
    bar.close()
    model.eval()
    return history


def _history(name: str, history: Any) -> list[Mapping]:
    """One run's history: a list of dicts (``train_loop``'s result or ``trainer.state.log_history``)."""
    if isinstance(history, Mapping):
        raise TypeError(f"{name} must be one run's history (a list of dicts), not a dict: pass one of its values.")
    if isinstance(history, (str, bytes)) or not isinstance(history, Sequence):
        hint = ": pass trainer.state.log_history" if hasattr(history, "state") else ""
        raise TypeError(f"{name} must be a list of dicts (train_loop's result or trainer.state.log_history), "
                        f"not {type(history).__name__}{hint}.")
    for i, entry in enumerate(history):
        if not isinstance(entry, Mapping):
            raise TypeError(f"{name}[{i}] is a {type(entry).__name__}, not a dict: pass a history of logged dicts.")
    return list(history)


def history_frames(history: Sequence[dict]) -> tuple[Any, Any]:
    """Split a history (ours or ``trainer.state.log_history``) into training and evaluation DataFrames.

    An empty history gives two empty DataFrames.
    """
    import pandas as pd

    history = _history("history", history)
    train = pd.DataFrame([h for h in history if "loss" in h])
    evaluation = pd.DataFrame([h for h in history if "eval_loss" in h])
    return train, evaluation


def plot_history(
    history: Sequence[dict] | Mapping[str, Sequence[dict]],
    title: str = "",
    chance: float | None = None,
    metric: str = "eval_accuracy",
) -> None:
    """Learning curves against the step: training loss (left), the validation ``metric`` (right).

    ``history`` is one run's history (:func:`train_loop`'s result or ``trainer.state.log_history``)
    or a dict ``{name: history}`` to draw several runs on the same axes; ``chance`` draws the score
    of guessing (0.5 for two balanced classes) as a dotted line. ``metric`` is any logged
    validation score ("eval_f1" for lessons 8 and 9).
    """
    import matplotlib.pyplot as plt

    checks.text("metric", metric)
    checks.text("title", title, empty=True)
    if chance is not None:
        checks.number("chance", chance, minimum=0)
    if isinstance(history, Mapping):
        if not history:
            raise ValueError("history is an empty dict: pass {name: history} with at least one run.")
        runs = {name: _history(f"history[{name!r}]", run) for name, run in history.items()}
    else:
        runs = {"": _history("history", history)}
    logged = sorted({k for run in runs.values() for h in run for k in h if k.startswith("eval_")})
    if logged and metric not in logged:
        raise ValueError(f"metric={metric!r} is not in the history: choose one of {logged}.")
    fig, (ax_loss, ax_metric) = plt.subplots(1, 2, figsize=(9, 3.5))
    highest = 0.0
    for i, (name, run) in enumerate(runs.items()):
        train = [h for h in run if "loss" in h]
        evaluation = [h for h in run if metric in h]
        if not train and not evaluation:
            raise ValueError(
                f"history {name!r} has no 'loss' or {metric!r} entries: pass train_loop's result or log_history."
            )
        color = f"C{i}"
        prefix = f"{name}: " if name else ""
        if train:
            ax_loss.plot([h["step"] for h in train], [h["loss"] for h in train], color=color, label=f"{prefix}training")
        with_loss = [h for h in evaluation if "eval_loss" in h]
        if with_loss:
            ax_loss.plot([h["step"] for h in with_loss], [h["eval_loss"] for h in with_loss], "o--", color=color,
                         label=f"{prefix}validation")
        if evaluation:
            scores = [h[metric] for h in evaluation]
            highest = max(highest, *scores)
            ax_metric.plot([h["step"] for h in evaluation], scores, "o-", color=color, label=name or metric[5:])
    label = metric.removeprefix("eval_").replace("_", " ")
    ax_loss.set(xlabel="step", ylabel="loss", title="loss")
    ax_metric.set(xlabel="step", ylabel=label, title=f"validation {label}")
    ax_metric.set_ylim(0, 1 if highest <= 1 else 100)
    if chance is not None:
        ax_metric.axhline(chance, color="grey", ls=":", label="chance")
    ax_loss.legend(fontsize=7)
    ax_metric.legend(fontsize=7, loc="lower right")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    plt.show()


def plot_confusion(labels: Sequence[int], preds: Sequence[int], names: Sequence[str], title: str = "") -> np.ndarray:
    """Draw the confusion matrix (rows: true class, columns: predicted) and return it."""
    import matplotlib.pyplot as plt
    from sklearn.metrics import ConfusionMatrixDisplay, confusion_matrix

    labels, preds = checks.class_ids("labels", labels), checks.class_ids("preds", preds)
    checks.same_length(("labels", "preds"), labels, preds)
    names = checks.text_list("names", names)
    checks.text("title", title, empty=True)
    for name, values in (("labels", labels), ("preds", preds)):
        if values.min() < 0 or values.max() >= len(names):
            raise ValueError(f"{name} holds class ids from {values.min()} to {values.max()}, but names has "
                             f"{len(names)} entries: pass one name per class (ids 0..{len(names) - 1}).")
    matrix = confusion_matrix(labels, preds, labels=list(range(len(names))))
    fig, ax = plt.subplots(figsize=(3 + 0.6 * len(names), 2.6 + 0.6 * len(names)))
    ConfusionMatrixDisplay(matrix, display_labels=list(names)).plot(ax=ax, colorbar=False, cmap="Blues")
    ax.set_title(title)
    fig.tight_layout()
    plt.show()
    return matrix


# A custom head ----------------------------------------------------------------------------


class BertClassifier(nn.Module):
    """Lesson 6: an encoder, dropout and one linear layer on the pooled output (the seed's ``BERT_classifier``).

    ``pooling``: "pooler" (BERT's tanh layer over [CLS]; falls back to [CLS] for encoders without
    one, such as DistilBERT), "cls" (the [CLS] hidden state) or "mean" (mean over real tokens).
    ``forward`` returns an object with ``.logits`` (and ``.loss`` when ``labels`` are given), like
    ``AutoModelForSequenceClassification``, so the Trainer and :func:`train_loop` accept it.
    """

    POOLINGS = ("pooler", "cls", "mean")

    def __init__(
        self,
        encoder: nn.Module,
        num_labels: int,
        dropout: float = 0.1,
        pooling: str = "pooler",
        id2label: dict[int, str] | None = None,
    ) -> None:
        super().__init__()
        checks.model("encoder", encoder)
        if getattr(encoder, "base_model", encoder) is not encoder:
            raise TypeError(f"encoder is a {type(encoder).__name__}, a model with a head: pass its encoder "
                            "(model.base_model) or AutoModel.from_pretrained(...).")
        checks.integer("num_labels", num_labels, minimum=2)
        checks.number("dropout", dropout, minimum=0, maximum=1)
        checks.one_of("pooling", pooling, self.POOLINGS)
        if id2label is not None:
            if not isinstance(id2label, Mapping):
                raise TypeError(
                    f"id2label must be a dict {{0: 'negative', 1: 'positive'}}, not {type(id2label).__name__}."
                )
            keys = sorted(int(k) for k in id2label)
            if keys != list(range(num_labels)):
                raise ValueError(f"id2label has keys {keys}: give one name for each class id 0..{num_labels - 1}.")
        self.encoder = encoder
        self.pooling = pooling
        self.num_labels = num_labels
        self.dropout_p = dropout
        self.id2label = {int(k): v for k, v in (id2label or {i: f"LABEL_{i}" for i in range(num_labels)}).items()}
        self.dropout = nn.Dropout(dropout)
        self.classifier = nn.Linear(encoder.config.hidden_size, num_labels)

    @classmethod
    def from_encoder(cls, name_or_path: str, num_labels: int, **kwargs: Any) -> BertClassifier:
        """Load a pretrained encoder (``AutoModel``) from a Hub name or a folder and put a fresh head on it."""
        from transformers import AutoModel

        if not isinstance(name_or_path, (str, Path)):
            raise TypeError(
                f"name_or_path must be a model name or folder (str or Path), not {type(name_or_path).__name__}: "
                "to wrap an encoder you have loaded, use BertClassifier(encoder, num_labels)."
            )
        name = checks.text("name_or_path", str(name_or_path))
        # a Hub name is "model" or "owner/model"; anything else is a folder, which must exist
        if isinstance(name_or_path, Path) or Path(name).is_absolute() or name.startswith(".") or name.count("/") > 1:
            checks.existing_path("name_or_path", name_or_path, kind="dir")
        checks.integer("num_labels", num_labels, minimum=2)
        return cls(AutoModel.from_pretrained(name_or_path), num_labels, **kwargs)

    @property
    def config(self) -> Any:
        return self.encoder.config

    def pool(self, outputs: Any, attention_mask: torch.Tensor | None) -> torch.Tensor:
        """One vector per example from the encoder's ``outputs`` (``self.encoder(**inputs)``)."""
        hidden = getattr(outputs, "last_hidden_state", None)
        if hidden is None:
            raise TypeError(
                f"outputs must be the encoder's output (self.encoder(**inputs)), not {type(outputs).__name__}."
            )
        if attention_mask is not None and tuple(attention_mask.shape) != tuple(hidden.shape[:2]):
            raise ValueError(f"attention_mask has shape {tuple(attention_mask.shape)}, the hidden states "
                             f"{tuple(hidden.shape[:2])}: pass the mask of the same batch.")
        if self.pooling == "pooler" and getattr(outputs, "pooler_output", None) is not None:
            return outputs.pooler_output
        if self.pooling == "mean":
            mask = torch.ones(hidden.shape[:2], device=hidden.device) if attention_mask is None else attention_mask
            mask = mask.unsqueeze(-1).to(hidden.dtype)
            return (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
        return hidden[:, 0]

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor | None = None,
        token_type_ids: torch.Tensor | None = None,
        labels: torch.Tensor | None = None,
    ) -> Any:
        from transformers.modeling_outputs import SequenceClassifierOutput

        if not isinstance(input_ids, torch.Tensor):
            raise TypeError(f"input_ids must be a tensor (tokenizer(..., return_tensors='pt')), not "
                            f"{type(input_ids).__name__}: call model(**inputs), not model(inputs).")
        if labels is not None and not isinstance(labels, torch.Tensor):
            raise TypeError(f"labels must be a tensor of class ids, not {type(labels).__name__}.")
        inputs = {"input_ids": input_ids, "attention_mask": attention_mask}
        if token_type_ids is not None:
            inputs["token_type_ids"] = token_type_ids
        outputs = self.encoder(**inputs)
        logits = self.classifier(self.dropout(self.pool(outputs, attention_mask)))
        loss = F.cross_entropy(logits, labels) if labels is not None else None
        return SequenceClassifierOutput(loss=loss, logits=logits)

    def save_pretrained(self, path: str | Path) -> None:
        """The encoder in Hugging Face format, the head's weights and settings beside it."""
        path = checks.output_path("path", path)
        if path.is_file():
            raise ValueError(f"path={str(path)!r} is a file: pass a folder.")
        self.encoder.save_pretrained(path)
        torch.save(self.classifier.state_dict(), path / "classifier_head.pt")
        settings = {"num_labels": self.num_labels, "dropout": self.dropout_p, "pooling": self.pooling}
        (path / HEAD_FILE).write_text(json.dumps({**settings, "id2label": self.id2label}, indent=2))

    @classmethod
    def from_pretrained(cls, path: str | Path) -> BertClassifier:
        """Reload what :meth:`save_pretrained` wrote."""
        from transformers import AutoModel

        path = checks.existing_path("path", path, kind="dir")
        for name in (HEAD_FILE, "classifier_head.pt"):
            if not (path / name).is_file():
                raise FileNotFoundError(
                    f"{path / name} is missing: save the model with BertClassifier.save_pretrained."
                )
        settings = json.loads((path / HEAD_FILE).read_text())
        model = cls(AutoModel.from_pretrained(path), **settings)
        model.classifier.load_state_dict(torch.load(path / "classifier_head.pt", weights_only=True))
        return model.eval()


# Predict, save, reload --------------------------------------------------------------------


def _check_max_length(model: nn.Module, max_length: Any, minimum: int) -> int:
    """An int from ``minimum`` up to the model's number of positions."""
    max_length = checks.integer("max_length", max_length, minimum=minimum)
    limit = getattr(model.config, "max_position_embeddings", 512)
    if max_length > limit:
        raise ValueError(f"max_length={max_length} is more than the model's {limit} positions: use at most {limit}.")
    return max_length


def _id2label(model: nn.Module) -> dict[int, str]:
    if isinstance(model, BertClassifier):
        return model.id2label
    return {int(k): v for k, v in model.config.id2label.items()}


@torch.no_grad()
def predict(
    model: nn.Module,
    tokenizer: Any,
    texts: str | Sequence[str],
    text_pairs: str | Sequence[str] | None = None,
    max_length: int = 128,
) -> list[dict[str, Any]]:
    """Label and probability for each new text (or text pair, lesson 7): ``[{"label", "score", "probs"}]``.

    ``texts`` is one string (one prediction) or a non-empty list of strings; ``text_pairs`` likewise,
    one per text.
    """
    checks.model("model", model)
    checks.tokenizer("tokenizer", tokenizer)
    texts = [texts] if isinstance(texts, str) else checks.text_list("texts", texts)
    if text_pairs is not None:
        text_pairs = [text_pairs] if isinstance(text_pairs, str) else checks.text_list("text_pairs", text_pairs)
        if len(text_pairs) != len(texts):
            raise ValueError(
                f"text_pairs has {len(text_pairs)} items but texts has {len(texts)}: give one pair per text."
            )
    _check_max_length(model, max_length, minimum=3)
    model.eval()
    enc = tokenizer(list(texts), text_pairs, truncation=True, max_length=max_length, padding=True, return_tensors="pt")
    probs = torch.softmax(_logits(model(**_inputs(enc, _device_of(model))), model).float(), -1).cpu().numpy()
    names = _id2label(model)
    return [
        {
            "label": names[int(p.argmax())],
            "score": float(p.max()),
            "probs": {names[i]: float(v) for i, v in enumerate(p)},
        }
        for p in probs
    ]


KEEPS = ("head", "tail", "head+tail")


def truncate_ids(ids: Sequence[int], budget: int, keep: str = "head") -> list[int]:
    """Lesson 6: cut a long list of token ids to ``budget`` ids.

    "head" keeps the start (what ``truncation=True`` does), "tail" the end, "head+tail" a quarter of
    the budget from the start and the rest from the end (Sun et al., 2019, found this best on IMDb).
    ``ids`` is one text's ids (``tokenizer(text)["input_ids"]``), a list, array or 1-D tensor.
    """
    if isinstance(ids, Mapping):
        raise TypeError("ids must be a list of token ids, not a tokenizer output: pass tokenizer(text)['input_ids'].")
    if isinstance(ids, (str, bytes)) or ids is None or not hasattr(ids, "__iter__"):
        raise TypeError(f"ids must be a list of token ids (ints), not {type(ids).__name__}: "
                        "tokenize the text first, tokenizer(text)['input_ids'].")
    ids = ids.tolist() if hasattr(ids, "tolist") else list(ids)
    for i, item in enumerate(ids):
        if isinstance(item, bool) or not isinstance(item, Integral):
            raise TypeError(f"ids[{i}] is a {type(item).__name__}, not an int: pass one text's token ids "
                            "(a flat list of ints).")
    checks.integer("budget", budget, minimum=2)
    checks.one_of("keep", keep, KEEPS)
    return _truncate(ids, budget, keep)


def _truncate(ids: list[int], budget: int, keep: str) -> list[int]:
    if len(ids) <= budget:
        return ids
    if keep == "head":
        return ids[:budget]
    if keep == "tail":
        return ids[-budget:]
    head = budget // 4
    return ids[:head] + ids[len(ids) - (budget - head) :]


@torch.no_grad()
def long_text_logits(
    model: nn.Module, tokenizer: Any, texts: Sequence[str], max_length: int, keep: str = "head", batch_size: int = 16
) -> np.ndarray:
    """Lesson 6: logits for long texts cut to ``max_length`` tokens ([CLS], [SEP] included) by :func:`truncate_ids`.

    ``texts`` is a non-empty list of strings (wrap one text as ``[text]``).
    """
    checks.model("model", model)
    checks.tokenizer("tokenizer", tokenizer)
    texts = checks.text_list("texts", texts)
    _check_max_length(model, max_length, minimum=3)  # it includes [CLS] and [SEP]
    checks.one_of("keep", keep, KEEPS)
    batch_size = checks.integer("batch_size", batch_size, minimum=1)
    cls, sep = tokenizer.cls_token_id, tokenizer.sep_token_id
    if cls is None or sep is None:
        raise ValueError("tokenizer has no [CLS]/[SEP] tokens: pass a BERT-style tokenizer.")
    pieces = tokenizer(texts, add_special_tokens=False)["input_ids"]
    rows = [[cls, *_truncate(list(ids), max_length - 2, keep), sep] for ids in pieces]
    model.eval()
    device = _device_of(model)
    out = []
    for start in range(0, len(rows), batch_size):
        batch = tokenizer.pad({"input_ids": rows[start : start + batch_size]}, return_tensors="pt")
        out.append(_logits(model(**_inputs(batch, device)), model).float().cpu().numpy())
    return np.concatenate(out)


def save_model(model: nn.Module, tokenizer: Any, path: str | Path) -> Path:
    """Save a fine-tuned model and its tokenizer to ``path`` (a folder ``from_pretrained`` can read)."""
    checks.model("model", model)
    checks.tokenizer("tokenizer", tokenizer)
    path = checks.output_path("path", path)
    if path.is_file():
        raise ValueError(f"path={str(path)!r} is a file: pass a folder.")
    if not hasattr(model, "save_pretrained"):
        raise TypeError(
            f"model ({type(model).__name__}) has no save_pretrained: pass a transformers model or a BertClassifier."
        )
    path.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path


TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "vocab.txt")


def load_model(path: str | Path, new_head: bool = False) -> tuple[nn.Module, Any]:
    """Reload what :func:`save_model` wrote: ``(model, tokenizer)``, in eval mode.

    A folder whose weights hold no classification head (a pretrained encoder, such as
    ``bundled_model_path()``) is refused, since its head would be random; pass ``new_head=True`` to
    get such a fresh, untrained head on purpose (to fine-tune it). A :class:`BertClassifier`
    folder always brings its saved head.
    """
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    path = checks.existing_path("path", path, kind="dir")
    checks.one_of("new_head", new_head, (True, False))
    if not (path / "config.json").is_file():
        raise FileNotFoundError(
            f"{path} holds no saved model (no config.json): call save_model(model, tokenizer, path) first."
        )
    if not any((path / name).is_file() for name in TOKENIZER_FILES):
        raise FileNotFoundError(
            f"{path} holds no tokenizer (none of {list(TOKENIZER_FILES)}): "
            "save with save_model(model, tokenizer, path)."
        )
    if (path / HEAD_FILE).is_file():
        model = BertClassifier.from_pretrained(path)
    else:
        model, info = AutoModelForSequenceClassification.from_pretrained(path, output_loading_info=True)
        missing = sorted(info["missing_keys"])
        if missing and not new_head:
            raise ValueError(
                f"{path} holds no fine-tuned classification head (its weights lack {missing}), so the model "
                "would answer at random: load a folder that save_model wrote after fine-tuning, or pass "
                "new_head=True for a fresh head to train."
            )
        model = model.eval()
    return model, AutoTokenizer.from_pretrained(path)


def count_parameters(model: nn.Module, trainable_only: bool = True) -> int:
    """How many (trainable) parameters ``model`` (any torch module, a head too) has."""
    if not isinstance(model, nn.Module):
        hint = " (that is a tokenizer: pass the model)" if hasattr(model, "convert_tokens_to_ids") else ""
        raise TypeError(f"model must be a torch module (a model or a part such as model.classifier), "
                        f"not {type(model).__name__}{hint}.")
    checks.one_of("trainable_only", trainable_only, (True, False))
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)


__all__ = [
    "BertClassifier",
    "classification_metrics",
    "compute_metrics",
    "count_parameters",
    "evaluate_model",
    "history_frames",
    "load_model",
    "long_text_logits",
    "make_loader",
    "output_dir",
    "plot_confusion",
    "plot_history",
    "predict",
    "predict_logits",
    "save_model",
    "take",
    "train_loop",
    "truncate_ids",
    "training_args",
]
