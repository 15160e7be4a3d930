"""Every lesson executed in the online profile, against the local stand-in of the Hub (issue 13).

The kernels get ``HF_ENDPOINT`` = the stand-in on loopback, no ``HF_HUB_OFFLINE``, fresh caches,
quick sizes and ``BERT_COURSE_STANDIN=1`` (claims are printed as skipped: the stand-in's models are
small and random, so their numbers mean nothing). The network guard stays on in the kernels and
reports any attempt to reach another host to a file this test reads: the stand-in must be the only
endpoint contacted (``expected_blocked`` is the one lookup ``datasets`` always tries, of its dataset
viewer; it is blocked and ``datasets`` reads the repository's files, as it does on the real Hub).
"""

from __future__ import annotations

import time
from pathlib import Path

import nbformat
import pytest
from hub_standin.server import expected_blocked, online_env
from nbclient import NotebookClient
from netguard import LOG_ENV

pytest_plugins = ["hub_standin.fixtures"]  # the session fixture hub_standin, shared with test_hub_standin.py

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("[0-9][0-9]_*.ipynb"))


@pytest.fixture(scope="module")
def online_home(tmp_path_factory) -> Path:
    """One Hugging Face cache for all lessons, as a learner's machine has: each repo downloads once."""
    return tmp_path_factory.mktemp("online-home")


def outputs(nb) -> list[str]:
    texts = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if output["output_type"] == "stream":
                texts.append(output["text"])
            elif output["output_type"] in ("execute_result", "display_data"):
                texts.append(output["data"].get("text/plain", ""))
            elif output["output_type"] == "error":
                texts.append(f"{output['ename']}: {output['evalue']}")
    return texts


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_the_lesson_runs_online_against_the_hub_standin(path, hub_standin, online_home, tmp_path):
    blocked = tmp_path / "blocked.txt"
    env = online_env(hub_standin.url, online_home)
    env.update(BERT_COURSE_SIZE="quick", BERT_COURSE_STANDIN="1", **{LOG_ENV: str(blocked)})
    nb = nbformat.read(path, as_version=4)
    before = len(hub_standin.requests)
    start = time.perf_counter()
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute(
        env=env
    )
    seconds = time.perf_counter() - start
    shown = "\n".join(outputs(nb))
    print(f"{path.name}: {seconds:.0f} s online, {len(hub_standin.requests) - before} requests to the stand-in")
    assert f"Hugging Face Hub at {hub_standin.url}" in shown, "the lesson did not run in the online profile"
    assert "Could not load" not in shown, "a Hub dataset fell back to data/"
    assert "claim holds" not in shown and "claim does not hold" not in shown, "claims must be skipped here"
    tried = set(blocked.read_text().splitlines()) if blocked.exists() else set()
    assert tried <= expected_blocked(hub_standin.url), f"the kernel tried to reach another host: {tried}"
    assert len(hub_standin.requests) > before, "the lesson never asked the stand-in for anything"
