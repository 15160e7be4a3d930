"""Exercise checkers of lesson 6 (fine-tuning)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from . import checks
from .exercises import Verdict, check_answer, check_close


def check_num_steps(n_examples: int, batch_size: int, epochs: int, answer: int | None) -> Verdict:
    """Lesson 6: how many optimizer steps a run takes."""
    n_examples = checks.integer("n_examples", n_examples, minimum=1)
    batch_size = checks.integer("batch_size", batch_size, minimum=1)
    epochs = checks.integer("epochs", epochs, minimum=1)
    expected = math.ceil(n_examples / batch_size) * epochs
    return check_answer(
        "Training steps", answer, expected, "a last, smaller batch still counts as a step: ceil(n / batch) per epoch."
    )


def check_warmup_lr(step: int, total_steps: int, warmup_steps: int, peak_lr: float, answer: float | None) -> Verdict:
    """Lesson 6: the learning rate at ``step`` of a linear warm-up then linear decay schedule.

    ``warmup_steps`` is a number of steps (an int), not a fraction of ``total_steps``.
    """
    total_steps = checks.integer("total_steps", total_steps, minimum=1)
    step = checks.integer("step", step, minimum=0, maximum=total_steps)
    if isinstance(warmup_steps, float) and 0 < warmup_steps < 1:
        raise TypeError(
            f"warmup_steps={warmup_steps} is a fraction: pass a number of steps (an int), "
            f"e.g. round({warmup_steps} * total_steps) = {round(warmup_steps * total_steps)}."
        )
    warmup_steps = checks.integer("warmup_steps", warmup_steps, minimum=0, maximum=total_steps)
    peak_lr = checks.number("peak_lr", peak_lr, minimum=0)
    if peak_lr == 0:
        raise ValueError("peak_lr=0 gives a learning rate of 0 at every step: pass the peak, e.g. 1e-4.")
    if step < warmup_steps:
        expected = peak_lr * step / max(1, warmup_steps)
    else:
        expected = peak_lr * max(0.0, (total_steps - step) / max(1, total_steps - warmup_steps))
    return check_close(
        "Learning rate",
        answer,
        expected,
        1e-3 * peak_lr,
        "up from 0 to the peak during warm-up, then a straight line down to 0 at the last step.",
        minimum=0,
    )


def check_macro_f1(labels: Sequence[int], preds: Sequence[int], answer: float | None) -> Verdict:
    """Lesson 6: macro-F1 of ``preds`` (to 3 decimals)."""
    from sklearn.metrics import f1_score

    labels, preds = checks.class_ids("labels", labels), checks.class_ids("preds", preds)
    checks.same_length(("labels", "preds"), labels, preds)
    expected = float(f1_score(labels, preds, average="macro"))
    return check_close(
        "Macro-F1",
        answer,
        expected,
        5e-4,
        "F1 = 2PR/(P+R) for each class, then the plain mean over classes.",
        minimum=0,
        maximum=1,
    )


def check_tokens_lost(text: str, max_length: int, answer: int | None, tokenizer: Any) -> Verdict:
    """Lesson 6: how many tokens of ``text`` truncation to ``max_length`` throws away."""
    text = checks.text("text", text)
    checks.tokenizer("tokenizer", tokenizer)
    max_length = checks.integer("max_length", max_length, minimum=tokenizer.num_special_tokens_to_add())
    expected = max(0, len(tokenizer(text)["input_ids"]) - max_length)
    return check_answer("Tokens lost", answer, expected, "count [CLS] and [SEP] too: they always stay.")


def check_head_parameters(hidden_size: int, num_labels: int, answer: int | None) -> Verdict:
    """Lesson 6: the parameters of a linear head (weights and biases)."""
    hidden_size = checks.integer("hidden_size", hidden_size, minimum=1)
    num_labels = checks.integer("num_labels", num_labels, minimum=1)
    return check_answer(
        "Head parameters",
        answer,
        hidden_size * num_labels + num_labels,
        "a weight per (hidden unit, class) plus a bias per class.",
    )
