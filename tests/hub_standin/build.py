"""Build the stand-in Hub repositories: tiny random models and small datasets with the real schemas.

Layout under ``root``: ``{models,datasets}/{org}/{name}/{revision}/...`` where ``revision`` is the
branch name with ``/`` quoted (``main``, ``refs%2Fconvert%2Fparquet``). The weights are random and
the rows come from the course's ``data/`` files (or are filled in, e.g. CoNLL's POS tags): both are
meaningless numbers that only have the real shapes, names and types. See SOURCES.md for the cards
each schema and config was checked against. ``python -m tests.hub_standin.build DIR`` builds into DIR.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from urllib.parse import quote

REPO_ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = REPO_ROOT / "data"
SEED = 0
PARQUET_BRANCH = "refs/convert/parquet"

MODELS = [
    "google-bert/bert-base-uncased",
    "distilbert/distilbert-base-uncased",
    "sentence-transformers/all-MiniLM-L6-v2",
    "google-bert/bert-large-uncased-whole-word-masking-finetuned-squad",
    "google-bert/bert-base-cased",
    "dslim/bert-base-NER",
    "google-bert/bert-base-chinese",
]
DATASETS = [
    "stanfordnlp/sst2",
    "stanfordnlp/imdb",
    "sentence-transformers/stsb",
    "stanfordnlp/snli",
    "rajpurkar/squad",
    "eriktks/conll2003",
]
#: The branch each dataset is served on (CoNLL-2003 loads from the Hub's parquet conversion).
DATASET_REVISIONS = {repo: PARQUET_BRANCH if repo == "eriktks/conll2003" else "main" for repo in DATASETS}
#: Every repository served: (repo type, repo id, revision).
REPOS = [("model", repo, "main") for repo in MODELS] + [("dataset", r, DATASET_REVISIONS[r]) for r in DATASETS]

# 4 layers: the lessons index hidden state 3, concatenate the last 4 and train the top 3 layers
TINY = {"hidden_size": 32, "num_hidden_layers": 4, "num_attention_heads": 2, "intermediate_size": 64}
BERT = {
    "attention_probs_dropout_prob": 0.1,
    "gradient_checkpointing": False,
    "hidden_act": "gelu",
    "hidden_dropout_prob": 0.1,
    "initializer_range": 0.02,
    "layer_norm_eps": 1e-12,
    "max_position_embeddings": 512,
    "model_type": "bert",
    "pad_token_id": 0,
    "position_embedding_type": "absolute",
    "type_vocab_size": 2,
    "use_cache": True,
    **TINY,
}
DISTILBERT = {
    "activation": "gelu",
    "architectures": ["DistilBertForMaskedLM"],
    "attention_dropout": 0.1,
    "dim": 32,
    "dropout": 0.1,
    "hidden_dim": 64,
    "initializer_range": 0.02,
    "max_position_embeddings": 512,
    "model_type": "distilbert",
    "n_heads": 2,
    "n_layers": 4,
    "pad_token_id": 0,
    "qa_dropout": 0.1,
    "seq_classif_dropout": 0.2,
    "sinusoidal_pos_embds": False,
    "tie_weights_": True,
}
CHINESE_EXTRA = {
    "directionality": "bidi",
    "pooler_fc_size": 768,
    "pooler_num_attention_heads": 12,
    "pooler_num_fc_layers": 3,
    "pooler_size_per_head": 128,
    "pooler_type": "first_token_transform",
}
DSLIM_LABELS = ["O", "B-MISC", "I-MISC", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC"]

# CoNLL-2003 class names, in the order of the dataset card's dataset_info.
CONLL_POS = ['"', "''", "#", "$", "(", ")", ",", ".", ":", "``", "CC", "CD", "DT", "EX", "FW", "IN", "JJ", "JJR",
             "JJS", "LS", "MD", "NN", "NNP", "NNPS", "NNS", "NN|SYM", "PDT", "POS", "PRP", "PRP$", "RB", "RBR", "RBS",
             "RP", "SYM", "TO", "UH", "VB", "VBD", "VBG", "VBN", "VBP", "VBZ", "WDT", "WP", "WP$", "WRB"]
CONLL_CHUNK = ["O"] + [f"{p}-{t}" for t in ("ADJP", "ADVP", "CONJP", "INTJ", "LST", "NP", "PP", "PRT", "SBAR", "UCP",
                                            "VP") for p in "BI"]
CONLL_NER = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC"]

SPECIALS = ["[PAD]"] + [f"[unused{i}]" for i in range(1, 100)] + ["[UNK]", "[CLS]", "[SEP]", "[MASK]"]
GITATTRIBUTES = "*.safetensors filter=lfs diff=lfs merge=lfs -text\n*.parquet filter=lfs diff=lfs merge=lfs -text\n"


def repo_dir(root: Path, repo_type: str, repo_id: str, revision: str = "main") -> Path:
    """Where one revision of one repository lives under ``root``."""
    return Path(root) / f"{repo_type}s" / repo_id / quote(revision, safe="")


def _write_json(path: Path, value: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")


def _card(repo_id: str, yaml: str) -> str:
    return (f"---\n{yaml}---\n\n# {repo_id} (test stand-in)\n\nA stand-in for the Hub repository of the same name, "
            "served by tests/hub_standin: random weights or a few sample rows, meaningless numbers.\n")


# ---------------------------------------------------------------- tokenizers


def _uncased_vocab() -> list[str]:
    from course_utils.profiles import bundled_model_path

    return (bundled_model_path() / "vocab.txt").read_text(encoding="utf-8").splitlines()


def _course_texts() -> list[str]:
    texts = []
    for path in sorted(DATA_DIR.glob("*/*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            texts += [v for k, v in sorted(row.items()) if isinstance(v, str) and k not in ("id", "label")]
            texts += [" ".join(row["tokens"])] if "tokens" in row else []
    return texts


def _cased_vocab(size: int = 8000) -> list[str]:
    """A cased WordPiece vocabulary from the course's data/ files, laid out like BERT's.

    Every character seen (alone and as a ``##`` continuation) and the most frequent words, ties broken
    alphabetically: deterministic, unlike the ``tokenizers`` trainer, whose ties depend on hash order.
    """
    from collections import Counter

    from tokenizers import pre_tokenizers

    split = pre_tokenizers.BertPreTokenizer().pre_tokenize_str
    words = Counter(word for text in _course_texts() for word, _ in split(text))
    chars = sorted({c for word in words for c in word})
    pieces = chars + ["##" + c for c in chars]
    frequent = sorted((w for w in words if len(w) > 1), key=lambda w: (-words[w], w))
    return SPECIALS + pieces + frequent[: size - len(SPECIALS) - len(pieces)]


def _chinese_vocab() -> list[str]:
    """Special tokens, ASCII pieces and every CJK Unified Ideograph: character-level, like bert-base-chinese."""
    ascii_chars = [chr(c) for c in range(33, 127)]
    return SPECIALS + ascii_chars + ["##" + c for c in ascii_chars] + [chr(c) for c in range(0x4E00, 0xA000)]


def _tokenizer_json(vocab: list[str], lowercase: bool) -> str:
    """The ``tokenizer.json`` of a BERT WordPiece tokenizer, as the Hub's BERT repos have."""
    from tokenizers import AddedToken, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    ids = {token: i for i, token in enumerate(vocab)}
    tokenizer = Tokenizer(models.WordPiece(ids, unk_token="[UNK]", max_input_chars_per_word=100))
    tokenizer.normalizer = normalizers.BertNormalizer(
        clean_text=True, handle_chinese_chars=True, strip_accents=None, lowercase=lowercase
    )
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tokenizer.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]",
        pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", ids["[CLS]"]), ("[SEP]", ids["[SEP]"])],
    )
    tokenizer.decoder = decoders.WordPiece(prefix="##")
    tokenizer.add_special_tokens([AddedToken(t, special=True) for t in ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")])
    return tokenizer.to_str(pretty=True)


def _write_tokenizer(path: Path, vocab: list[str], lowercase: bool, tokenizer_config: dict) -> None:
    path.mkdir(parents=True, exist_ok=True)
    (path / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    (path / "tokenizer.json").write_text(_tokenizer_json(vocab, lowercase) + "\n", encoding="utf-8")
    _write_json(path / "tokenizer_config.json", tokenizer_config)


# ---------------------------------------------------------------- models


def _write_weights(path: Path, config: dict, weights_class: str, seed: int) -> None:
    """Seeded random weights of ``weights_class`` saved as model.safetensors, and ``config`` as config.json."""
    import torch
    import transformers

    transformers.utils.logging.disable_progress_bar()
    config_class = transformers.AutoConfig.for_model(config["model_type"]).__class__
    torch.manual_seed(seed)
    model = getattr(transformers, weights_class)(config_class(**config))
    model.save_pretrained(path)
    _write_json(path / "config.json", config)  # the card's fields, not transformers' full dump


def _model_specs() -> dict[str, dict]:
    """Per model: config.json, the class whose weights are saved, vocabulary, casing and tokenizer_config.json."""
    from course_utils.profiles import bundled_model_path

    uncased, cased = _uncased_vocab(), _cased_vocab()
    minilm_tokenizer = json.loads((bundled_model_path() / "tokenizer_config.json").read_text())
    lower, keep = {"do_lower_case": True, "model_max_length": 512}, {"do_lower_case": False, "model_max_length": 512}
    dslim_labels = {"id2label": dict(enumerate(DSLIM_LABELS)), "label2id": {k: i for i, k in enumerate(DSLIM_LABELS)}}
    chinese = _chinese_vocab()
    return {
        # the pre-training checkpoints hold both heads and the pooler (BertForPreTraining's weights)
        "google-bert/bert-base-uncased": dict(
            config={**BERT, "architectures": ["BertForMaskedLM"], "vocab_size": len(uncased)},
            weights="BertForPreTraining", vocab=uncased, lowercase=True, tokenizer_config=lower),
        "distilbert/distilbert-base-uncased": dict(
            config={**DISTILBERT, "vocab_size": len(uncased)},
            weights="DistilBertForMaskedLM", vocab=uncased, lowercase=True, tokenizer_config=lower),
        "sentence-transformers/all-MiniLM-L6-v2": dict(
            config={**BERT, "architectures": ["BertModel"], "vocab_size": len(uncased)},
            weights="BertModel", vocab=uncased, lowercase=True, tokenizer_config=minilm_tokenizer),
        "google-bert/bert-large-uncased-whole-word-masking-finetuned-squad": dict(
            config={**BERT, "architectures": ["BertForQuestionAnswering"], "vocab_size": len(uncased)},
            weights="BertForQuestionAnswering", vocab=uncased, lowercase=True, tokenizer_config=lower),
        "google-bert/bert-base-cased": dict(
            config={**BERT, "architectures": ["BertForMaskedLM"], "vocab_size": len(cased)},
            weights="BertForPreTraining", vocab=cased, lowercase=False, tokenizer_config=keep),
        "dslim/bert-base-NER": dict(
            config={**BERT, "_num_labels": 9, "architectures": ["BertForTokenClassification"], "classifier_dropout":
                    None, **dslim_labels, "output_past": True, "vocab_size": len(cased)},
            weights="BertForTokenClassification", vocab=cased, lowercase=False, tokenizer_config=keep),
        "google-bert/bert-base-chinese": dict(
            config={**BERT, **CHINESE_EXTRA, "architectures": ["BertForMaskedLM"], "vocab_size": len(chinese)},
            weights="BertForPreTraining", vocab=chinese, lowercase=False, tokenizer_config={"do_lower_case": False}),
    }


def _copy_sentence_transformers_files(path: Path) -> None:
    """The real all-MiniLM-L6-v2's sentence-transformers files (from the bundled copy), pooling resized."""
    from course_utils.profiles import bundled_model_path

    bundled = bundled_model_path()
    for name in ("modules.json", "sentence_bert_config.json", "config_sentence_transformers.json",
                 "special_tokens_map.json"):
        shutil.copyfile(bundled / name, path / name)
    pooling = json.loads((bundled / "1_Pooling" / "config.json").read_text())
    _write_json(path / "1_Pooling" / "config.json", {**pooling, "word_embedding_dimension": TINY["hidden_size"]})


def build_models(root: Path) -> None:
    """Write every model repository of :data:`MODELS` under ``root``."""
    for seed, (repo_id, spec) in enumerate(_model_specs().items(), start=SEED):
        path = repo_dir(root, "model", repo_id)
        _write_weights(path, spec["config"], spec["weights"], seed)
        _write_tokenizer(path, spec["vocab"], spec["lowercase"], spec["tokenizer_config"])
        if repo_id.startswith("sentence-transformers/"):
            _copy_sentence_transformers_files(path)
        (path / "README.md").write_text(_card(repo_id, "tags:\n- test-stand-in\n"), encoding="utf-8")
        (path / ".gitattributes").write_text(GITATTRIBUTES, encoding="utf-8")


# ---------------------------------------------------------------- datasets


def _rows(task: str, split: str, n: int | None) -> list[dict]:
    """The first ``n`` rows (all with None) of one of the course's data/ files."""
    lines = (DATA_DIR / task / f"{split}.jsonl").read_text(encoding="utf-8").splitlines()[:n]
    return [json.loads(line) for line in lines]


def dataset_specs() -> dict[str, dict]:
    """Per dataset: config name, file layout, features and rows per split (the real split names and order)."""
    from datasets import ClassLabel, Features, List, Value

    nli_cols, qa_cols = ("premise", "hypothesis", "label"), ("id", "title", "context", "question", "answers")

    def unlabelled(rows):  # SST-2's hidden test labels, IMDb's unsupervised split
        return [{**row, "label": -1} for row in rows]

    def no_gold(rows):  # SNLI's pairs without a gold label (every tenth here)
        return [{**row, "label": -1 if i % 10 == 9 else row["label"]} for i, row in enumerate(rows)]

    def conll(rows):
        return [{"id": row["id"], "tokens": row["tokens"],
                 "pos_tags": [CONLL_POS.index("." if t == "." else "NNP" if t[:1].isupper() else "NN")
                              for t in row["tokens"]],
                 "chunk_tags": [0 if t == "." else CONLL_CHUNK.index("I-NP") for t in row["tokens"]],
                 "ner_tags": [CONLL_NER.index(tag) for tag in row["ner_tags"]]} for row in rows]

    def sst2(split, n):
        rows = _rows("sentiment", split, n)
        return [{"idx": i, "sentence": r["sentence"], "label": r["label"]} for i, r in enumerate(rows)]

    def keep(task, cols, split, n):
        return [{c: r[c] for c in cols} for r in _rows(task, split, n)]

    def squad(split, n):  # half with paragraphs of <= 900 characters, like most of SQuAD's: some fit 192 tokens
        rows = [{c: r[c] for c in qa_cols} for r in _rows("qa", split, None)]
        short = [r for r in rows if len(r["context"]) <= 900][: n // 2]
        return short + [r for r in rows if len(r["context"]) > 900][: n - len(short)]

    return {
        "stanfordnlp/sst2": dict(
            config="default", layout="data/{split}-00000-of-00001.parquet",
            features=Features({"idx": Value("int32"), "sentence": Value("string"),
                               "label": ClassLabel(names=["negative", "positive"])}),
            splits={"train": sst2("train", 200), "validation": sst2("validation", 60),
                    "test": unlabelled(sst2("test", 60))}),
        "stanfordnlp/imdb": dict(
            config="plain_text", layout="plain_text/{split}-00000-of-00001.parquet",
            features=Features({"text": Value("string"), "label": ClassLabel(names=["neg", "pos"])}),
            splits={"train": keep("reviews", ("text", "label"), "train", 60),
                    "test": keep("reviews", ("text", "label"), "test", 40),
                    "unsupervised": unlabelled(keep("reviews", ("text", "label"), "train", 115)[60:])}),
        "sentence-transformers/stsb": dict(
            config="default", layout="data/{split}-00000-of-00001.parquet",
            features=Features({"sentence1": Value("string"), "sentence2": Value("string"),
                               "score": Value("float64")}),
            splits={split: [{"sentence1": r["sentence1"], "sentence2": r["sentence2"], "score": r["score"] / 5.0}
                            for r in _rows("similarity", split, n)]
                    for split, n in (("train", 120), ("validation", 40), ("test", 40))}),
        "stanfordnlp/snli": dict(
            config="plain_text", layout="plain_text/{split}-00000-of-00001.parquet",
            features=Features({"premise": Value("string"), "hypothesis": Value("string"),
                               "label": ClassLabel(names=["entailment", "neutral", "contradiction"])}),
            splits={split: no_gold(keep("nli", nli_cols, split, n))
                    for split, n in (("test", 60), ("validation", 60), ("train", 200))}),
        "rajpurkar/squad": dict(
            config="plain_text", layout="plain_text/{split}-00000-of-00001.parquet",
            features=Features({"id": Value("string"), "title": Value("string"), "context": Value("string"),
                               "question": Value("string"),
                               "answers": {"text": List(Value("string")), "answer_start": List(Value("int32"))}}),
            splits={"train": squad("train", 200), "validation": squad("validation", 60)}),
        "eriktks/conll2003": dict(
            config="conll2003", layout="conll2003/{split}/0000.parquet", card=False,  # the parquet branch has none
            features=Features({"id": Value("string"), "tokens": List(Value("string")),
                               "pos_tags": List(ClassLabel(names=CONLL_POS)),
                               "chunk_tags": List(ClassLabel(names=CONLL_CHUNK)),
                               "ner_tags": List(ClassLabel(names=CONLL_NER))}),
            splits={split: conll(_rows("ner", split, n)) for split, n in (("train", 200), ("validation", 60),
                                                                          ("test", 60))}),
    }


def _dataset_card(repo_id: str, spec: dict, datasets: dict) -> str:
    """A dataset card whose YAML holds ``dataset_info`` and ``configs``, as ``push_to_hub`` writes it."""
    from datasets import DatasetInfo, SplitDict, SplitInfo
    from datasets.info import DatasetInfosDict
    from datasets.utils.metadata import MetadataConfigs
    from huggingface_hub import DatasetCardData

    splits = SplitDict()
    for name, ds in datasets.items():
        splits.add(SplitInfo(name=name, num_bytes=ds.data.nbytes, num_examples=len(ds)))
    info = DatasetInfo(features=spec["features"], splits=splits, config_name=spec["config"])
    card = DatasetCardData()
    DatasetInfosDict({spec["config"]: info}).to_dataset_card_data(card)
    data_files = [{"split": name, "path": spec["layout"].format(split=name).replace("-00000-of-00001", "-*")}
                  for name in datasets]
    MetadataConfigs({spec["config"]: {"data_files": data_files}}).to_dataset_card_data(card)
    return _card(repo_id, card.to_yaml() + "\n")


def build_datasets(root: Path) -> None:
    """Write every dataset repository of :data:`DATASETS` under ``root`` (parquet with features in its metadata)."""
    from datasets import Dataset, disable_progress_bars

    disable_progress_bars()
    for repo_id, spec in dataset_specs().items():
        path = repo_dir(root, "dataset", repo_id, DATASET_REVISIONS[repo_id])
        datasets = {split: Dataset.from_list(rows, features=spec["features"]) for split, rows in spec["splits"].items()}
        for split, ds in datasets.items():
            target = path / spec["layout"].format(split=split)
            target.parent.mkdir(parents=True, exist_ok=True)
            ds.to_parquet(str(target))
        if spec.get("card", True):
            (path / "README.md").write_text(_dataset_card(repo_id, spec, datasets), encoding="utf-8")
        (path / ".gitattributes").write_text(GITATTRIBUTES, encoding="utf-8")


def build(root: Path) -> None:
    """Build every repository of :data:`REPOS` into ``root`` (deterministic: same bytes on every run)."""
    build_models(Path(root))
    build_datasets(Path(root))


if __name__ == "__main__":
    build(Path(sys.argv[1]))
