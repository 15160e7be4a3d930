"""Same seed, same numbers: lesson 6's two training paths, twice each, on a small slice of its data.

The README's "What is deterministic" section states what this shows (and what it cannot: other
CPUs, other thread counts, GPUs).
"""

from __future__ import annotations

import dataclasses

import pytest
import torch
from transformers import AutoModelForSequenceClassification, DataCollatorWithPadding, Trainer

from course_utils import classifier as clf
from course_utils import run_sizes as rs
from course_utils import trainer_setup as ts
from course_utils import training as tr
from course_utils.data import load_task

#: lesson 6's quick recipe on 48 training sentences, one epoch (3 steps), evaluated on 32
RUN = dataclasses.replace(rs.run_size("sentiment", "quick"), train_examples=48, eval_examples=32)


@pytest.fixture(scope="module")
def sentiment(tokenizer):
    data = load_task("sentiment", online=False)
    encoded = data.map(lambda b: tokenizer(b["sentence"], truncation=True, max_length=RUN.max_length), batched=True,
                       remove_columns=["idx", "sentence"])
    return tr.take(encoded["train"], RUN.train_examples), tr.take(encoded["validation"], RUN.eval_examples)


def test_plain_loop_gives_the_same_metrics_twice(bundled_dir, tokenizer, sentiment):
    train, validation = sentiment

    def once() -> list[dict]:
        torch.manual_seed(0)  # the fresh head
        model = clf.BertClassifier.from_encoder(bundled_dir, num_labels=2, pooling="mean")
        return tr.train_loop(model, train, validation, tokenizer, RUN, logging_steps=1, progress=False)

    first, again = once(), once()
    assert len([h for h in first if "loss" in h]) == RUN.steps(len(train)) == 3
    assert first == again  # every logged loss, learning rate and validation metric, to the last bit


def test_trainer_gives_the_same_metrics_twice(bundled_dir, tokenizer, sentiment, tmp_path):
    train, validation = sentiment

    def once() -> tuple[list[float], dict]:
        args = ts.training_args(RUN, tmp_path / "trainer", seed=42, logging_steps=1, disable_tqdm=True)
        trainer = Trainer(
            model_init=lambda: AutoModelForSequenceClassification.from_pretrained(bundled_dir, num_labels=2),
            args=args, train_dataset=train, eval_dataset=validation, processing_class=tokenizer,
            data_collator=DataCollatorWithPadding(tokenizer), compute_metrics=ts.compute_metrics,
        )
        trainer.train()
        scores = trainer.evaluate()
        losses = [h["loss"] for h in trainer.state.log_history if "loss" in h]
        return losses, {k: v for k, v in scores.items() if not k.endswith(("runtime", "per_second"))}

    first, again = once(), once()
    assert len(first[0]) == 3
    assert first == again  # (tests/test_training.py shows that another seed gives other numbers)
