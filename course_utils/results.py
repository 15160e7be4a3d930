"""Results are records (every lesson): each notebook ends by writing its key metrics and run time.

``record_results("07_nli", accuracy=0.78, zero_shot_accuracy=0.71)`` writes, under the notebook's
stem, ``{"seconds": ..., "metrics": {...}}`` into ``results/<profile>.json`` (for example
``results/offline-quick.json``); the README's results tables are generated from those files.

Regression bands (offline quick profile): ``results/bands.json`` holds, for each key quality metric,
the value of the committed run and a band of +-3 standard errors of that estimate on its evaluation
set (:data:`BAND_BASIS` names the set; its size is counted from ``data/``). :func:`record_results`
fails a lesson whose metric falls outside, naming the lesson, metric, value and band; run times and
speeds have no band (they depend on the machine: see ``benchmarks/``). ``python -m
course_utils.results`` rewrites the README table and the bands from ``results/offline-quick.json``.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Mapping
from numbers import Real
from pathlib import Path

from . import checks
from .profiles import get_profile, seconds_since_setup

RESULTS_DIR = Path(__file__).resolve().parent.parent / "results"
RESULTS_ENV = "BERT_COURSE_RESULTS_DIR"  # the test suite points this elsewhere, so test runs leave results/ alone
BANDS_FILE = RESULTS_DIR / "bands.json"
NO_BANDS_ENV = "BERT_COURSE_NO_BANDS"  # =1 while deliberately changing a lesson's numbers (then regenerate)
_SENTIMENT_TEST = ("cls_lr_accuracy", "mean_lr_accuracy", "tfidf_lr_accuracy")
_SENTIMENT_TUNED = (
    "trainer_accuracy",
    "custom_head_accuracy",
    "frozen_mean_lr_accuracy",
    "frozen_cls_lr_accuracy",
    "best_fine_tuned_accuracy",
    "untrained_accuracy",
)

#: The evaluation set behind each banded metric: "<data task>/<split>" (its rows), "ner/<split>:<TYPE>"
#: (its gold entities of that type, or of all types), or "qa/validation:quick" (the quick run's questions).
BAND_BASIS: dict[str, dict[str, str]] = {
    "03_features_logreg": dict.fromkeys(_SENTIMENT_TEST, "sentiment/test"),
    "04_all_layers": dict.fromkeys(("best_cls_probe_accuracy", "best_mean_probe_accuracy"), "sentiment/test"),
    "05_sentence_embeddings": {
        **dict.fromkeys(
            (
                "spearman_mean",
                "spearman_cls",
                "spearman_contrastive_after",
                "spearman_random",
                "spearman_cosine_loss",
                "spearman_tsdae",
                "spearman_simcse",
            ),
            "similarity/test",
        ),
        "intent_accuracy": "similarity/intents",
    },
    "06_fine_tuning": dict.fromkeys(_SENTIMENT_TUNED, "sentiment/test"),
    "07_nli": {
        **dict.fromkeys(("accuracy", "macro_f1", "untrained_accuracy", "bi_encoder_accuracy"), "nli/test"),
        "zero_shot_accuracy": "topics/topics",
    },
    "08_question_answering": dict.fromkeys(("exact_match", "f1", "untrained_f1"), "qa/validation:quick"),
    "09_ner": {
        **dict.fromkeys(("f1", "frozen_f1", "frozen_last_f1"), "ner/test:ALL"),
        "untrained_f1": "ner/validation:ALL",
        **{f"f1_{kind}": f"ner/test:{kind}" for kind in ("PER", "ORG", "LOC", "MISC")},
    },
    "10_cpu_inference": dict.fromkeys(
        ("fp32_accuracy", "int8_accuracy", "int8_mixed_accuracy", "int8_agreement"), "sentiment/test"
    ),
}


def results_path() -> Path:
    """``results/<online|offline>-<quick|full>.json`` for the current profile (or in ``$BERT_COURSE_RESULTS_DIR``)."""
    profile = get_profile()
    folder = Path(os.environ[RESULTS_ENV]) if os.environ.get(RESULTS_ENV) else RESULTS_DIR
    return folder / f"{'online' if profile.online else 'offline'}-{profile.size}.json"


def read_results(path: str | Path | None = None) -> dict[str, dict]:
    """Every lesson's record in ``path`` (default: the current profile's file, empty if not written yet).

    A ``path`` given explicitly must exist: a mistyped name would otherwise read as "no results".
    """
    if path is None:
        path = results_path()
        if not path.is_file():
            return {}
    path = checks.existing_path("path", path, kind="file")
    try:
        results = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ValueError(f"path={str(path)!r} is not a results file (not JSON): pass a results/*.json file.") from None
    if not isinstance(results, dict):
        raise ValueError(
            f"path={str(path)!r} holds a JSON {type(results).__name__}, not a results record: "
            "pass a results/*.json file."
        )
    return results


def record_results(notebook: str, **metrics: float) -> dict:
    """Store ``metrics`` and the seconds since ``show_setup`` under ``notebook`` (its file stem); print them."""
    checks.text("notebook", notebook)
    if not re.fullmatch(r"\d\d_[a-z0-9_]+", notebook):
        raise ValueError(f"notebook={notebook!r} must be the notebook's file stem, such as '07_nli'.")
    clean = {}
    for name, value in metrics.items():
        if isinstance(value, bool) or not isinstance(value, Real):
            raise TypeError(f"{name}={value!r} must be a real number (a measured metric).")
        if not math.isfinite(float(value)):
            raise ValueError(f"{name}={value!r} is not a finite number: record a measured metric.")
        clean[name] = float(f"{float(value):.4g}")  # 4 significant digits
    record = {"seconds": round(seconds_since_setup(), 1), "metrics": clean}
    profile = get_profile()
    if not profile.online and profile.quick and os.environ.get(NO_BANDS_ENV) != "1" and BANDS_FILE.is_file():
        check_bands(notebook, clean)
    path = results_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    everything = read_results(path) if path.is_file() else {}
    everything[notebook] = record
    path.write_text(json.dumps(dict(sorted(everything.items())), indent=2) + "\n", encoding="utf-8")
    print(
        f"recorded in {path.parent.name}/{path.name}: {notebook} took {record['seconds']:.0f} s; "
        + ", ".join(f"{k} {v:g}" for k, v in clean.items())
    )
    return record


def basis_size(basis: str) -> int:
    """How many items the estimate of a metric rests on (see :data:`BAND_BASIS`), counted from ``data/``."""
    checks.text("basis", basis)
    from .data import DATA_DIR

    name, _, part = basis.partition(":")
    if name == "qa/validation" and part == "quick":
        from .run_sizes import run_size

        return run_size("qa", "quick").eval_examples
    path = DATA_DIR / f"{name}.jsonl"
    if not path.is_file():
        raise ValueError(f"basis={basis!r} names no file of data/ ({path.name} missing): use '<task>/<split>'.")
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if not part:
        return len(rows)
    tags = [tag for row in rows for tag in row["ner_tags"]]
    return sum(tag.startswith("B-") and (part == "ALL" or tag == f"B-{part}") for tag in tags)


def band(value: float, n: int, kind: str = "proportion", scale: float = 1.0) -> tuple[float, float]:
    """``value`` +- 3 standard errors on ``n`` items: of a proportion (accuracy, F1; on ``scale`` 1 or 100)
    or of a Spearman correlation (``kind="correlation"``, through Fisher's z). At least +-0.005 x scale."""
    checks.integer("n", n, minimum=4)
    checks.one_of("kind", kind, ("proportion", "correlation"))
    checks.one_of("scale", scale, (1.0, 100.0))
    if kind == "correlation":
        checks.number("value", value, minimum=-1, maximum=1)
        z, se = math.atanh(max(min(value, 0.9999), -0.9999)), 1 / math.sqrt(n - 3)
        return round(math.tanh(z - 3 * se), 4), round(math.tanh(z + 3 * se), 4)
    p = checks.number("value", value, minimum=0, maximum=scale) / scale
    half = max(3 * math.sqrt(p * (1 - p) / n), 0.005)
    return round(max(p - half, 0.0) * scale, 4), round(min(p + half, 1.0) * scale, 4)


def make_bands(results: Mapping[str, dict]) -> dict[str, dict]:
    """The bands of every metric in :data:`BAND_BASIS` that ``results`` (a read_results dict) records."""
    if not isinstance(results, Mapping):
        raise TypeError(
            f"results must be a dict {{notebook: record}} (as read_results returns), not {type(results).__name__}."
        )
    bands: dict[str, dict] = {}
    for notebook, basis in BAND_BASIS.items():
        metrics = results.get(notebook, {}).get("metrics", {})
        for metric, where in basis.items():
            if metric not in metrics:
                continue
            n, value = basis_size(where), metrics[metric]
            kind = "correlation" if metric.startswith("spearman") else "proportion"
            scale = 100.0 if notebook == "08_question_answering" else 1.0
            low, high = band(value, n, kind, scale)
            bands.setdefault(notebook, {})[metric] = {
                "reference": value,
                "low": low,
                "high": high,
                "basis": f"{n} items of {where}",
            }
    return bands


def check_bands(notebook: str, metrics: Mapping[str, float], bands_file: str | Path = BANDS_FILE) -> None:
    """Raise AssertionError naming each of ``metrics`` outside its band in ``bands_file``."""
    checks.text("notebook", notebook)
    if not isinstance(metrics, Mapping):
        raise TypeError(f"metrics must be a dict {{name: value}}, not {type(metrics).__name__}.")
    bands = read_results(bands_file).get(notebook, {})
    outside = [
        f"{notebook}: {name} = {value:g} is outside its band {bands[name]['low']:g} to "
        f"{bands[name]['high']:g} (reference {bands[name]['reference']:g}, +-3 standard errors on "
        f"{bands[name]['basis']})"
        for name, value in metrics.items()
        if name in bands and not bands[name]["low"] <= value <= bands[name]["high"]
    ]
    if outside:
        raise AssertionError(
            "regression band exceeded - "
            + "; ".join(outside)
            + f". If the change is intended, rerun with {NO_BANDS_ENV}=1 and `make results`."
        )


def write_bands(
    results_file: str | Path = RESULTS_DIR / "offline-quick.json", bands_file: str | Path = BANDS_FILE
) -> dict:
    """Write ``bands_file`` from the committed run in ``results_file``; return the bands."""
    bands = make_bands(read_results(checks.existing_path("results_file", results_file, kind="file")))
    Path(bands_file).write_text(json.dumps(bands, indent=1) + "\n", encoding="utf-8")
    return bands


README = RESULTS_DIR.parent / "README.md"
README_START, README_END = "<!-- results:start -->", "<!-- results:end -->"


def results_table(results: dict[str, dict]) -> str:
    """The README's results table: one row per lesson, its run time and key metrics (``{}``: no rows, total 0)."""
    if not isinstance(results, Mapping):
        raise TypeError(
            f"results must be a dict {{notebook: record}} (as read_results returns), not {type(results).__name__}."
        )
    for notebook, record in results.items():
        if not isinstance(record, Mapping) or not isinstance(record.get("metrics"), Mapping) or "seconds" not in record:
            raise ValueError(
                f"results[{notebook!r}] must be a record {{'seconds': ..., 'metrics': {{...}}}}: "
                "pass the whole dict read_results returns, not one record."
            )
    lines = [
        "| lesson | run time | key metrics (accuracies and F1 as fractions; QA on SQuAD's 0-100 scale) |",
        "|---|---|---|",
    ]
    for notebook, record in sorted(results.items()):
        metrics = ", ".join(f"{name} {value:g}" for name, value in record["metrics"].items())
        lines.append(f"| `{notebook}` | {record['seconds']:.0f} s | {metrics} |")
    total = sum(record["seconds"] for record in results.values())
    lines.append(f"| all | {total / 60:.1f} min | |")
    return "\n".join(lines) + "\n"


def write_readme_block(name: str, table: str, readme: str | Path = README) -> str:
    """Replace the README's block between ``<!-- {name}:start -->`` and ``<!-- {name}:end -->`` by ``table``."""
    checks.text("name", name)
    checks.text("table", table)
    readme = checks.existing_path("readme", readme, kind="file")
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    text = readme.read_text(encoding="utf-8")
    if start not in text or end not in text:
        raise ValueError(f"{readme} has no {start} ... {end} block: add the two markers first.")
    if text.count(start) != 1 or text.count(end) != 1 or text.index(start) > text.index(end):
        raise ValueError(f"{readme} must have one {start} followed by one {end}: fix the markers.")
    head, rest = text.split(start)
    tail = rest.split(end)[1]
    readme.write_text(f"{head}{start}\n{table}{end}{tail}", encoding="utf-8")
    return table


def update_readme(results_file: str | Path = RESULTS_DIR / "offline-quick.json", readme: str | Path = README) -> str:
    """Rewrite the block between the README's results markers from ``results_file``; return the table."""
    results = read_results(checks.existing_path("results_file", results_file, kind="file"))
    if not results:
        raise ValueError(f"results_file={str(results_file)!r} has no lesson records: run the notebooks first.")
    return write_readme_block("results", results_table(results), readme)


if __name__ == "__main__":
    print(update_readme())
    print(f"bands of {sum(map(len, write_bands().values()))} metrics written to {BANDS_FILE.name}")
