"""The lesson files themselves (for teachers and maintainers, not called by the lessons).

* :func:`hide_solutions`: solution cells (tagged ``solution``) are stored collapsed and without
  outputs, so the answer is not on screen before the learner has tried the exercise;
* :func:`student_copy`: the same notebook without its solution cells and without outputs, for
  ``student/`` (the Colab badges open those).

``python -m course_utils.lesson_files`` does both for every lesson (``make results`` and
``make student`` call it).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
STUDENT = ROOT / "student"


def _is_solution(cell: dict) -> bool:
    return "solution" in cell.get("metadata", {}).get("tags", [])


def _read(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _dump(notebook: dict) -> str:
    return json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"


def hide_solutions(notebook: dict) -> dict:
    """A copy of ``notebook`` whose solution cells are collapsed and carry no outputs."""
    notebook = copy.deepcopy(notebook)
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code" and _is_solution(cell):
            cell["outputs"] = []
            cell["metadata"].setdefault("jupyter", {})["source_hidden"] = True
    return notebook


def student_copy(notebook: dict) -> dict:
    """A copy of ``notebook`` without solution cells and without any outputs or execution counts."""
    notebook = copy.deepcopy(notebook)
    notebook["cells"] = [cell for cell in notebook["cells"] if not _is_solution(cell)]
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
    return notebook


def write_all(notebooks: Path = NOTEBOOKS, student: Path = STUDENT) -> list[Path]:
    """Hide the solutions in every lesson in place and write its student copy; returns the copies."""
    student.mkdir(exist_ok=True)
    written = []
    for path in sorted(notebooks.glob("[0-9][0-9]_*.ipynb")):
        lesson = hide_solutions(_read(path))
        path.write_text(_dump(lesson), encoding="utf-8")
        target = student / path.name
        target.write_text(_dump(student_copy(lesson)), encoding="utf-8")
        written.append(target)
    return written


if __name__ == "__main__":
    for copy_path in write_all():
        print("wrote", copy_path.relative_to(ROOT))
