"""The lesson files themselves (for teachers and maintainers, not called by the lessons).

* :func:`hide_solutions`: solution cells (tagged ``solution``) are stored collapsed and without
  outputs, so the answer is not on screen before the learner has tried the exercise;
* :func:`student_copy`: the same notebook without its solution cells and without outputs, for
  ``student/`` (the Colab badges open those);
* :func:`with_colab_cell`: the first code cell rewritten from ``course_utils.colab.first_cell``.

``python -m course_utils.lesson_files`` does all three for every lesson (``make results`` and
``make student`` call it).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from . import checks
from .colab import first_cell

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
STUDENT = ROOT / "student"


def _is_solution(cell: dict) -> bool:
    return "solution" in cell.get("metadata", {}).get("tags", [])


def _read(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _check_notebook(notebook: Any) -> None:
    if not isinstance(notebook, dict):
        raise TypeError(
            f"notebook must be a notebook dict (json.loads of an .ipynb file), not {type(notebook).__name__}."
        )
    if not isinstance(notebook.get("cells"), list):
        raise ValueError(f"notebook has no list of 'cells' (it has {sorted(notebook)}): pass a whole .ipynb notebook.")


def _dump(notebook: dict) -> str:
    return json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"


def hide_solutions(notebook: dict) -> dict:
    """A copy of ``notebook`` whose solution cells are collapsed and carry no outputs."""
    _check_notebook(notebook)
    notebook = copy.deepcopy(notebook)
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code" and _is_solution(cell):
            cell["outputs"] = []
            cell["metadata"].setdefault("jupyter", {})["source_hidden"] = True
    return notebook


def student_copy(notebook: dict) -> dict:
    """A copy of ``notebook`` without solution cells and without any outputs or execution counts."""
    _check_notebook(notebook)
    notebook = copy.deepcopy(notebook)
    notebook["cells"] = [cell for cell in notebook["cells"] if not _is_solution(cell)]
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
    return notebook


def with_colab_cell(notebook: dict) -> dict:
    """A copy of ``notebook`` whose first code cell is the shared Colab set-up (:func:`colab.first_cell`)."""
    _check_notebook(notebook)
    notebook = copy.deepcopy(notebook)
    code = [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]
    if not code or "google.colab" not in "".join(code[0]["source"]):
        raise ValueError(
            "notebook's first code cell is not the Colab set-up: insert an empty code cell holding "
            "'google.colab' before the set-up cell, then run this again."
        )
    code[0]["source"] = first_cell().splitlines(keepends=True)
    return notebook


def write_all(notebooks: Path = NOTEBOOKS, student: Path = STUDENT) -> list[Path]:
    """Hide the solutions in every lesson in place and write its student copy; returns the copies.

    Refuses a ``notebooks`` folder without lessons and a ``student`` folder whose copies hold solutions or
    outputs (the arguments swapped would overwrite the lessons with their student copies).
    """
    notebooks = checks.existing_path("notebooks", notebooks, kind="dir")
    student = checks.output_path("student", student)
    if student.is_file():
        raise ValueError(f"student={str(student)!r} is a file: pass a folder.")
    lessons = sorted(notebooks.glob("[0-9][0-9]_*.ipynb"))
    if not lessons:
        raise ValueError(
            f"notebooks={str(notebooks)!r} has no lessons (NN_*.ipynb): pass the course's notebooks/ folder."
        )
    if student.resolve() == notebooks.resolve():
        raise ValueError("notebooks and student are the same folder: the student copies would replace the lessons.")
    for path in lessons:
        target = student / path.name
        if target.is_file() and _read(target) != student_copy(_read(target)):
            raise ValueError(
                f"{target} has solutions or outputs, so it is not a student copy: check that student "
                f"({str(student)!r}) is the student/ folder and notebooks the lessons' folder."
            )
    student.mkdir(parents=True, exist_ok=True)
    written = []
    for path in lessons:
        lesson = hide_solutions(with_colab_cell(_read(path)))
        path.write_text(_dump(lesson), encoding="utf-8")
        target = student / path.name
        target.write_text(_dump(student_copy(lesson)), encoding="utf-8")
        written.append(target)
    return written


if __name__ == "__main__":
    for copy_path in write_all():
        print("wrote", copy_path.relative_to(ROOT))
