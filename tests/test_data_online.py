"""The online loaders, with the Hub replaced by small fakes (the network is never used)."""

from __future__ import annotations

import pytest
from datasets import ClassLabel, Dataset, DatasetDict, Features, List, Value

from course_utils import data

REAL_LOAD_DATASET = data.load_dataset


def fake_hub(monkeypatch, hub_id: str, fake: DatasetDict, calls: list | None = None) -> None:
    """Serve ``fake`` for ``hub_id``; local JSON files still load for real."""

    def load_dataset(path, *args, **kwargs):
        if path == "json":
            return REAL_LOAD_DATASET(path, *args, **kwargs)
        if calls is not None:
            calls.append((path, kwargs))
        if path != hub_id:
            raise AssertionError(f"unexpected Hub id {path}")
        return fake

    monkeypatch.setattr(data, "load_dataset", load_dataset)


def sst2_like(n_train: int = 20, n_validation: int = 6) -> DatasetDict:
    features = Features(
        {"idx": Value("int32"), "sentence": Value("string"), "label": ClassLabel(names=["negative", "positive"])}
    )

    def split(n, labelled=True):
        return Dataset.from_dict(
            {
                "idx": list(range(n)),
                "sentence": [f"s{i}" for i in range(n)],
                "label": [i % 2 if labelled else -1 for i in range(n)],
            },
            features=features,
        )

    return DatasetDict(train=split(n_train), validation=split(n_validation), test=split(4, labelled=False))


def test_sst2_hidden_test_labels_are_replaced_by_validation(monkeypatch):
    fake_hub(monkeypatch, "stanfordnlp/sst2", sst2_like())
    dd = data.load_task("sentiment", quick=False, online=True)
    assert list(dd) == ["train", "validation", "test"]
    assert len(dd["test"]) == 6 and len(dd["validation"]) == 6 and len(dd["train"]) == 14
    assert -1 not in dd["test"]["label"]
    assert set(dd["train"]["sentence"]).isdisjoint(dd["validation"]["sentence"])


def test_snli_rows_without_gold_label_are_dropped(monkeypatch):
    features = Features(
        {"premise": Value("string"), "hypothesis": Value("string"), "label": ClassLabel(names=data.NLI_LABELS)}
    )
    split = Dataset.from_dict(
        {"premise": ["p"] * 4, "hypothesis": ["a", "b", "c", "d"], "label": [0, 1, -1, 2]}, features=features
    )
    fake_hub(monkeypatch, "stanfordnlp/snli", DatasetDict(train=split, validation=split, test=split))
    dd = data.load_task("nli", quick=False, online=True)
    assert dd["train"]["label"] == [0, 1, 2]


def test_conll_keeps_the_course_columns_and_uses_the_parquet_revision(monkeypatch):
    features = Features(
        {
            "id": Value("string"),
            "tokens": List(Value("string")),
            "pos_tags": List(Value("int32")),
            "chunk_tags": List(Value("int32")),
            "ner_tags": List(ClassLabel(names=data.NER_TAGS)),
        }
    )
    split = Dataset.from_dict(
        {
            "id": ["0"],
            "tokens": [["EU", "rejects"]],
            "pos_tags": [[1, 2]],
            "chunk_tags": [[1, 2]],
            "ner_tags": [[3, 0]],
        },
        features=features,
    )
    calls: list = []
    fake_hub(monkeypatch, "eriktks/conll2003", DatasetDict(train=split, validation=split, test=split), calls)
    dd = data.load_task("ner", quick=False, online=True)
    assert dd["train"].column_names == ["id", "tokens", "ner_tags"]
    assert dd["train"].features == data.FEATURES["ner"]
    assert calls[0][1] == {"revision": "refs/convert/parquet"}


def test_quick_mode_subsamples_hub_data(monkeypatch):
    fake_hub(monkeypatch, "stanfordnlp/sst2", sst2_like(n_train=3000, n_validation=900))
    dd = data.load_task("sentiment", quick=True, online=True)
    assert len(dd["train"]) == data.TASKS["sentiment"].quick_sizes["train"]


def test_hub_failure_falls_back_to_offline_files_and_says_so(monkeypatch, capsys):
    def broken(path, *args, **kwargs):
        if path == "json":
            return REAL_LOAD_DATASET(path, *args, **kwargs)
        raise ConnectionError("Hub unreachable")

    monkeypatch.setattr(data, "load_dataset", broken)
    dd = data.load_task("qa", quick=False, online=True)
    out = capsys.readouterr().out
    assert "Could not load rajpurkar/squad from the Hub (ConnectionError" in out
    assert "data/qa/" in out
    assert len(dd["train"]) > 0


@pytest.mark.parametrize("task", sorted(data.TASKS))
def test_offline_source_is_announced(task, capsys):
    data.load_task(task, quick=False, online=False)
    assert f"data/{task}/ (offline" in capsys.readouterr().out
