"""Quality checks of the offline datasets in data/, and of the datasheet that describes them."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from course_utils.data import NER_TAGS, TASKS, load_intents, load_task, offline_files

DATA = Path(__file__).resolve().parent.parent / "data"
DATASHEET = (DATA / "README.md").read_text(encoding="utf-8")


def rows(task: str) -> dict[str, list[dict]]:
    return {
        split: [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines()]
        for split, path in offline_files(task).items()
    }


def all_rows(task: str) -> list[dict]:
    return [row for split_rows in rows(task).values() for row in split_rows]


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[^\w\s]", "", text.lower())).strip()


def words(text: str) -> list[str]:
    return re.findall(r"\w+(?:'\w+)?", text.lower())


def distinct_bigram_ratio(texts: list[str]) -> float:
    bigrams = [pair for text in texts for pair in zip(words(text), words(text)[1:], strict=False)]
    return len(set(bigrams)) / len(bigrams)


def top_opening_share(texts: list[str]) -> float:
    openings = Counter(" ".join(text.lower().split()[:3]) for text in texts if len(text.split()) >= 3)
    return openings.most_common(1)[0][1] / len(texts)


def entities(tags: list[str]) -> list[str]:
    return [tag[2:] for tag in tags if tag.startswith("B-")]


# Which text identifies an example, per task (for duplicate checks).
KEYS = {
    "sentiment": lambda r: normalise(r["sentence"]),
    "reviews": lambda r: normalise(r["text"]),
    "similarity": lambda r: (normalise(r["sentence1"]), normalise(r["sentence2"])),
    "nli": lambda r: (normalise(r["premise"]), normalise(r["hypothesis"])),
    "qa": lambda r: (normalise(r["context"]), normalise(r["question"])),
    "ner": lambda r: normalise(" ".join(r["tokens"])),
}


@pytest.mark.parametrize("task", sorted(TASKS))
def test_no_exact_or_normalised_duplicates_within_or_across_splits(task):
    keys = [KEYS[task](row) for row in all_rows(task)]
    duplicates = [key for key, count in Counter(keys).items() if count > 1]
    assert duplicates == [], f"{len(duplicates)} duplicates in {task}, e.g. {duplicates[:2]}"


@pytest.mark.parametrize(("task", "field"), [("nli", "premise"), ("qa", "context")])
def test_shared_texts_stay_in_one_split(task, field):
    seen: dict[str, str] = {}
    for split, split_rows in rows(task).items():
        for row in split_rows:
            assert seen.setdefault(normalise(row[field]), split) == split, f"{field} in two splits: {row[field][:60]}"


@pytest.mark.parametrize("task", sorted(TASKS))
def test_loader_gives_the_hub_schema_offline(task):
    dd = load_task(task, quick=False, online=False)
    assert tuple(dd) == TASKS[task].splits
    from course_utils.data import FEATURES

    for split in dd.values():
        assert split.features == FEATURES[task]


def test_quick_mode_uses_the_offline_files_whole():
    """Offline, the run size decides how much a quick run trains on; the loader keeps every row."""
    quick = load_task("sentiment", quick=True, online=False)
    full = load_task("sentiment", quick=False, online=False)
    assert [len(s) for s in quick.values()] == [len(s) for s in full.values()]
    assert quick["train"]["sentence"] == full["train"]["sentence"]


def test_unknown_task_is_a_clear_error():
    with pytest.raises(ValueError, match="task='poetry' is unknown"):
        load_task("poetry")


# --- sentiment -------------------------------------------------------------------------


def test_sentiment_size_length_and_balance():
    data = rows("sentiment")
    everything = all_rows("sentiment")
    assert len(data["train"]) >= 4000
    for split, split_rows in data.items():
        share = sum(r["label"] for r in split_rows) / len(split_rows)
        assert 0.45 <= share <= 0.55, f"{split}: {share:.1%} positive"
    lengths = [len(r["sentence"].split()) for r in everything]
    assert min(lengths) >= 5 and max(lengths) <= 45
    shares = {split: len(r) / len(everything) for split, r in data.items()}
    assert 0.75 <= shares["train"] <= 0.85 and 0.08 <= shares["test"] <= 0.15


def test_reviews_size_length_and_balance():
    everything = all_rows("reviews")
    assert len(everything) >= 150
    assert 0.45 <= sum(r["label"] for r in everything) / len(everything) <= 0.55
    lengths = [len(r["text"].split()) for r in everything]
    assert min(lengths) >= 80 and max(lengths) <= 350


# --- similarity and intents ------------------------------------------------------------


def test_similarity_scores_cover_the_scale():
    everything = all_rows("similarity")
    assert len(everything) >= 300
    scores = [r["score"] for r in everything]
    assert all(0.0 <= s <= 5.0 for s in scores)
    bands = Counter(min(int(s), 4) for s in scores)
    assert all(bands[band] / len(scores) >= 0.10 for band in range(5)), bands


def test_intents_have_several_utterances_each():
    intents = load_intents()
    counts = Counter(intents["intent"])
    assert len(counts) >= 8 and min(counts.values()) >= 5
    assert len(set(map(normalise, intents["text"]))) == len(intents)


# --- NLI -------------------------------------------------------------------------------


def test_nli_every_premise_has_one_hypothesis_per_label():
    everything = all_rows("nli")
    sizes = {split: len(split_rows) for split, split_rows in rows("nli").items()}
    assert sizes["train"] >= 6000 and sizes["validation"] >= 600 and sizes["test"] >= 600, sizes
    by_premise: dict[str, list[int]] = {}
    for r in everything:
        by_premise.setdefault(r["premise"], []).append(r["label"])
    assert len(by_premise) >= 300
    assert all(sorted(labels) == [0, 1, 2] for labels in by_premise.values())


def test_nli_contradictions_are_not_mostly_negation_words():
    contradictions = [r["hypothesis"] for r in all_rows("nli") if r["label"] == 2]
    negated = [h for h in contradictions if re.search(r"\b(not|no|never|nobody|nothing|none)\b|n't", h.lower())]
    assert len(negated) / len(contradictions) < 0.25


def test_nli_phenomena_are_varied():
    counts = Counter(r["phenomenon"] for r in all_rows("nli"))
    assert len(counts) >= 8 and min(n for tag, n in counts.items() if tag != "other") >= 40, counts


# --- QA --------------------------------------------------------------------------------


def test_qa_answers_are_exact_spans():
    for r in all_rows("qa"):
        for text, start in zip(r["answers"]["text"], r["answers"]["answer_start"], strict=True):
            assert r["context"][start : start + len(text)] == text, r["id"]


def test_qa_size_and_paragraph_lengths(tokenizer):
    everything = all_rows("qa")
    assert len(rows("qa")["train"]) >= 3000 and len(rows("qa")["validation"]) >= 400
    assert len({r["context"] for r in everything}) >= 700
    assert len({r["id"] for r in everything}) == len(everything)
    contexts = {r["context"] for r in everything}
    lengths = [len(c.split()) for c in contexts]
    assert sum(80 <= n <= 300 for n in lengths) >= 120
    assert min(lengths) >= 80 and max(lengths) <= 480
    long_contexts = [c for c in contexts if len(tokenizer(c)["input_ids"]) > 384]
    assert len(long_contexts) >= 8, "the doc-stride lesson needs contexts longer than 384 tokens"
    validation_contexts = {r["context"] for r in rows("qa")["validation"]}
    assert any(c in validation_contexts for c in long_contexts)


# --- NER -------------------------------------------------------------------------------


def test_ner_tags_are_valid_iob2():
    for r in all_rows("ner"):
        assert len(r["tokens"]) == len(r["ner_tags"]), r["id"]
        previous = "O"
        for tag in r["ner_tags"]:
            assert tag in NER_TAGS, tag
            if tag.startswith("I-"):
                assert previous[2:] == tag[2:], f"{tag} after {previous} in {' '.join(r['tokens'])}"
            previous = tag


def test_ner_entity_counts():
    everything = all_rows("ner")
    train = rows("ner")["train"]
    assert len(train) >= 4000
    train_counts = Counter(e for r in train for e in entities(r["ner_tags"]))
    assert train_counts["ORG"] >= 1500 and train_counts["MISC"] >= 1500, train_counts
    counts = Counter(e for r in everything for e in entities(r["ner_tags"]))
    assert sum(counts.values()) >= 3000
    assert all(counts[kind] >= 300 for kind in ("PER", "ORG", "LOC", "MISC")), counts
    assert sum(not entities(r["ner_tags"]) for r in everything) >= 50, "sentences without entities"
    assert sum(r["ner_tags"][0].startswith("B-") for r in everything) >= 100, "entities at sentence start"


# --- lexical diversity -----------------------------------------------------------------

TEXTS = {
    "sentiment": lambda: [r["sentence"] for r in all_rows("sentiment")],
    "reviews": lambda: [r["text"] for r in all_rows("reviews")],
    "similarity": lambda: [r[f] for r in all_rows("similarity") for f in ("sentence1", "sentence2")],
    "nli premises": lambda: sorted({r["premise"] for r in all_rows("nli")}),
    "nli hypotheses": lambda: [r["hypothesis"] for r in all_rows("nli")],
    "qa contexts": lambda: sorted({r["context"] for r in all_rows("qa")}),
    "qa questions": lambda: [r["question"] for r in all_rows("qa")],
    "ner": lambda: [" ".join(r["tokens"]) for r in all_rows("ner")],
}
MIN_BIGRAM_RATIO = 0.6
DIVERSITY_SAMPLE = 500  # the distinct-bigram ratio falls as a set grows, so it is measured on a fixed-size sample


@pytest.mark.parametrize("name", sorted(TEXTS))
def test_lexical_diversity(name):
    import random

    texts = TEXTS[name]()
    sample = random.Random(0).sample(texts, min(DIVERSITY_SAMPLE, len(texts)))
    assert distinct_bigram_ratio(sample) >= MIN_BIGRAM_RATIO
    assert top_opening_share(texts) <= 0.03


# --- datasheet -------------------------------------------------------------------------


def datasheet_rows(task: str) -> list[str]:
    """The count rows data/README.md must contain for ``task``, computed from the files."""
    data = rows(task)
    lines = []
    for split, split_rows in data.items():
        if task in ("sentiment", "reviews"):
            counts = Counter(r["label"] for r in split_rows)
            lines.append(f"| {split} | {len(split_rows)} | {counts[0]} | {counts[1]} |")
        elif task == "nli":
            counts = Counter(r["label"] for r in split_rows)
            premises = len({r["premise"] for r in split_rows})
            lines.append(f"| {split} | {len(split_rows)} | {premises} | {counts[0]} | {counts[1]} | {counts[2]} |")
        elif task == "similarity":
            bands = Counter(min(int(r["score"]), 4) for r in split_rows)
            lines.append(f"| {split} | {len(split_rows)} | " + " | ".join(str(bands[b]) for b in range(5)) + " |")
        elif task == "qa":
            contexts = {r["context"] for r in split_rows}
            lines.append(f"| {split} | {len(contexts)} | {len(split_rows)} |")
        elif task == "ner":
            counts = Counter(e for r in split_rows for e in entities(r["ner_tags"]))
            tokens = sum(len(r["tokens"]) for r in split_rows)
            per_type = " | ".join(str(counts[k]) for k in ("PER", "ORG", "LOC", "MISC"))
            lines.append(f"| {split} | {len(split_rows)} | {tokens} | {per_type} |")
    return lines


@pytest.mark.parametrize("task", sorted(TASKS))
def test_datasheet_numbers_equal_the_files(task):
    missing = [line for line in datasheet_rows(task) if line not in DATASHEET]
    assert missing == [], f"data/README.md lacks or misstates these {task} rows: {missing}"


def test_datasheet_intent_count():
    intents = load_intents()
    assert f"{len(intents)} utterances, {len(set(intents['intent']))} intents" in DATASHEET


# --- near duplicates and shortcut baselines --------------------------------------------


def near_duplicate_pairs(texts: list[str], threshold: float = 0.8) -> list[tuple[str, str]]:
    """Pairs of texts whose word sets overlap by Jaccard >= ``threshold`` (an inverted index, not all pairs)."""
    sets = [frozenset(words(t)) for t in texts]
    index: dict[str, list[int]] = {}
    pairs = []
    for i, s in enumerate(sets):
        shared = Counter(j for w in s for j in index.get(w, ()))
        pairs += [(texts[j], texts[i]) for j, n in shared.items() if n / (len(s) + len(sets[j]) - n) >= threshold]
        for w in s:
            index.setdefault(w, []).append(i)
    return pairs


NEAR_DUPLICATE_TEXTS = {
    "sentiment": lambda: [r["sentence"] for r in all_rows("sentiment")],
    "nli premises": lambda: sorted({r["premise"] for r in all_rows("nli")}),
    "qa contexts": lambda: sorted({r["context"] for r in all_rows("qa")}),
    "qa questions": lambda: [r["question"] for r in all_rows("qa")],
    "ner": lambda: [" ".join(r["tokens"]) for r in all_rows("ner")],
}


@pytest.mark.parametrize("name", sorted(NEAR_DUPLICATE_TEXTS))
def test_no_near_duplicates(name):
    pairs = near_duplicate_pairs(NEAR_DUPLICATE_TEXTS[name]())
    assert pairs == [], f"{len(pairs)} near-duplicate pairs in {name}, e.g. {pairs[:2]}"


def test_nli_hypothesis_alone_does_not_give_the_label():
    """A classifier that sees only the hypothesis (word and bigram TF-IDF + logistic regression) stays
    near chance (1/3) on the test split: the labels are not given away by the wording of hypotheses."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    data = rows("nli")
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
    train = vectorizer.fit_transform([r["hypothesis"] for r in data["train"]])
    clf = LogisticRegression(max_iter=2000, C=1.0).fit(train, [r["label"] for r in data["train"]])
    test = vectorizer.transform([r["hypothesis"] for r in data["test"]])
    accuracy = (clf.predict(test) == [r["label"] for r in data["test"]]).mean()
    assert accuracy <= 0.45, f"hypothesis-only accuracy {accuracy:.3f} > 0.45: hypotheses give the label away"


def sentence_overlap_answer(question: str, context: str) -> str:
    """The SQuAD paper's simplest baseline: answer with the context sentence sharing most words with the question."""
    sentences = re.split(r"(?<=[.!?])\s+", context)
    asked = set(words(question)) - {"the", "a", "an", "of", "in", "what", "which", "who", "how", "is", "was", "did"}
    return max(sentences, key=lambda s: len(asked & set(words(s))))


def test_qa_is_not_solved_by_word_overlap():
    """Answering with the best-overlapping sentence finds the right sentence often (questions are about
    the paragraph) but scores a low token F1: the span must still be read out of it."""
    from course_utils.squad_metrics import squad_scores

    validation = rows("qa")["validation"]
    scores = [
        squad_scores(sentence_overlap_answer(r["question"], r["context"]), r["answers"]["text"]) for r in validation
    ]
    f1 = 100 * sum(f for _, f in scores) / len(scores)
    found = sum(
        r["answers"]["text"][0] in sentence_overlap_answer(r["question"], r["context"]) for r in validation
    ) / len(validation)
    assert f1 <= 30, f"the word-overlap sentence baseline reaches F1 {f1:.1f}: questions copy their answer's sentence"
    assert found >= 0.4, f"the best-overlapping sentence holds the answer for only {found:.0%}: check the questions"
