"""Learning curves and confusion matrices from a run's own log (lessons 6-9).

* :func:`history_frames`: a history (``train_loop``'s or ``trainer.state.log_history``) as two DataFrames;
* :func:`plot_history`: training loss and a validation metric against the step, for one run or several;
* :func:`plot_confusion`: the confusion matrix, drawn and returned.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from . import checks


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
