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
    monkeypatch.setenv(results.NO_BANDS_ENV, "1")  # made-up numbers, far from the committed run's
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


# Regression bands ----------------------------------------------------------------------------


def test_committed_bands_are_generated_from_the_committed_run():
    committed = json.loads(results.BANDS_FILE.read_text())
    assert committed == results.make_bands(results.read_results(results.RESULTS_DIR / "offline-quick.json"))
    assert set(committed) == set(results.BAND_BASIS)  # every lesson with quality metrics has its bands


def test_a_metric_outside_its_band_fails_the_lesson_with_names_and_numbers(tmp_path, monkeypatch):
    monkeypatch.setenv(results.RESULTS_ENV, str(tmp_path))
    monkeypatch.delenv(results.NO_BANDS_ENV, raising=False)
    show_setup(roles=())
    bands = json.loads(results.BANDS_FILE.read_text())["07_nli"]["accuracy"]
    results.record_results("07_nli", accuracy=bands["reference"])  # the committed value passes
    with pytest.raises(AssertionError, match=r"07_nli: accuracy = 0.5 is outside its band 0\.\d+ to 0\.\d+ "
                       r"\(reference 0\.\d+, \+-3 standard errors on 615 items of nli/test\)"):
        results.record_results("07_nli", accuracy=0.5)
    results.record_results("07_nli", train_seconds=1e6)  # run times have no band


def test_band_is_three_standard_errors():
    low, high = results.band(0.8, 400)  # se = sqrt(0.8 * 0.2 / 400) = 0.02
    assert (low, high) == (pytest.approx(0.74), pytest.approx(0.86))
    assert results.band(50.0, 100, scale=100.0) == (35.0, 65.0)
    assert results.band(1.0, 1000) == (0.995, 1.0)  # at least +-0.005, never above 1
    low, high = results.band(0.6, 103, kind="correlation")  # Fisher z: atanh(0.6) +- 3 / sqrt(100)
    assert (low, high) == (pytest.approx(np.tanh(np.arctanh(0.6) - 0.3), abs=1e-4),
                           pytest.approx(np.tanh(np.arctanh(0.6) + 0.3), abs=1e-4))


def test_band_bases_are_counted_from_the_data():
    assert results.basis_size("sentiment/test") == 872
    per_type = [results.basis_size(f"ner/test:{kind}") for kind in ("PER", "ORG", "LOC", "MISC")]
    assert sum(per_type) == results.basis_size("ner/test:ALL")
    assert results.basis_size("qa/validation:quick") == 300
    with pytest.raises(ValueError, match="basis='sentiment/dev' names no file of data/"):
        results.basis_size("sentiment/dev")
