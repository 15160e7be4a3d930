"""Claims checked by the run, and the results record every lesson writes."""

from __future__ import annotations

import json

import numpy as np
import pytest

from course_utils import claims, results
from course_utils.profiles import show_setup


def test_a_true_claim_prints_its_numbers(capsys):
    claims.claim("fine-tuning beats frozen features", 0.9 > 0.8, fine_tuned=0.9, frozen=0.8)
    assert capsys.readouterr().out == "claim holds: fine-tuning beats frozen features (fine_tuned 0.9, frozen 0.8)\n"


def test_a_false_claim_stops_the_run():
    with pytest.raises(claims.ClaimError, match=r"does not hold.*\(a 0.7, b 0.8\)"):
        claims.claim("a beats b", 0.7 > 0.8, a=0.7, b=0.8)


def test_a_numpy_comparison_is_a_claim(capsys):
    """Metrics often come back as numpy scalars: ``np.float64(0.9) > 0.8`` is a ``numpy.bool``."""
    claims.claim("a beats b", np.float64(0.9) > 0.8, a=np.float64(0.9), b=0.8)
    assert capsys.readouterr().out.startswith("claim holds: a beats b")
    with pytest.raises(claims.ClaimError):
        claims.claim("a beats b", np.float64(0.7) > 0.8, a=0.7, b=0.8)


def test_claims_are_skipped_on_stand_in_models(monkeypatch, capsys):
    monkeypatch.setenv(claims.STANDIN_ENV, "1")
    claims.claim("a beats b", False, a=0.1)
    assert "claim skipped (stand-in models): a beats b" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        (("", True), {}, "statement"),
        (("x", 1), {}, "holds must be a bool"),
        (("x", True), {"a": "0.5"}, "a='0.5' must be a real number"),
        (("x", True), {"a": float("nan")}, "a=nan"),
    ],
)
def test_claim_rejects_bad_input(args, kwargs, message):
    with pytest.raises(TypeError, match=message):
        claims.claim(*args, **kwargs)


def test_record_results_writes_one_entry_per_notebook(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(results.RESULTS_ENV, str(tmp_path))
    show_setup(roles=())
    results.record_results("07_nli", accuracy=0.78123456, zero_shot_accuracy=0.7)
    results.record_results("06_fine_tuning", trainer_accuracy=0.9)
    stored = json.loads((tmp_path / "offline-quick.json").read_text())
    assert list(stored) == ["06_fine_tuning", "07_nli"]
    assert stored["07_nli"]["metrics"] == {"accuracy": 0.7812, "zero_shot_accuracy": 0.7}
    assert stored["07_nli"]["seconds"] >= 0
    assert "recorded in" in capsys.readouterr().out
    with pytest.raises(ValueError, match="file stem"):
        results.record_results("lesson seven", accuracy=0.5)
    with pytest.raises(TypeError, match="accuracy=None"):
        results.record_results("07_nli", accuracy=None)


def test_the_readme_results_table_is_generated_from_the_committed_record():
    record = results.read_results(results.RESULTS_DIR / "offline-quick.json")
    assert record, "results/offline-quick.json is missing: run the notebooks (make results)"
    readme = results.README.read_text(encoding="utf-8")
    block = readme.split(results.README_START)[1].split(results.README_END)[0]
    assert block.strip() == results.results_table(record).strip(), (
        "README.md's results table differs from results/offline-quick.json: run python -m course_utils.results"
    )


def test_update_readme_needs_its_markers(tmp_path):
    (tmp_path / "r.json").write_text(json.dumps({"07_nli": {"seconds": 60.0, "metrics": {"accuracy": 0.8}}}))
    readme = tmp_path / "README.md"
    readme.write_text(f"intro\n{results.README_START}\nold\n{results.README_END}\nend\n")
    table = results.update_readme(tmp_path / "r.json", readme)
    assert "| `07_nli` | 60 s | accuracy 0.8 |" in table and readme.read_text().endswith(f"{results.README_END}\nend\n")
    readme.write_text("no markers")
    with pytest.raises(ValueError, match="markers"):
        results.update_readme(tmp_path / "r.json", readme)
