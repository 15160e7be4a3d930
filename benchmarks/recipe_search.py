"""Search the fine-tuning recipe of each training lesson under the CPU budget (issue: lessons that learn).

    .venv/bin/python benchmarks/recipe_search.py nli                 # every configuration of the task
    .venv/bin/python benchmarks/recipe_search.py nli --only lr2e-4   # some of them (comma-separated)
    .venv/bin/python benchmarks/recipe_search.py --table             # rewrite the tables from the records

Every configuration starts from the bundled all-MiniLM-L6-v2 with a fresh head and seed 42,
trains with the Trainer on the offline training split, and is scored on the validation split
after every epoch (the test split is never looked at here). ``KeepBest`` keeps the best epoch.
Each result is appended to ``benchmarks/recipes/<task>.json`` (one record per configuration,
the latest run wins) and ``benchmarks/recipes/<task>.md`` is rewritten from it: what was tried,
the validation score after each epoch, training seconds (evaluation excluded) and the machine.
The quick run size of each task in ``course_utils.run_sizes.RUN_SIZES`` is the best
configuration that fits the lesson's training budget.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

RECIPES = ROOT / "benchmarks" / "recipes"
#: Seconds of training each lesson may spend per model it trains (the lesson's 5-minute budget
#: also pays for loading, evaluation and the rest of the notebook).
BUDGET_S = {"sentiment": 75, "nli": 150, "qa": 170, "ner": 120}
METRIC = {"sentiment": "accuracy", "nli": "accuracy", "qa": "f1", "ner": "f1"}


def grid(task: str) -> dict[str, tuple[Any, str]]:
    """The configurations tried for ``task``: name -> (RunSize, head).

    head: "auto" (the task's ``AutoModelFor...`` head; for classification BERT's pooler on [CLS])
    or "mean" (classification only: ``BertClassifier`` on the mean of the token vectors).
    """
    from course_utils.run_sizes import RunSize

    r = dataclasses.replace
    if task == "sentiment":
        b = RunSize(task, "quick", None, None, 1, 16, 64, 1e-4)
        configs = {
            "lr1e-4 pooler": (b, "auto"),
            "lr2e-4 pooler": (r(b, learning_rate=2e-4), "auto"),
            "lr5e-5 pooler": (r(b, learning_rate=5e-5), "auto"),
            "lr1e-4 mean head": (b, "mean"),
            "lr2e-4 pooler top4": (r(b, learning_rate=2e-4, trainable_layers=4), "auto"),
            "lr2e-4 pooler 2 epochs": (r(b, learning_rate=2e-4, epochs=2), "auto"),
            "lr2e-4 mean head 2 epochs": (r(b, learning_rate=2e-4, epochs=2), "mean"),
            "lr3e-4 mean head": (r(b, learning_rate=3e-4), "mean"),
            "lr2e-4 mean head": (r(b, learning_rate=2e-4), "mean"),
            "lr2e-4 pooler 4000 sentences": (r(b, learning_rate=2e-4, train_examples=4000), "auto"),
            "lr2e-4 mean head 4000 sentences": (r(b, learning_rate=2e-4, train_examples=4000), "mean"),
            "offline full: lr2e-4 pooler all sentences 2 epochs": (r(b, learning_rate=2e-4, epochs=2), "auto"),
        }
    elif task == "nli":
        b = RunSize(task, "quick", None, None, 1, 16, 96, 2e-4)
        configs = {
            "lr2e-4 mean head": (b, "mean"),
            "lr1e-4 mean head": (r(b, learning_rate=1e-4), "mean"),
            "lr2e-4 pooler": (b, "auto"),
            "lr3e-4 mean head": (r(b, learning_rate=3e-4), "mean"),
            "lr2e-4 mean head top4": (r(b, trainable_layers=4), "mean"),
            "offline full: lr1e-4 mean head 3 epochs": (r(b, learning_rate=1e-4, epochs=3), "mean"),
        }
    elif task == "qa":
        b = RunSize(
            task, "quick", 2000, None, 1, 16, 192, 3e-4, stride=64, trainable_layers=3, answer_windows_only=True
        )
        configs = {
            "lr1e-4 1200 windows": (RunSize(task, "quick", 1200, None, 1, 16, 256, 1e-4, stride=64), "auto"),
            "lr3e-4 len192 top3 2000 answer windows": (b, "auto"),
            "lr3e-4 len192 top3 2000 windows": (r(b, answer_windows_only=False), "auto"),
            "lr1e-4 len192 top3 2000 answer windows": (r(b, learning_rate=1e-4), "auto"),
            "lr3e-4 len192 all layers 1400 answer windows": (r(b, train_examples=1400, trainable_layers=None), "auto"),
            "lr3e-4 len192 top3 1200 answer windows": (r(b, train_examples=1200), "auto"),
            "lr3e-4 constant len192 top3 1200 answer windows": (r(b, train_examples=1200, schedule="constant"), "auto"),
            "lr2e-4 constant len192 top3 1200 answer windows": (
                r(b, train_examples=1200, learning_rate=2e-4, schedule="constant"),
                "auto",
            ),
            "offline full: lr3e-4 constant len192 top3 all answer windows 2 epochs": (
                r(b, train_examples=None, epochs=2, schedule="constant"),
                "auto",
            ),
        }
    else:
        b = RunSize(task, "quick", None, None, 1, 16, 96, 1e-4)
        configs = {
            "lr1e-4 1 epoch": (b, "auto"),
            "lr2e-4 1 epoch": (r(b, learning_rate=2e-4), "auto"),
            "lr5e-5 1 epoch": (r(b, learning_rate=5e-5), "auto"),
            "lr2e-4 top4 1 epoch": (r(b, learning_rate=2e-4, trainable_layers=4), "auto"),
            "lr1e-4 batch32 2 epochs": (r(b, batch_size=32, epochs=2), "auto"),
            "lr3e-4 1 epoch": (r(b, learning_rate=3e-4), "auto"),
            "lr2e-4 2 epochs": (r(b, learning_rate=2e-4, epochs=2), "auto"),
            "lr5e-4 1 epoch": (r(b, learning_rate=5e-4), "auto"),
        }
    return configs


# Tasks: data, model and validation score ------------------------------------------------


def classification(task: str, run: Any, head: str, tokenizer: Any) -> tuple[Any, Callable, Any]:
    from transformers import AutoModelForSequenceClassification

    from course_utils.classifier import BertClassifier
    from course_utils.data import load_task
    from course_utils.profiles import bundled_model_path
    from course_utils.training import evaluate_model

    data = load_task(task, quick=False, online=False)
    fields = ("sentence",) if task == "sentiment" else ("premise", "hypothesis")

    def tokenize(batch: dict) -> dict:
        return tokenizer(*(batch[f] for f in fields), truncation=True, max_length=run.max_length)

    keep = ["label"]
    encoded = data.map(tokenize, batched=True, remove_columns=[c for c in data["train"].column_names if c not in keep])
    n_labels = data["train"].features["label"].num_classes
    if head == "mean":
        model = BertClassifier.from_encoder(str(bundled_model_path()), n_labels, pooling="mean")
    else:
        model = AutoModelForSequenceClassification.from_pretrained(bundled_model_path(), num_labels=n_labels)

    def score(m: Any) -> dict[str, float]:
        return {k[5:]: v for k, v in evaluate_model(m, encoded["validation"], tokenizer).items()}

    from course_utils.training import take

    return take(encoded["train"], run.train_examples), score, model


def question_answering(run: Any, tokenizer: Any) -> tuple[Any, Callable, Any]:
    from transformers import AutoModelForQuestionAnswering

    from course_utils.data import load_task
    from course_utils.profiles import bundled_model_path
    from course_utils.qa import postprocess_qa, qa_logits
    from course_utils.qa_features import prepare_qa_features
    from course_utils.squad_metrics import squad_metrics

    data = load_task("qa", quick=False, online=False)
    from course_utils.training import take

    train = (
        data["train"]
        .map(
            lambda b: prepare_qa_features(b, tokenizer, run.max_length, run.stride),
            batched=True,
            remove_columns=data["train"].column_names,
        )
        .remove_columns(["offset_mapping", "example_id"])
    )
    if run.answer_windows_only:
        train = train.filter(lambda window: window["start_positions"] > 0)
    train = take(train, run.train_examples)
    val = data["validation"]
    val_features = val.map(
        lambda b: prepare_qa_features(b, tokenizer, run.max_length, run.stride, with_labels=False),
        batched=True,
        remove_columns=val.column_names,
    )
    model = AutoModelForQuestionAnswering.from_pretrained(bundled_model_path())

    def score(m: Any) -> dict[str, float]:
        starts, ends = qa_logits(m, tokenizer, val_features, batch_size=64)
        scores = squad_metrics(postprocess_qa(val, val_features, starts, ends), val)
        return {"f1": scores["f1"], "exact_match": scores["exact_match"]}

    return train, score, model


def ner(run: Any, tokenizer: Any) -> tuple[Any, Callable, Any]:
    from transformers import AutoModelForTokenClassification

    from course_utils.data import NER_TAGS, load_task
    from course_utils.entities import entity_scores
    from course_utils.ner import predict_tags, tokenize_and_align
    from course_utils.profiles import bundled_model_path

    data = load_task("ner", quick=False, online=False)
    train = data["train"].map(
        lambda b: tokenize_and_align(b, tokenizer, max_length=run.max_length),
        batched=True,
        remove_columns=data["train"].column_names,
    )
    val = data["validation"]
    gold = [[NER_TAGS[t] for t in tags] for tags in val["ner_tags"]]
    model = AutoModelForTokenClassification.from_pretrained(
        bundled_model_path(), num_labels=len(NER_TAGS), id2label=dict(enumerate(NER_TAGS))
    )

    def score(m: Any) -> dict[str, float]:
        predicted = predict_tags(m, tokenizer, val["tokens"], NER_TAGS, max_length=run.max_length)
        return {"f1": entity_scores(gold, predicted)["f1"]}

    from course_utils.training import take

    return take(train, run.train_examples), score, model


def run_one(task: str, name: str, run: Any, head: str) -> dict[str, Any]:
    import torch
    from transformers import (
        AutoTokenizer,
        DataCollatorForTokenClassification,
        DataCollatorWithPadding,
        Trainer,
    )

    from course_utils.profiles import bundled_model_path, quiet, set_seed
    from course_utils.trainer_setup import KeepBest, training_args
    from course_utils.training import freeze_lower_layers, output_dir

    quiet()
    set_seed(42)
    tokenizer = AutoTokenizer.from_pretrained(bundled_model_path())
    if task in ("sentiment", "nli"):
        train, score, model = classification(task, run, head, tokenizer)
        collator = DataCollatorWithPadding(tokenizer)
    elif task == "qa":
        train, score, model = question_answering(run, tokenizer)
        collator = DataCollatorWithPadding(tokenizer)
    else:
        train, score, model = ner(run, tokenizer)
        collator = DataCollatorForTokenClassification(tokenizer)
    if run.trainable_layers is not None:
        freeze_lower_layers(model.encoder if head == "mean" else model, run.trainable_layers)
    metric = f"eval_{METRIC[task]}"
    keep = KeepBest(metric, evaluate=score)
    args = training_args(run, output_dir(f"recipe_{task}"), eval_strategy="no", logging_steps=20, disable_tqdm=True)
    trainer = Trainer(
        model=model,
        args=args,
        train_dataset=train,
        data_collator=collator,
        processing_class=tokenizer,
        callbacks=[keep],
    )
    started = time.perf_counter()
    trainer.train()
    total = time.perf_counter() - started
    curve = [round(h[metric], 4) for h in trainer.state.log_history if metric in h]
    return {
        "name": name,
        "run": dataclasses.asdict(run),
        "head": head,
        "train_examples": len(train),
        "steps": trainer.state.global_step,
        "curve": curve,
        "best": round(keep.best[metric], 4),
        "best_epoch": keep.best["epoch"],
        "train_seconds": round(total - keep.eval_seconds, 1),
        "eval_seconds": round(keep.eval_seconds, 1),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, torch {torch.__version__}, "
        f"{torch.get_num_threads()} threads",
        "date": time.strftime("%Y-%m-%d"),
    }


# Records and tables -----------------------------------------------------------------------------


def records(task: str) -> list[dict]:
    path = RECIPES / f"{task}.json"
    return json.loads(path.read_text()) if path.is_file() else []


def save(task: str, record: dict) -> None:
    RECIPES.mkdir(exist_ok=True)
    kept = [r for r in records(task) if r["name"] != record["name"]] + [record]
    (RECIPES / f"{task}.json").write_text(json.dumps(kept, indent=1) + "\n")


def table(task: str) -> str:
    rows = sorted(records(task), key=lambda r: -r["best"])
    metric = METRIC[task]
    scale = "" if task == "qa" else " (fraction)"
    lines = [
        f"# Recipe search: {task}",
        "",
        f"Written by `benchmarks/recipe_search.py {task}` from `{task}.json`; validation {metric}{scale} after each",
        f"epoch, the best kept. Training budget for one model in the lesson: {BUDGET_S[task]} s of training "
        "(evaluation excluded).",
        "",
        f"| configuration | train examples | steps | validation {metric} per epoch | best | train s | fits budget |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        fits = "yes" if r["train_seconds"] <= BUDGET_S[task] else "no"
        curve = " → ".join(f"{v:.3f}" if task != "qa" else f"{v:.1f}" for v in r["curve"])
        best = f"{r['best']:.3f}" if task != "qa" else f"{r['best']:.1f}"
        lines.append(
            f"| {r['name']} | {r['train_examples']:,} | {r['steps']} | {curve} | {best} | {r['train_seconds']:.0f} "
            f"| {fits} |"
        )
    if rows:
        lines += [
            "",
            f"Machine: {rows[0]['machine']}; dates {min(r['date'] for r in rows)} to "
            f"{max(r['date'] for r in rows)}. The last column compares training seconds with the budget.",
        ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("task", nargs="?", choices=sorted(METRIC))
    parser.add_argument("--only", default="", help="comma-separated configuration names")
    parser.add_argument("--table", action="store_true", help="only rewrite the tables from the records")
    args = parser.parse_args()
    tasks = [args.task] if args.task else sorted(METRIC)
    for task in tasks:
        if not args.table:
            configs = grid(task)
            wanted = [n.strip() for n in args.only.split(",") if n.strip()] or list(configs)
            unknown = [n for n in wanted if n not in configs]
            if unknown:
                parser.error(f"--only: unknown configuration(s) {unknown}; known: {list(configs)}")
            for name in wanted:
                record = run_one(task, name, *configs[name])
                print(json.dumps({k: record[k] for k in ("name", "curve", "best", "train_seconds")}), flush=True)
                save(task, record)
        RECIPES.mkdir(exist_ok=True)
        (RECIPES / f"{task}.md").write_text(table(task))


if __name__ == "__main__":
    main()
