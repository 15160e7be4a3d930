"""The local Hub stand-in (tests/hub_standin) serves every model and dataset the course loads online.

The real clients run in child processes (this process is offline) with ``HF_ENDPOINT`` pointing at the
stand-in; each child prints one JSON report that the tests below check. The two children run in parallel.
"""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from urllib.parse import quote

import pytest
from hub_standin import build
from hub_standin.server import expected_blocked, online_env

from course_utils.data import FEATURES, TASKS

pytest_plugins = ["hub_standin.fixtures"]  # the session fixtures hub_standin (the server) and hub_standin_url

MODELS_CHILD = r"""
import json, netguard, torch, transformers
from sentence_transformers import SentenceTransformer
from transformers import (AutoConfig, AutoModel, AutoModelForQuestionAnswering, AutoModelForSequenceClassification,
                          AutoModelForTokenClassification, AutoTokenizer, pipeline)

torch.set_num_threads(1)
transformers.logging.set_verbosity_error()
MODELS, DSLIM_LABELS = __MODELS__, __DSLIM_LABELS__
report = {}
for name in MODELS:
    config = AutoConfig.from_pretrained(name)
    tokenizer = AutoTokenizer.from_pretrained(name)
    model, info = AutoModel.from_pretrained(name, attn_implementation="eager", output_loading_info=True)
    inputs = tokenizer("The City, 我爱北京", return_tensors="pt")
    output = model(**inputs, output_attentions=True)  # eager attention returns its maps (SDPA does not)
    hidden = output.last_hidden_state
    report[name] = {
        "config_class": type(config).__name__, "model_type": config.model_type, "architectures": config.architectures,
        "id2label": config.id2label, "tokenizer_class": type(tokenizer).__name__,
        "tokens": tokenizer.tokenize("The City, 我爱北京"), "input_names": sorted(inputs),
        "model_class": type(model).__name__, "hidden": list(hidden.shape), "missing_keys": sorted(info["missing_keys"]),
        "token_type_embeddings": hasattr(model.embeddings, "token_type_embeddings"),
        "pooler": getattr(model, "pooler", None) is not None, "attentions": len(output.attentions or ()),
    }
    tagger = "NER" in name  # its 9 labels: resize the sequence classifier's head, give the QA head its 2 outputs
    heads = [AutoModelForSequenceClassification.from_pretrained(name, num_labels=3, ignore_mismatched_sizes=tagger),
             AutoModelForQuestionAnswering.from_pretrained(name, **({"num_labels": 2} if tagger else {})),
             AutoModelForTokenClassification.from_pretrained(name, **({} if tagger else {"num_labels": 9}))]
    outputs = [head.qa_outputs if hasattr(head, "qa_outputs") else head.classifier for head in heads]
    report[name]["heads"] = [[type(head).__name__, out.out_features] for head, out in zip(heads, outputs)]
ner = pipeline("token-classification", model="dslim/bert-base-NER")
fill = pipeline("fill-mask", model="google-bert/bert-base-uncased")
classify = pipeline("text-classification", model="distilbert/distilbert-base-uncased")
report["pipelines"] = {
    "ner": all(e["entity"] in DSLIM_LABELS for e in ner("My name is Wolfgang and I live in Berlin")),
    "fill": len(fill("Paris is the [MASK] of France.")),
    "classify": sorted(classify("A fine film.")[0]),
}
st = SentenceTransformer("sentence-transformers/all-MiniLM-L6-v2")
embeddings = st.encode(["A man is playing a flute.", "Someone plays music."], convert_to_tensor=True)
report["sentence"] = {"modules": [type(m).__name__ for m in st], "shape": list(embeddings.shape),
                      "norms": embeddings.norm(dim=1).tolist(), "pooling": st[1].pooling_mode}
report["attempts"] = netguard.attempts
print(json.dumps(report))
"""

DATASETS_CHILD = r"""
import contextlib, io, json, netguard
from datasets import load_dataset
from course_utils import data
from course_utils.profiles import get_profile

profile = get_profile()
report = {"profile": {"online": profile.online, "endpoint": profile.endpoint, "why": profile.why_offline}}
for task, spec in data.TASKS.items():
    raw = load_dataset(spec.hub_id, **spec.hub_kwargs)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        dd = data.load_task(task, online=True)
    report[task] = {
        "raw": {name: {"features": split.features.to_dict(), "labels": sorted(set(split["label"]))
                       if "label" in split.column_names else None, "rows": len(split)} for name, split in raw.items()},
        "splits": {name: len(split) for name, split in dd.items()},
        "features": {name: split.features.to_dict() for name, split in dd.items()},
        "printed": printed.getvalue(),
    }
report["attempts"] = netguard.attempts
print(json.dumps(report))
"""


def _child(code: str, url: str, home) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", code], env=online_env(url, home), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _reports(*children: subprocess.Popen) -> list[dict]:
    outputs = [child.communicate(timeout=300) for child in children]
    for child, (_, err) in zip(children, outputs, strict=True):
        assert child.returncode == 0, f"a child failed:\n{err[-4000:]}"
    return [json.loads(out.strip().splitlines()[-1]) for out, _ in outputs]


@pytest.fixture(scope="module")
def reports(hub_standin, tmp_path_factory):
    """Both children's reports (models, datasets), run in parallel, and the server's logs of their requests."""
    code = MODELS_CHILD.replace("__MODELS__", repr(build.MODELS)).replace("__DSLIM_LABELS__", repr(build.DSLIM_LABELS))
    models = _child(code, hub_standin.url, tmp_path_factory.mktemp("models-child"))
    datasets = _child(DATASETS_CHILD, hub_standin.url, tmp_path_factory.mktemp("datasets-child"))
    models, datasets = _reports(models, datasets)
    return {"models": models, "datasets": datasets,
            "requests": list(hub_standin.requests), "misses": list(hub_standin.misses)}


UNCASED = ["google-bert/bert-base-uncased", "distilbert/distilbert-base-uncased",
           "sentence-transformers/all-MiniLM-L6-v2",
           "google-bert/bert-large-uncased-whole-word-masking-finetuned-squad"]
ARCHITECTURES = {
    "google-bert/bert-base-uncased": "BertForMaskedLM",
    "distilbert/distilbert-base-uncased": "DistilBertForMaskedLM",
    "sentence-transformers/all-MiniLM-L6-v2": "BertModel",
    "google-bert/bert-large-uncased-whole-word-masking-finetuned-squad": "BertForQuestionAnswering",
    "google-bert/bert-base-cased": "BertForMaskedLM",
    "dslim/bert-base-NER": "BertForTokenClassification",
    "google-bert/bert-base-chinese": "BertForMaskedLM",
}
DSLIM_ID2LABEL = {"0": "O", "1": "B-MISC", "2": "I-MISC", "3": "B-PER", "4": "I-PER", "5": "B-ORG", "6": "I-ORG",
                  "7": "B-LOC", "8": "I-LOC"}


def test_every_model_id_of_the_course_is_served():
    from course_utils.profiles import HUB_MODELS

    assert sorted(set(HUB_MODELS.values())) == sorted(build.MODELS)


@pytest.mark.parametrize("name", build.MODELS)
def test_model_loads_with_its_real_config_class_architecture_and_casing(reports, name):
    got = reports["models"][name]
    distil = name.startswith("distilbert/")
    assert got["config_class"] == ("DistilBertConfig" if distil else "BertConfig")
    assert got["model_class"] == ("DistilBertModel" if distil else "BertModel")
    assert got["architectures"] == [ARCHITECTURES[name]]
    assert got["attentions"] == build.TINY["num_hidden_layers"] and got["hidden"][-1] == build.TINY["hidden_size"]
    assert got["tokenizer_class"] in ("BertTokenizer", "DistilBertTokenizer")
    if name in UNCASED:
        assert got["tokens"][:2] == ["the", "city"]
    elif name.endswith("chinese"):  # character-level: ASCII letters one by one, casing kept
        assert got["tokens"][:3] == ["T", "##h", "##e"] and got["tokens"][-4:] == ["我", "爱", "北", "京"]
    else:
        assert got["tokens"][:2] == ["The", "City"]
    # DistilBERT has no segment embeddings and no pooler (its tokenizer is transformers 5's BertTokenizer, as for the
    # real repo, so it still returns token_type_ids, which the model ignores); of BERT's, only fine-tuned heads
    # lack pooler weights
    assert got["input_names"] == ["attention_mask", "input_ids", "token_type_ids"]
    assert got["token_type_embeddings"] is not distil and got["pooler"] is not distil
    pooler_missing = any("pooler" in key for key in got["missing_keys"])
    assert pooler_missing == (ARCHITECTURES[name] in ("BertForQuestionAnswering", "BertForTokenClassification"))
    if name == "dslim/bert-base-NER":
        assert got["id2label"] == DSLIM_ID2LABEL


def test_task_heads_pipelines_and_sentence_transformer_load(reports):
    got = reports["models"]
    for name in build.MODELS:
        kind = "DistilBert" if name.startswith("distilbert/") else "Bert"
        assert got[name]["heads"] == [[f"{kind}ForSequenceClassification", 3], [f"{kind}ForQuestionAnswering", 2],
                                      [f"{kind}ForTokenClassification", 9]], name
    assert got["pipelines"] == {"ner": True, "fill": 5, "classify": ["label", "score"]}
    sentence = got["sentence"]
    assert sentence["modules"] == ["Transformer", "Pooling", "Normalize"] and sentence["pooling"] == "mean"
    assert sentence["shape"] == [2, build.TINY["hidden_size"]]
    assert all(abs(norm - 1) < 1e-4 for norm in sentence["norms"])


def test_a_child_with_the_online_env_reports_the_stand_in_as_an_online_hub(reports, hub_standin_url):
    assert reports["datasets"]["profile"] == {"online": True, "endpoint": hub_standin_url, "why": ""}


RAW_SPLITS = {"sentiment": ["train", "validation", "test"], "reviews": ["train", "test", "unsupervised"],
              "similarity": ["train", "validation", "test"], "nli": ["test", "validation", "train"],
              "qa": ["train", "validation"], "ner": ["train", "validation", "test"]}


@pytest.mark.parametrize("task", sorted(TASKS))
def test_dataset_has_the_hub_schema_and_load_task_reads_it_online(reports, task):
    got, spec = reports["datasets"][task], build.dataset_specs()[TASKS[task].hub_id]
    assert "Could not load" not in got["printed"] and "(Hugging Face Hub)" in got["printed"]
    assert list(got["raw"]) == RAW_SPLITS[task]
    assert all(split["features"] == spec["features"].to_dict() for split in got["raw"].values())
    assert list(got["splits"]) == list(TASKS[task].splits) and all(got["splits"].values())
    assert all(features == FEATURES[task].to_dict() for features in got["features"].values())
    labels = {name: split["labels"] for name, split in got["raw"].items()}
    if task == "sentiment":
        assert labels["test"] == [-1] and -1 not in labels["validation"]
    if task == "reviews":
        assert labels["unsupervised"] == [-1] and labels["train"] == [0, 1]
    if task == "nli":
        assert all(-1 in split for split in labels.values())
    if task == "ner":  # the card's 47 POS tags, 23 chunk tags and 9 entity tags
        features = got["raw"]["train"]["features"]
        assert [len(features[c]["feature"]["names"]) for c in ("pos_tags", "chunk_tags", "ner_tags")] == [47, 23, 9]


def test_the_clients_contact_no_host_but_the_stand_in(reports, hub_standin_url):
    # the one expected exception: datasets' look-up of its dataset viewer (see expected_blocked)
    assert expected_blocked(hub_standin_url) == {"name lookup of 'datasets-server.127.0.0.1'"}
    assert set(reports["datasets"]["attempts"]) <= expected_blocked(hub_standin_url)
    assert reports["models"]["attempts"] == []


def test_the_server_was_asked_for_every_repo_and_knew_every_route_and_revision(reports):
    paths = {path for _, path in reports["requests"]}
    for repo_type, repo_id, _ in build.REPOS:
        prefix = "/datasets" if repo_type == "dataset" else ""
        assert any(p.startswith(f"{prefix}/{repo_id}/resolve/") for p in paths), repo_id
        assert any(p.startswith(f"/api/{repo_type}s/{repo_id}") for p in paths), repo_id
    assert f"/api/datasets/eriktks/conll2003/revision/{quote(build.PARQUET_BRANCH, safe='')}" in paths
    # what the stand-in did not have was only optional files and folders, never a repo, revision or route
    assert {code for *_, code in reports["misses"]} == {"EntryNotFound"}


def _fetch(url: str, method: str = "GET", data: bytes | None = None, headers: dict | None = None):
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def test_server_answers_like_the_hub_with_headers_ranges_paths_info_and_error_codes(hub_standin_url):
    repo, rev = "dslim/bert-base-NER", "main"
    status, headers, body = _fetch(f"{hub_standin_url}/{repo}/resolve/{rev}/config.json", "HEAD")
    assert status == 200 and body == b"" and int(headers["Content-Length"]) > 0
    assert len(headers["X-Repo-Commit"]) == 40 and headers["ETag"].startswith('"')
    status, headers, body = _fetch(f"{hub_standin_url}/{repo}/resolve/{rev}/model.safetensors",
                                   headers={"Range": "bytes=0-7"})
    assert status == 206 and len(body) == 8 and headers["Content-Range"].startswith("bytes 0-7/")
    assert headers["X-Linked-Etag"] == headers["ETag"]  # an LFS file: its sha256
    status, _, body = _fetch(f"{hub_standin_url}/api/models/{repo}/paths-info/{rev}", "POST",
                             urllib.parse.urlencode({"paths": ["config.json", "nope.txt"]}, doseq=True).encode(),
                             {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 200 and [info["path"] for info in json.loads(body)] == ["config.json"]
    parquet = quote(build.PARQUET_BRANCH, safe="")
    status, _, body = _fetch(f"{hub_standin_url}/api/datasets/eriktks/conll2003/tree/{parquet}/conll2003")
    assert status == 200 and {entry["path"] for entry in json.loads(body)} == {
        "conll2003/train", "conll2003/validation", "conll2003/test"}
    for url, code in [
        (f"{hub_standin_url}/{repo}/resolve/{rev}/nope.txt", "EntryNotFound"),
        (f"{hub_standin_url}/{repo}/resolve/v9/config.json", "RevisionNotFound"),
        (f"{hub_standin_url}/someone/else/resolve/main/config.json", "RepoNotFound"),
        (f"{hub_standin_url}/api/datasets/stanfordnlp/nope", "RepoNotFound"),
    ]:
        status, headers, _ = _fetch(url)
        assert (status, headers["X-Error-Code"]) == (404, code), url
    status, headers, _ = _fetch(f"{hub_standin_url}/api/whoami-v2")
    assert status == 404 and "X-Error-Message" in headers

