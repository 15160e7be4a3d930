"""How big a run is: the one table of run sizes of the training lessons (6-9), for teachers.

``python -m course_utils.run_sizes`` writes it into the README (a test keeps the two equal). Three columns per task:

* **quick** (no GPU, and the tests): the winner of ``benchmarks/recipe_search.py`` for a 2-core CPU,
  each training lesson <= 5 minutes (tables in ``benchmarks/recipes/``);
* **offline full** (``BERT_COURSE_SIZE=full`` without the Hub): all of ``data/`` with the same recipe
  and more epochs, for a teacher who prepares a model before class;
* **full** (online, with a GPU): the sizes of the original tutorials on the Hub datasets.

:func:`run_size` picks the row for the current profile.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from . import checks
from .profiles import get_profile


@dataclass(frozen=True)
class RunSize:
    """How much data and how many steps one fine-tuning run takes (lessons 6-9)."""

    task: str
    size: str  # "quick" or "full"
    train_examples: int | None  # None: the whole training split
    eval_examples: int | None  # None: the whole evaluation split
    epochs: float
    batch_size: int
    max_length: int
    learning_rate: float
    warmup_ratio: float = 0.1
    weight_decay: float = 0.01
    schedule: str = "linear"  # "linear" (decay to zero) or "constant" (after the warm-up)
    trainable_layers: int | None = None  # None: every weight trains; k: the top k encoder layers + head
    stride: int | None = None  # question answering: tokens shared by neighbouring windows
    answer_windows_only: bool = False  # question answering: train only on windows that hold the answer
    minutes: float | None = None  # measured training minutes per model (None: not measured here)
    note: str = ""

    def __post_init__(self) -> None:
        checks.text("task", self.task)
        checks.one_of("size", self.size, SIZES)
        for name in ("train_examples", "eval_examples"):
            if getattr(self, name) is not None:
                checks.integer(name, getattr(self, name), minimum=1)
        if checks.number("epochs", self.epochs, minimum=0) == 0:
            raise ValueError("epochs=0 would train nothing: pass a number > 0 (a fraction such as 0.5 is fine).")
        checks.integer("batch_size", self.batch_size, minimum=1)
        checks.integer("max_length", self.max_length, minimum=3)
        if checks.number("learning_rate", self.learning_rate, minimum=0, maximum=1) == 0:
            raise ValueError("learning_rate=0 would train nothing: pass a number > 0 such as 2e-5.")
        if checks.number("warmup_ratio", self.warmup_ratio, minimum=0) >= 1:
            raise ValueError(f"warmup_ratio={self.warmup_ratio:g} is too large: pass a fraction of the steps below 1 "
                             "(0.1 is usual).")
        checks.number("weight_decay", self.weight_decay, minimum=0)
        if self.schedule not in SCHEDULES:
            raise ValueError(f"schedule={self.schedule!r} is unknown: use one of {sorted(SCHEDULES)}.")
        if self.trainable_layers is not None:
            checks.integer("trainable_layers", self.trainable_layers, minimum=0)
        if self.stride is not None:
            checks.integer("stride", self.stride, minimum=1, maximum=self.max_length - 1)
        checks.one_of("answer_windows_only", self.answer_windows_only, (True, False))
        if self.minutes is not None:
            checks.number("minutes", self.minutes, minimum=0)
        checks.text("note", self.note, empty=True)

    def describe(self) -> str:
        """One line for the notebook: what this run does."""
        train = "all" if self.train_examples is None else f"{self.train_examples:,}"
        evaluation = "all" if self.eval_examples is None else f"{self.eval_examples:,}"
        layers = "all layers" if self.trainable_layers is None else f"top {self.trainable_layers} layers + head"
        stride = "" if self.stride is None else f", stride {self.stride}"
        if self.answer_windows_only:
            stride += " (training windows: only those holding the answer)"
        return (
            f"{self.task} [{self.size}]: {train} training examples, {evaluation} for evaluation, "
            f"{self.epochs:g} epoch(s), batch {self.batch_size}, max_length {self.max_length}{stride}, "
            f"lr {self.learning_rate:g} ({self.schedule}, warm-up {self.warmup_ratio:.0%}), {layers}"
            + (f" - {self.note}" if self.note else "")
        )

    def steps(self, n_train: int) -> int:
        """Optimizer steps for ``n_train`` examples (``len(train_set)``): ceil(examples / batch) x epochs."""
        checks.integer("n_train", n_train, minimum=0)
        return math.ceil(math.ceil(n_train / self.batch_size) * self.epochs)


#: Our schedule names -> the Trainer's ``lr_scheduler_type``.
SCHEDULES = {"linear": "linear", "constant": "constant_with_warmup"}
SIZES = ("quick", "full")
COLUMNS = ("quick", "offline full", "full")

RUN_SIZES: dict[tuple[str, str], RunSize] = {
    ("sentiment", "quick"): RunSize(
        "sentiment", "quick", train_examples=3500, eval_examples=None, epochs=1, batch_size=16, max_length=64,
        learning_rate=2e-4, minutes=1.9, note="benchmarks/recipes/sentiment.md",
    ),
    ("sentiment", "offline full"): RunSize(
        "sentiment", "full", train_examples=None, eval_examples=None, epochs=2, batch_size=16, max_length=64,
        learning_rate=2e-4, minutes=None, note="all 6,984 sentences of data/sentiment",
    ),
    ("sentiment", "full"): RunSize(
        "sentiment", "full", train_examples=None, eval_examples=None, epochs=3, batch_size=32, max_length=128,
        learning_rate=2e-5, note="all of SST-2 (~66k sentences)",
    ),
    ("reviews", "quick"): RunSize(
        "reviews", "quick", train_examples=None, eval_examples=200, epochs=1, batch_size=16, max_length=256,
        learning_rate=1e-4, note="no fine-tuning on reviews in quick runs: lesson 6 evaluates its sentence model",
    ),
    ("reviews", "offline full"): RunSize(
        "reviews", "full", train_examples=None, eval_examples=None, epochs=1, batch_size=16, max_length=256,
        learning_rate=1e-4, note="fine-tunes on the 115 training reviews of data/reviews, scores all 50 test reviews",
    ),
    ("reviews", "full"): RunSize(
        "reviews", "full", train_examples=None, eval_examples=None, epochs=2, batch_size=16, max_length=512,
        learning_rate=2e-5, note="all of IMDb (25k reviews); the seed ran 5 epochs of BERT-base for 92.3%",
    ),
    ("nli", "quick"): RunSize(
        "nli", "quick", train_examples=None, eval_examples=None, epochs=1, batch_size=16, max_length=96,
        learning_rate=1e-4, minutes=2.9, note="benchmarks/recipes/nli.md",
    ),
    ("nli", "offline full"): RunSize(
        "nli", "full", train_examples=None, eval_examples=None, epochs=3, batch_size=16, max_length=96,
        learning_rate=1e-4, minutes=34, note="all 6,210 pairs, 3 epochs: validation 0.592, 0.659, 0.673; minutes "
        "measured with the CPU shared by another run (alone, about 9 at the quick run's rate)",
    ),
    ("nli", "full"): RunSize(
        "nli", "full", train_examples=100_000, eval_examples=None, epochs=2, batch_size=32, max_length=128,
        learning_rate=2e-5, note="a 100k-pair subset of SNLI (550k)",
    ),
    ("qa", "quick"): RunSize(
        "qa", "quick", train_examples=1200, eval_examples=300, epochs=1, batch_size=16, max_length=192,
        learning_rate=3e-4, schedule="constant", trainable_layers=3, stride=64, answer_windows_only=True,
        minutes=2.1, note="examples are windows; benchmarks/recipes/qa.md",
    ),
    ("qa", "offline full"): RunSize(
        "qa", "full", train_examples=None, eval_examples=None, epochs=2, batch_size=16, max_length=192,
        learning_rate=3e-4, schedule="constant", trainable_layers=3, stride=64, answer_windows_only=True,
        minutes=46, note="every answer window of the 4,845 questions, 2 epochs: validation F1 59.4, 66.9; minutes "
        "measured with the CPU shared by another run (alone, about 21 at the quick run's rate)",
    ),
    ("qa", "full"): RunSize(
        "qa", "full", train_examples=None, eval_examples=None, epochs=2, batch_size=12, max_length=384,
        learning_rate=3e-5, stride=128, note="all of SQuAD v1.1 (88k questions)",
    ),
    ("ner", "quick"): RunSize(
        "ner", "quick", train_examples=None, eval_examples=None, epochs=2, batch_size=16, max_length=96,
        learning_rate=2e-4, minutes=3.3, note="benchmarks/recipes/ner.md (2 epochs at 2e-4: validation F1 0.879)",
    ),
    ("ner", "offline full"): RunSize(
        "ner", "full", train_examples=None, eval_examples=None, epochs=3, batch_size=16, max_length=96,
        learning_rate=2e-4, minutes=4.9, note="the quick recipe with a third epoch (minutes: the quick run's rate; "
        "not measured)",
    ),
    ("ner", "full"): RunSize(
        "ner", "full", train_examples=None, eval_examples=None, epochs=3, batch_size=32, max_length=256,
        learning_rate=3e-5, note="all of CoNLL-2003 (14k sentences)",
    ),
}  # fmt: skip


def run_size(task: str, size: str | None = None, online: bool | None = None) -> RunSize:
    """The :class:`RunSize` of ``task`` under ``size`` ("quick"/"full") and ``online`` (default: the profile's).

    Offline, "full" is the "offline full" column: the course's data cannot fill the online sizes.
    """
    profile = get_profile()
    size = profile.size if size is None else size
    checks.one_of("size", size, SIZES)
    checks.one_of("online", online, (True, False, None))
    checks.one_of("task", task, sorted({name for name, _ in RUN_SIZES}))
    online = profile.online if online is None else online
    return RUN_SIZES[(task, "offline full" if size == "full" and not online else size)]


def _check_run(run: Any) -> RunSize:
    if isinstance(run, str):
        raise TypeError(f"run must be a RunSize, not the task name {run!r}: pass run_size({run!r}).")
    if not isinstance(run, RunSize):
        raise TypeError(f"run must be a RunSize (from run_size(task)), not {type(run).__name__}.")
    return run


def run_size_table() -> str:
    """The table of every run size as Markdown (the README's "Run sizes" block)."""
    lines = ["| task | column | training examples | epochs | batch | max_length | learning rate | layers trained | "
             "training minutes per model | note |", "|---|---|---|---|---|---|---|---|---|---|"]
    for (task, column), run in RUN_SIZES.items():
        examples = "all" if run.train_examples is None else f"{run.train_examples:,}"
        layers = "all" if run.trainable_layers is None else f"top {run.trainable_layers}"
        minutes = "not measured" if run.minutes is None else f"{run.minutes:g} (2 CPU cores)"
        lines.append(f"| {task} | {column} | {examples} | {run.epochs:g} | {run.batch_size} | {run.max_length} | "
                     f"{run.learning_rate:g} ({run.schedule}) | {layers} | {minutes} | {run.note} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    from .results import write_readme_block

    print(write_readme_block("run-sizes", run_size_table()))
