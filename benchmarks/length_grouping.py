"""Random batches against length-grouped batches for the training lessons, side by side in one process.

    .venv/bin/python benchmarks/length_grouping.py            # writes benchmarks/length_grouping.md

For each task: the padded tokens a batch of the quick run carries for each real token, with
random batches (the Trainer's default sampler) and with ``course_utils.training.length_grouped``;
then, for sentiment (lesson 6's Trainer recipe, the quick run size), both orders trained from the
same start and seed: training seconds and validation accuracy.
"""

from __future__ import annotations

import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import numpy as np  # noqa: E402
import torch  # noqa: E402


def padding_ratio(lengths: np.ndarray, order: np.ndarray, batch_size: int) -> float:
    """Padded tokens / real tokens when the rows are read in ``order`` in batches of ``batch_size``."""
    padded = sum(lengths[order[i:i + batch_size]].max() * len(order[i:i + batch_size])
                 for i in range(0, len(order), batch_size))
    return float(padded / lengths[order].sum())


def encoded_train(task: str, tokenizer, run):
    from course_utils.data import load_task
    from course_utils.ner import tokenize_and_align
    from course_utils.qa_features import prepare_qa_features
    from course_utils.training import take

    data = load_task(task, quick=False, online=False)
    if task == "qa":
        train = data["train"].map(lambda b: prepare_qa_features(b, tokenizer, run.max_length, run.stride),
                                  batched=True, remove_columns=data["train"].column_names)
        train = train.filter(lambda w: w["start_positions"] > 0)
    elif task == "ner":
        train = data["train"].map(lambda b: tokenize_and_align(b, tokenizer, max_length=run.max_length),
                                  batched=True, remove_columns=data["train"].column_names)
    else:
        fields = ("sentence",) if task == "sentiment" else ("premise", "hypothesis")
        train = data["train"].map(lambda b: tokenizer(*(b[f] for f in fields), truncation=True,
                                                      max_length=run.max_length), batched=True)
    return take(train, run.train_examples), data


def train_sentiment(order: str, tokenizer, run) -> tuple[float, float]:
    from transformers import AutoModelForSequenceClassification, DataCollatorWithPadding, Trainer

    from course_utils.profiles import bundled_model_path, set_seed
    from course_utils.trainer_setup import training_args
    from course_utils.training import evaluate_model, length_grouped, output_dir

    train, data = encoded_train("sentiment", tokenizer, run)
    validation = data["validation"].map(lambda b: tokenizer(b["sentence"], truncation=True,
                                                            max_length=run.max_length), batched=True)
    train = train.remove_columns([c for c in train.column_names if c not in ("input_ids", "attention_mask",
                                                                             "token_type_ids", "label")])
    extra = {}
    if order == "length-grouped":
        train = length_grouped(train, run.batch_size)
        extra["train_sampling_strategy"] = "sequential"
    set_seed(42)
    model = AutoModelForSequenceClassification.from_pretrained(bundled_model_path(), num_labels=2)
    args = training_args(run, output_dir("bench_grouping"), eval_strategy="no", disable_tqdm=True, **extra)
    trainer = Trainer(model=model, args=args, train_dataset=train, processing_class=tokenizer,
                      data_collator=DataCollatorWithPadding(tokenizer))
    started = time.perf_counter()
    trainer.train()
    seconds = time.perf_counter() - started
    return seconds, evaluate_model(model, validation.remove_columns(["sentence", "idx"]), tokenizer)["eval_accuracy"]


def main() -> None:
    from transformers import AutoTokenizer

    from course_utils.profiles import bundled_model_path, quiet
    from course_utils.run_sizes import run_size
    from course_utils.training import length_grouped

    quiet()
    tokenizer = AutoTokenizer.from_pretrained(bundled_model_path())
    lines = ["# Random or length-grouped training batches", "",
             "Written by `benchmarks/length_grouping.py` (one process). Padded tokens per real token in the",
             "training batches of each task's quick run size; then lesson 6's Trainer run (sentiment, quick",
             "size) trained with each order from the same start and seed.", "",
             "| task | rows | batch | random batches | length-grouped |", "|---|---|---|---|---|"]
    for task in ("sentiment", "nli", "qa", "ner"):
        run = run_size(task, "quick", online=False)
        train, _ = encoded_train(task, tokenizer, run)
        lengths = np.array([len(ids) for ids in train["input_ids"]])
        random_order = np.random.default_rng(42).permutation(len(lengths))
        grouped = length_grouped(train.add_column("row", list(range(len(train)))), run.batch_size)
        lines.append(f"| {task} | {len(lengths):,} | {run.batch_size} | "
                     f"{padding_ratio(lengths, random_order, run.batch_size):.2f} | "
                     f"{padding_ratio(lengths, np.array(grouped['row']), run.batch_size):.2f} |")
        print(lines[-1], flush=True)
    run = run_size("sentiment", "quick", online=False)
    lines += ["", f"Sentiment, {run.describe()}:", "", "| order | training s | validation accuracy |",
              "|---|---|---|"]
    for order in ("random", "length-grouped"):
        seconds, accuracy = train_sentiment(order, tokenizer, run)
        lines.append(f"| {order} | {seconds:.0f} | {accuracy:.3f} |")
        print(lines[-1], flush=True)
    lines += ["", f"Machine: {platform.machine()}, {os.cpu_count()} cores, torch {torch.__version__}, "
              f"{torch.get_num_threads()} threads; {time.strftime('%Y-%m-%d')}. One run of each order "
              "(timings on a shared 2-core VM vary by about 10%)."]
    (ROOT / "benchmarks" / "length_grouping.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
