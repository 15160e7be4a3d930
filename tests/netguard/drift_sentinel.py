"""The drift sentinel: deprecations from the libraries the course calls are errors under test.

A ``DeprecationWarning`` or ``FutureWarning`` is an error when it is raised inside torch,
transformers, datasets, huggingface_hub or sentence-transformers, or attributed (through the
library's ``stacklevel``) to the call site in our code: course_utils, a lesson's cell
(``__main__`` in a kernel) or a test. Warnings of other packages (jupyter, zmq, ...) keep their
default handling. ``tests/conftest.py`` adds these filters to pytest's; ``sitecustomize`` installs
them in every kernel the tests start.
"""

from __future__ import annotations

import warnings

LIBRARIES = ("torch", "transformers", "datasets", "huggingface_hub", "sentence_transformers")
OUR_CODE = ("__main__", "course_utils", r"test_\w+", "conftest", "bad_input")
#: module regex (matched at the start of the module a warning is attributed to)
WATCHED = rf"({'|'.join(OUR_CODE + LIBRARIES)})(\.|$)"
CATEGORIES = (DeprecationWarning, FutureWarning)


def pytest_filters() -> list[str]:
    """The filters as pytest ``filterwarnings`` lines."""
    return [f"error::{category.__name__}:{WATCHED}" for category in CATEGORIES]


def install() -> None:
    """Make the watched warnings errors in this process."""
    for category in CATEGORIES:
        warnings.filterwarnings("error", category=category, module=WATCHED)
