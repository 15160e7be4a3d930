"""Colab set-up from one place: the repository address, every lesson's first cell, the README badges.

* :data:`REPO_URL`: where Colab clones the course from. **A fork changes this line**, then runs
  ``make student``: every lesson's first cell and student copy are rewritten from it, and a test
  checks that the README's badges point to the same repository.
* :func:`first_cell`: the source of the first code cell of every lesson (written by
  ``python -m course_utils.lesson_files``);
* :func:`finish_setup`: what that cell calls on Colab once the course is cloned: install the pinned
  requirements that Colab lacks, keep Colab's own torch (built for its GPU), go to ``notebooks/``;
* :func:`colab_url`: the "Open in Colab" address of a lesson's student copy.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from . import checks

REPO_URL = "https://github.com/bert-hands-on/bert-hands-on"
BRANCH = "main"
COURSE_DIR = "/content/bert-hands-on"
#: Requirements Colab keeps as it has them (torch: its CUDA build) or does not need (the test tools).
KEPT_FROM_COLAB = ("torch", "jupyterlab", "nbval", "pytest")
MARKER = ".colab-installed"


def first_cell() -> str:
    """The first code cell of every lesson: on Colab, clone the course and call :func:`finish_setup`."""
    return f'''# Colab set-up (the same in every lesson, written from course_utils/colab.py). On Colab it fetches
# the course and installs what Colab lacks, keeping Colab's own torch; anywhere else it does nothing.
import sys

if "google.colab" in sys.modules:
    import os
    import subprocess

    COURSE, REPO = "{COURSE_DIR}", "{REPO_URL}"
    if not os.path.isdir(COURSE):
        subprocess.run(["git", "clone", "--depth=1", REPO, COURSE], check=True)
    sys.path.insert(0, COURSE)
    from course_utils.colab import finish_setup

    finish_setup(COURSE)'''


def colab_requirements(requirements: str | Path) -> list[str]:
    """The pinned lines of ``requirements`` except those in :data:`KEPT_FROM_COLAB`."""
    path = checks.existing_path("requirements", requirements, kind="file")
    wanted = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#")[0].strip()
        if line and line.split("==")[0].strip().lower() not in KEPT_FROM_COLAB:
            wanted.append(line)
    if not wanted:
        raise ValueError(f"requirements={str(path)!r} lists nothing to install: pass the course's requirements.txt.")
    return wanted


def finish_setup(course: str | Path = COURSE_DIR) -> list[str] | None:
    """Install what Colab lacks (once per runtime), then make ``notebooks/`` the working folder.

    Returns the pip command it ran, or ``None`` when an earlier run had installed everything.
    """
    course = checks.existing_path("course", course, kind="dir")
    marker = course / MARKER
    command = None
    if not marker.is_file():
        wanted = colab_requirements(course / "requirements.txt")
        print(f"Colab: installing {len(wanted)} pinned packages, keeping Colab's torch: {' '.join(wanted)}")
        command = [sys.executable, "-m", "pip", "install", "-q", *wanted]
        subprocess.run(command, check=True)
        marker.write_text("installed by course_utils.colab.finish_setup\n", encoding="utf-8")
    os.chdir(course / "notebooks")
    return command


def colab_url(notebook: str) -> str:
    """The "Open in Colab" address of ``student/<notebook>`` in :data:`REPO_URL`."""
    name = checks.text("notebook", notebook)
    if not name.endswith(".ipynb") or "/" in name:
        raise ValueError(f"notebook={notebook!r} is not a lesson file name: pass e.g. '01_tokenization_by_hand.ipynb'.")
    repo = REPO_URL.removeprefix("https://github.com/")
    return f"https://colab.research.google.com/github/{repo}/blob/{BRANCH}/student/{name}"
