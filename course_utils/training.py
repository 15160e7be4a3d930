"""Fine-tuning in plain PyTorch for lessons 6 (text classification) and 7 (NLI).

* :func:`train_loop`: the training the Trainer does, written as a plain PyTorch loop (torch ``AdamW``,
  warm-up and schedule, gradient clipping, evaluation, progress bar), returning a history in the
  Trainer's ``log_history`` format so ``learning_curves.plot_history`` draws both;
* :func:`make_loader`: length-grouped, padded batches; :func:`predict_logits` / :func:`evaluate_model`;
* :func:`freeze_lower_layers`, :func:`take`, :func:`output_dir`.

The Trainer's set-up is in ``trainer_setup``, our head in ``classifier``, curves in ``learning_curves``.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from . import checks
from .classifier import BertClassifier
from .embeddings import length_sorted_batches
from .profiles import progress_bar
from .run_sizes import SCHEDULES, RunSize, _check_run
from .trainer_setup import classification_metrics

OUTPUT_DIR = Path(__file__).resolve().parent.parent / "notebooks" / "outputs"  # git-ignored
MODEL_INPUTS = ("input_ids", "token_type_ids", "attention_mask")


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


def length_grouped(dataset: Any, batch_size: int, seed: int = 42) -> Any:
    """The rows of a tokenized ``dataset`` in length-grouped batches, the batches in a seeded random order.

    Sorted by ``input_ids`` length, cut into runs of ``batch_size`` rows, the runs shuffled (a short
    remainder goes last): read in this order (``TrainingArguments(train_sampling_strategy="sequential")``),
    each batch holds rows of about one length and pads little. Every epoch sees the same batches in the
    same order.
    """
    checks.columns("dataset", dataset, ["input_ids"])
    batch_size = checks.integer("batch_size", batch_size, minimum=1)
    checks.integer("seed", seed, minimum=0)
    lengths = np.array([len(ids) for ids in dataset["input_ids"]])
    by_length = np.argsort(lengths, kind="stable")
    full = len(by_length) // batch_size * batch_size  # a short last batch stays last, so every cut falls
    batches = by_length[:full].reshape(-1, batch_size)  # where the Trainer cuts: every batch_size rows
    shuffled = batches[np.random.default_rng(seed).permutation(len(batches))].ravel()
    return dataset.select(np.concatenate([shuffled, by_length[full:]]).tolist())


def output_dir(name: str) -> Path:
    """``notebooks/outputs/<name>`` (git-ignored): where runs and saved models go."""
    checks.text("name", name)
    if "/" in name or "\\" in name or name.startswith("."):
        raise ValueError(f"name={name!r} must be a plain folder name such as '06_trainer'.")
    return OUTPUT_DIR / name


# Metrics ---------------------------------------------------------------------------------


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
    (NaN otherwise). Rows are batched by length (:func:`~course_utils.embeddings.length_sorted_batches`),
    so little padding is computed."""
    checks.model("model", model)
    _tokenized("dataset", dataset)
    checks.tokenizer("tokenizer", tokenizer)
    checks.integer("batch_size", batch_size, minimum=1)
    _check_labels("dataset", dataset, model)
    was_training = model.training
    model.eval()
    device = _device_of(model)
    from torch.utils.data import DataLoader
    from transformers import DataCollatorWithPadding

    lengths = [len(ids) for ids in dataset["input_ids"]]
    batches = length_sorted_batches(lengths, batch_tokens=batch_size * max(lengths), max_batch_size=batch_size)
    loader = DataLoader(
        dataset.select_columns(_model_columns(dataset)),
        batch_sampler=[batch.tolist() for batch in batches],
        collate_fn=DataCollatorWithPadding(tokenizer),
    )
    logits, loss_sum, n = [], 0.0, 0
    for batch in loader:
        out = _logits(model(**_inputs(batch, device)), model)
        if "labels" in batch:
            loss_sum += F.cross_entropy(out, batch["labels"].to(device), reduction="sum").item()
            n += len(out)
        logits.append(out.float().cpu().numpy())
    model.train(was_training)
    result = np.empty_like(np.concatenate(logits))
    result[np.concatenate(batches)] = np.concatenate(logits)
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
