"""One loader per task: the Hub dataset online, the course's own files in ``data/`` offline.

Both sources give the same splits, column names and feature types, so a lesson's code
does not care where its data came from. Quick runs take seeded subsets of large splits.
See ``data/README.md`` (the datasheet) for what the offline files contain.

========== ============================== ==================================== ======
loader     online (Hub)                   columns                              lesson
========== ============================== ==================================== ======
sentiment  stanfordnlp/sst2               idx, sentence, label                 3, 6
reviews    stanfordnlp/imdb               text, label                          6
similarity sentence-transformers/stsb     sentence1, sentence2, score (0-1)    5
nli        stanfordnlp/snli               premise, hypothesis, label           5, 7
qa         rajpurkar/squad                id, title, context, question, answers 8
ner        eriktks/conll2003 (parquet)    id, tokens, ner_tags                 9
========== ============================== ==================================== ======
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from datasets import ClassLabel, Dataset, DatasetDict, Features, List, Value, load_dataset

from . import checks
from .profiles import get_profile

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
SEED = 42
NER_TAGS = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC"]
NLI_LABELS = ["entailment", "neutral", "contradiction"]

FEATURES = {
    "sentiment": Features(
        {"idx": Value("int32"), "sentence": Value("string"), "label": ClassLabel(names=["negative", "positive"])}
    ),
    "reviews": Features({"text": Value("string"), "label": ClassLabel(names=["neg", "pos"])}),
    "similarity": Features({"sentence1": Value("string"), "sentence2": Value("string"), "score": Value("float64")}),
    "nli": Features({"premise": Value("string"), "hypothesis": Value("string"), "label": ClassLabel(names=NLI_LABELS)}),
    "qa": Features(
        {
            "id": Value("string"),
            "title": Value("string"),
            "context": Value("string"),
            "question": Value("string"),
            "answers": {"text": List(Value("string")), "answer_start": List(Value("int32"))},
        }
    ),
    "ner": Features(
        {"id": Value("string"), "tokens": List(Value("string")), "ner_tags": List(ClassLabel(names=NER_TAGS))}
    ),
}


def _sst2_online(dd: DatasetDict) -> DatasetDict:
    # SST-2's test labels are hidden (-1): its labelled validation split becomes our test split,
    # and a seeded slice of train of the same size becomes our validation split.
    carved = dd["train"].train_test_split(test_size=len(dd["validation"]), seed=SEED)
    return DatasetDict(train=carved["train"], validation=carved["test"], test=dd["validation"])


def _imdb_online(dd: DatasetDict) -> DatasetDict:
    return DatasetDict(train=dd["train"], test=dd["test"])


def _snli_online(dd: DatasetDict) -> DatasetDict:
    return DatasetDict({name: split.filter(lambda row: row["label"] != -1) for name, split in dd.items()})


def _conll_online(dd: DatasetDict) -> DatasetDict:
    return DatasetDict({name: split.select_columns(["id", "tokens", "ner_tags"]) for name, split in dd.items()})


def _ner_offline(row: dict) -> dict:
    return {"ner_tags": [NER_TAGS.index(tag) for tag in row["ner_tags"]]}


def _similarity_offline(row: dict) -> dict:
    return {"score": row["score"] / 5.0}  # files hold the STS-B 0-5 scale; the Hub copy is 0-1


@dataclass(frozen=True)
class TaskData:
    """Where one task's data lives online and offline, and how much of the Hub's splits a quick run loads."""

    hub_id: str
    splits: tuple[str, ...]
    quick_sizes: dict[str, int]
    hub_kwargs: dict = field(default_factory=dict)
    online_fix: Callable[[DatasetDict], DatasetDict] | None = None
    offline_fix: Callable[[dict], dict] | None = None


TASKS: dict[str, TaskData] = {
    "sentiment": TaskData(
        "stanfordnlp/sst2",
        ("train", "validation", "test"),
        {"train": 2000, "validation": 500, "test": 872},
        online_fix=_sst2_online,
    ),
    "reviews": TaskData("stanfordnlp/imdb", ("train", "test"), {"train": 1000, "test": 500}, online_fix=_imdb_online),
    "similarity": TaskData(
        "sentence-transformers/stsb",
        ("train", "validation", "test"),
        {"train": 2000, "validation": 500, "test": 1379},
        offline_fix=_similarity_offline,
    ),
    "nli": TaskData(
        "stanfordnlp/snli",
        ("train", "validation", "test"),
        {"train": 3000, "validation": 600, "test": 600},
        online_fix=_snli_online,
    ),
    "qa": TaskData("rajpurkar/squad", ("train", "validation"), {"train": 1000, "validation": 300}),
    "ner": TaskData(
        "eriktks/conll2003",
        ("train", "validation", "test"),
        {"train": 2000, "validation": 500, "test": 500},
        hub_kwargs={"revision": "refs/convert/parquet"},  # the script version no longer loads in datasets 4+
        online_fix=_conll_online,
        offline_fix=_ner_offline,
    ),
}


def offline_files(task: str) -> dict[str, str]:
    """The JSONL file of each split of ``task`` in ``data/``."""
    spec = _spec(task)
    return {split: str(DATA_DIR / task / f"{split}.jsonl") for split in spec.splits}


def _spec(task: str) -> TaskData:
    return TASKS[checks.one_of("task", task, sorted(TASKS))]


def _load_offline(task: str) -> DatasetDict:
    spec = _spec(task)
    dd = load_dataset("json", data_files=offline_files(task))
    columns = list(FEATURES[task])
    if spec.offline_fix is not None:
        dd = dd.map(spec.offline_fix)
    return DatasetDict({name: split.select_columns(columns).cast(FEATURES[task]) for name, split in dd.items()})


def _load_online(task: str) -> DatasetDict:
    spec = _spec(task)
    dd = load_dataset(spec.hub_id, **spec.hub_kwargs)
    if spec.online_fix is not None:
        dd = spec.online_fix(dd)
    return DatasetDict({name: dd[name].cast(FEATURES[task]) for name in spec.splits})


def _quick_subset(dd: DatasetDict, sizes: dict[str, int]) -> DatasetDict:
    return DatasetDict(
        {
            name: split.shuffle(seed=SEED).select(range(sizes[name])) if len(split) > sizes[name] else split
            for name, split in dd.items()
        }
    )


def load_task(task: str, quick: bool | None = None, online: bool | None = None) -> DatasetDict:
    """Load ``task``'s splits from the Hub (online) or ``data/`` (offline) and say which.

    ``quick``/``online`` default to the current profile. Quick runs take a seeded subset of the
    Hub's (large) splits; the offline files are used whole, and each lesson's run size
    (``course_utils.run_sizes.RUN_SIZES``) says how much of them a run trains on. An online load
    that fails (renamed dataset, outage) falls back to the offline files with a message.
    """
    spec = _spec(task)
    # a number is not a size here: quick=1000 would silently mean "quick"; take(data["train"], 1000) subsets
    checks.one_of("quick", quick, (True, False, None))
    checks.one_of("online", online, (True, False, None))
    profile = get_profile()
    online = profile.online if online is None else online
    quick = profile.quick if quick is None else quick
    source = f"data/{task}/ (offline, written for this course)"
    subset = False
    if online:
        try:
            dd = _load_online(task)
            source = f"{spec.hub_id} (Hugging Face Hub)"
            subset = quick
        except Exception as exc:  # any Hub failure: keep the lesson running on the offline files
            print(f"Could not load {spec.hub_id} from the Hub ({type(exc).__name__}: {exc}); using data/{task}/.")
            dd = _load_offline(task)
    else:
        dd = _load_offline(task)
    if subset:
        dd = _quick_subset(dd, spec.quick_sizes)
    sizes = ", ".join(f"{name} {len(split):,}" for name, split in dd.items())
    print(f"{task} data: {source}{' [quick subset]' if subset else ''}: {sizes}")
    return dd


def load_sentiment(quick: bool | None = None) -> DatasetDict:
    """Single-sentence movie-review sentiment, SST-2 style (lessons 3 and 6)."""
    return load_task("sentiment", quick)


def load_reviews(quick: bool | None = None) -> DatasetDict:
    """Multi-paragraph movie reviews, IMDb style, for long-text truncation (lesson 6)."""
    return load_task("reviews", quick)


def load_similarity(quick: bool | None = None) -> DatasetDict:
    """Sentence pairs with a similarity score in 0-1, STS-B style (lesson 5)."""
    return load_task("similarity", quick)


def load_nli(quick: bool | None = None) -> DatasetDict:
    """Premise/hypothesis pairs: 0 entailment, 1 neutral, 2 contradiction (lessons 5 and 7)."""
    return load_task("nli", quick)


def load_qa(quick: bool | None = None) -> DatasetDict:
    """Extractive question answering in the SQuAD v1.1 schema (lesson 8)."""
    return load_task("qa", quick)


def load_ner(quick: bool | None = None) -> DatasetDict:
    """Named entities with the CoNLL-2003 tag set in IOB2 (lesson 9)."""
    return load_task("ner", quick)


def load_intents() -> Dataset:
    """The assistant-intent utterances of lesson 5 (course material: the same online and offline)."""
    rows = [json.loads(line) for line in (DATA_DIR / "similarity" / "intents.jsonl").read_text().splitlines() if line]
    return Dataset.from_list(rows)


def load_topics() -> Dataset:
    """Lesson 7's zero-shot texts, one topic each (course material: the same online and offline)."""
    rows = [json.loads(line) for line in (DATA_DIR / "topics" / "topics.jsonl").read_text().splitlines() if line]
    return Dataset.from_list(rows)
