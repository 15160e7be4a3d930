"""Results are records (every lesson): each notebook ends by writing its key metrics and run time.

``record_results("07_nli", accuracy=0.78, zero_shot_accuracy=0.71)`` writes, under the notebook's
stem, ``{"seconds": ..., "metrics": {...}}`` into ``results/<profile>.json`` (for example
``results/offline-quick.json``); the README's results tables are generated from those files.
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


def results_path() -> Path:
    """``results/<online|offline>-<quick|full>.json`` for the current profile (or under ``$BERT_COURSE_RESULTS_DIR``)."""
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
        raise ValueError(f"path={str(path)!r} holds a JSON {type(results).__name__}, not a results record: "
                         "pass a results/*.json file.")
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
    path = results_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    everything = read_results(path) if path.is_file() else {}
    everything[notebook] = record
    path.write_text(json.dumps(dict(sorted(everything.items())), indent=2) + "\n", encoding="utf-8")
    print(f"recorded in {path.parent.name}/{path.name}: {notebook} took {record['seconds']:.0f} s; " +
          ", ".join(f"{k} {v:g}" for k, v in clean.items()))
    return record


README = RESULTS_DIR.parent / "README.md"
README_START, README_END = "<!-- results:start -->", "<!-- results:end -->"


def results_table(results: dict[str, dict]) -> str:
    """The README's results table: one row per lesson, its run time and key metrics (``{}``: no rows, total 0)."""
    if not isinstance(results, Mapping):
        raise TypeError(f"results must be a dict {{notebook: record}} (as read_results returns), "
                        f"not {type(results).__name__}.")
    for notebook, record in results.items():
        if not isinstance(record, Mapping) or not isinstance(record.get("metrics"), Mapping) or "seconds" not in record:
            raise ValueError(f"results[{notebook!r}] must be a record {{'seconds': ..., 'metrics': {{...}}}}: "
                             "pass the whole dict read_results returns, not one record.")
    lines = ["| lesson | run time | key metrics (accuracies and F1 as fractions; QA on SQuAD's 0-100 scale) |",
             "|---|---|---|"]
    for notebook, record in sorted(results.items()):
        metrics = ", ".join(f"{name} {value:g}" for name, value in record["metrics"].items())
        lines.append(f"| `{notebook}` | {record['seconds']:.0f} s | {metrics} |")
    total = sum(record["seconds"] for record in results.values())
    lines.append(f"| all | {total / 60:.1f} min | |")
    return "\n".join(lines) + "\n"


def update_readme(results_file: str | Path = RESULTS_DIR / "offline-quick.json", readme: str | Path = README) -> str:
    """Rewrite the block between the README's results markers from ``results_file``; return the table."""
    results = read_results(checks.existing_path("results_file", results_file, kind="file"))
    if not results:
        raise ValueError(f"results_file={str(results_file)!r} has no lesson records: run the notebooks first.")
    readme, table = checks.existing_path("readme", readme, kind="file"), results_table(results)
    text = readme.read_text(encoding="utf-8")
    if README_START not in text or README_END not in text:
        raise ValueError(f"{readme} has no {README_START} ... {README_END} block: add the two markers first.")
    if text.count(README_START) != 1 or text.count(README_END) != 1 or text.index(README_START) > text.index(README_END):
        raise ValueError(f"{readme} must have one {README_START} followed by one {README_END}: fix the markers.")
    head, rest = text.split(README_START)
    tail = rest.split(README_END)[1]
    readme.write_text(f"{head}{README_START}\n{table}{README_END}{tail}", encoding="utf-8")
    return table


if __name__ == "__main__":
    print(update_readme())
