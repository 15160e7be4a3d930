"""Bad input to the course-level helpers: Colab set-up, regression bands, lesson files' first cell."""

from __future__ import annotations

import pytest
from bad_input import Fixture, case, run_case

from course_utils import colab, lesson_files, results

CASES = [
    case(colab.colab_url, "notebooks/01_tokenization_by_hand.ipynb", error=ValueError, match="not a lesson file name"),
    case(colab.colab_url, 1, error=TypeError, match="notebook must be a str"),
    case(colab.colab_requirements, "/nonexistent/requirements.txt", error=FileNotFoundError,
         match="requirements='/nonexistent/requirements.txt' does not exist"),
    case(colab.finish_setup, "/nonexistent/course", error=FileNotFoundError, match="course='/nonexistent/course'"),
    case(lesson_files.with_colab_cell, {"cells": [{"cell_type": "code", "source": ["print(1)"]}]}, error=ValueError,
         match="first code cell is not the Colab set-up"),
    case(lesson_files.with_colab_cell, "notebooks/01.ipynb", error=TypeError, match="notebook must be a notebook dict"),
    case(results.basis_size, "sentiment/dev", error=ValueError, match="names no file of data/"),
    case(results.basis_size, "", error=ValueError, match="basis is empty"),
    case(results.band, 0.8, 2, error=ValueError, match="n=2"),
    case(results.band, 1.5, 100, error=ValueError, match="value=1.5"),
    case(results.band, 0.8, 100, kind="ratio", error=ValueError, match="kind='ratio'"),
    case(results.band, 0.8, 100, scale=10.0, error=ValueError, match="scale=10.0"),
    case(results.make_bands, [("07_nli", {})], error=TypeError, match="results must be a dict"),
    case(results.check_bands, "07_nli", [0.5], error=TypeError, match="metrics must be a dict"),
    case(results.check_bands, "07_nli", {"accuracy": 0.5}, bands_file="/nonexistent/bands.json",
         error=FileNotFoundError, match="does not exist"),
    case(results.write_bands, Fixture("tmp_path"), error=ValueError, match="is a folder"),
    case(results.write_readme_block, "results", "| a |\n", readme="/nonexistent/README.md", error=FileNotFoundError,
         match="readme='/nonexistent/README.md' does not exist"),
    case(results.write_readme_block, "", "| a |\n", error=ValueError, match="name is empty"),
]


@pytest.mark.parametrize(("func", "args", "kwargs", "error", "match"), CASES)
def test_bad_input(request, func, args, kwargs, error, match):
    run_case(request, func, args, kwargs, error, match)
