"""Lesson 6's fine-tuning as a script for one process or many, with Hugging Face Accelerate.

    accelerate launch --num_processes 1 -m course_utils.accelerate_fine_tune        # one process: CPU or one GPU
    accelerate launch --multi_gpu --num_processes 4 -m course_utils.accelerate_fine_tune --size full  # 4 GPUs
    # a cluster of 2 machines with 8 GPUs each: the same line on every machine, with its own rank
    accelerate launch --multi_gpu --num_machines 2 --num_processes 16 --machine_rank 0 \\
        --main_process_ip 10.0.0.1 --main_process_port 29500 -m course_utils.accelerate_fine_tune --size full

Without a GPU, ``--multi_gpu --num_processes 2`` starts two CPU processes (accelerate's torchrun
launcher sits behind that flag; this script then trains on the CPU and the processes average
their gradients over gloo). The same run-size table (``RUN_SIZES[("sentiment", size)]``), data
(``load_task``), model (the ``classifier`` role with the Trainer's head) and loop as lesson 6's
``train_loop`` (AdamW, the run's
schedule, clipping at 1). The run's batch is the *global* batch: each of N processes takes batch/N
examples per step, so the recipe (and its learning rate) means the same on any number of processes.
Writes test accuracy and macro-F1 (``classification_metrics``, as the lesson) to ``--out`` as JSON.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import time
from pathlib import Path

import torch

from .data import load_task
from .profiles import get_profile, model_name, progress_bar, quiet, set_seed
from .run_sizes import SCHEDULES, SIZES, run_size
from .trainer_setup import classification_metrics
from .training import make_loader, output_dir, take


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", choices=SIZES, default=None, help="run size (default: the profile's)")
    parser.add_argument("--train-examples", type=int, default=None, help="train on this many (default: the run size's)")
    parser.add_argument(
        "--eval-examples", type=int, default=None, help="score on this many test sentences (default: all)"
    )
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", type=Path, default=output_dir("accelerate_sentiment") / "metrics.json")
    args = parser.parse_args(argv)
    for name in ("train_examples", "eval_examples"):
        value = getattr(args, name)
        if value is not None and value < 1:
            parser.error(f"--{name.replace('_', '-')}={value} is too small: pass at least 1.")
    return args


def main(argv: list[str] | None = None) -> dict:
    from accelerate import Accelerator
    from transformers import AutoModelForSequenceClassification, AutoTokenizer, get_scheduler

    args = parse_args(argv)
    accelerator = Accelerator(cpu=not torch.cuda.is_available())  # no GPU: processes on the CPU, over gloo
    quiet()
    set_seed(args.seed)
    run = run_size("sentiment", args.size or get_profile().size)
    if args.train_examples is not None or args.eval_examples is not None:
        run = dataclasses.replace(
            run,
            train_examples=args.train_examples or run.train_examples,
            eval_examples=args.eval_examples or run.eval_examples,
        )
    world = accelerator.num_processes
    if run.batch_size % world:
        raise SystemExit(f"batch {run.batch_size} cannot be split over {world} processes: launch a divisor of it.")

    with accelerator.main_process_first():  # one process fills the datasets cache, the others read it
        data = load_task("sentiment")
        tokenizer = AutoTokenizer.from_pretrained(model_name("classifier"))
        encoded = data.map(
            lambda b: tokenizer(b["sentence"], truncation=True, max_length=run.max_length),
            batched=True,
            remove_columns=["idx", "sentence"],
        )
    names = data["train"].features["label"].names
    train = take(encoded["train"], run.train_examples, seed=args.seed)
    test = take(encoded["test"], run.eval_examples, seed=args.seed)
    model = AutoModelForSequenceClassification.from_pretrained(
        model_name("classifier"), num_labels=len(names), id2label=dict(enumerate(names))
    )
    optimizer = torch.optim.AdamW(model.parameters(), lr=run.learning_rate, weight_decay=run.weight_decay)
    train_loader = make_loader(train, tokenizer, run.batch_size // world, shuffle=True, seed=args.seed)
    test_loader = make_loader(test, tokenizer, 64)
    # prepare(): the model on this process's device (wrapped for gradient averaging when N > 1),
    # each loader sharded so that every process sees its own 1/N of the batches
    model, optimizer, train_loader, test_loader = accelerator.prepare(model, optimizer, train_loader, test_loader)
    total = math.ceil(len(train_loader) * run.epochs)  # optimizer steps, the same on every process
    scheduler = get_scheduler(SCHEDULES[run.schedule], optimizer, math.ceil(run.warmup_ratio * total), total)

    accelerator.print(
        f"{run.describe()}\n{world} process(es) on {accelerator.device}, "
        f"{run.batch_size // world} examples each per step, {total} steps"
    )
    started, step = time.perf_counter(), 0
    bar = progress_bar(total, "training", disable=not accelerator.is_main_process)
    model.train()
    while step < total:
        for batch in train_loader:
            loss = model(**batch).loss
            accelerator.backward(loss)  # with N processes, the gradients are averaged over all of them
            accelerator.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad()
            step += 1
            bar.update(1)
            if step == total:
                break
    bar.close()
    train_seconds = time.perf_counter() - started

    model.eval()
    preds, labels = [], []
    with torch.no_grad():
        for batch in test_loader:
            logits = model(**{k: v for k, v in batch.items() if k != "labels"}).logits
            # every process's predictions, without the copies that evened out the last batch
            gathered = accelerator.gather_for_metrics((logits.argmax(-1), batch["labels"]))
            preds.append(gathered[0].cpu())
            labels.append(gathered[1].cpu())
    metrics = classification_metrics(torch.cat(labels).tolist(), torch.cat(preds).tolist())
    record = {
        "metrics": metrics,
        "processes": world,
        "device": str(accelerator.device),
        "steps": step,
        "train_examples": len(train),
        "test_examples": len(torch.cat(labels)),
        "train_seconds": round(train_seconds, 1),
        "run": run.describe(),
    }
    if accelerator.is_main_process:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
        print(
            f"test accuracy {metrics['accuracy']:.4f}, macro-F1 {metrics['macro_f1']:.4f}; "
            f"training {train_seconds:.0f} s; metrics in {args.out}"
        )
    accelerator.end_training()
    return record


if __name__ == "__main__":
    main()
