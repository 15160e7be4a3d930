"""The Trainer's set-up for lessons 6-7 (and 8-9 through them): arguments, metrics, best checkpoint.

* :func:`training_args`: ``TrainingArguments`` set from a run size (``course_utils.run_sizes``);
* :func:`classification_metrics` / :func:`compute_metrics`: accuracy and macro-F1 (scikit-learn);
* :class:`KeepBest`: a callback that keeps the weights of the best evaluation (early stopping).
"""

from __future__ import annotations

import dataclasses
import difflib
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn
from transformers import TrainerCallback

from . import checks
from .run_sizes import SCHEDULES, RunSize, _check_run


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
