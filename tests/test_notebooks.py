"""Structure of the lessons (nbval executes them; these checks keep them consistent)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def source(cell: dict) -> str:
    return "".join(cell["source"])


def test_the_course_has_its_lessons_in_order():
    numbers = [int(path.name[:2]) for path in NOTEBOOKS]
    assert numbers == list(range(1, len(numbers) + 1)) and len(numbers) >= 2


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_first_code_cell_is_the_shared_colab_setup(path):
    code = [source(c) for c in cells(path) if c["cell_type"] == "code"]
    first_of_all = [source(c) for c in cells(NOTEBOOKS[0]) if c["cell_type"] == "code"][0]
    assert code[0] == first_of_all and "google.colab" in code[0]
    assert "show_setup(" in code[1]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_executed_without_errors(path):
    code = [c for c in cells(path) if c["cell_type"] == "code"]
    assert all(c["execution_count"] for c in code), "run the notebook before committing it"
    errors = [o for c in code for o in c["outputs"] if o["output_type"] == "error"]
    assert errors == []
    setup_output = "".join("".join(o.get("text", "")) for o in code[1]["outputs"])
    assert "Profile: OFFLINE" in setup_output, "commit notebooks executed in the offline profile"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_exercises_have_solutions_teachers_can_strip(path):
    solutions = [c for c in cells(path) if "solution" in c.get("metadata", {}).get("tags", [])]
    assert len(solutions) >= (2 if int(path.name[:2]) <= 2 else 3)
    assert all(source(c).startswith("# solution") for c in solutions)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_code_cell_is_introduced_by_prose(path):
    all_cells = cells(path)
    for index, cell in enumerate(all_cells[1:], start=1):
        if cell["cell_type"] == "code" and not source(cell).startswith("# solution"):
            previous = all_cells[index - 1]
            intro = previous["cell_type"] == "markdown"
            assert intro, f"cell {index} has no explanation before it:\n{source(cell)[:80]}"


#: The core mechanism each lesson shows as code: the lesson prints the package's own source, so what
#: the learner reads is exactly what runs (d2l's "#@save" idea, one way everywhere).
CORE_CODE = {
    "01_tokenization_by_hand.ipynb": "BertTokenizerFromScratch.wordpiece_steps",
    "06_fine_tuning.ipynb": "train_loop",
    "08_question_answering.ipynb": "span_candidates",
    "09_ner.ipynb": "align_labels",
}


@pytest.mark.parametrize(("name", "function"), sorted(CORE_CODE.items()))
def test_lessons_show_the_core_code_they_run(name, function):
    path = next(p for p in NOTEBOOKS if p.name == name)
    shown = [c for c in cells(path) if c["cell_type"] == "code" and f"inspect.getsource({function})" in source(c)]
    assert shown, f"{name} should print inspect.getsource({function})"
    printed = "".join("".join(o.get("text", "")) for o in shown[0]["outputs"])
    assert f"def {function.split('.')[-1]}(" in printed, "execute the notebook: the printed source is missing"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_solutions_are_collapsed_and_stored_without_outputs(path):
    """The answer is not on screen before the learner tries: no stored output, source collapsed."""
    for cell in cells(path):
        if "solution" in cell.get("metadata", {}).get("tags", []):
            assert cell["outputs"] == [], "run python -m course_utils.lesson_files after executing the notebook"
            assert cell["metadata"].get("jupyter", {}).get("source_hidden") is True


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_student_copies_are_in_sync(path):
    from course_utils.lesson_files import STUDENT, student_copy

    copy_path = STUDENT / path.name
    assert copy_path.is_file(), "make student writes student/ (committed)"
    expected = student_copy(json.loads(path.read_text(encoding="utf-8")))
    assert json.loads(copy_path.read_text(encoding="utf-8")) == expected, "student/ is stale: run make student"
