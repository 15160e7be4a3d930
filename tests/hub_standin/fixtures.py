"""Session fixtures that build the stand-in Hub once and serve it, for any test module.

Use them with ``pytest_plugins = ["hub_standin.fixtures"]`` in a test module (pytest puts ``tests/`` on
``sys.path``; every module that does so shares one build and one server), then run the real clients in a
child process (or a notebook kernel) with ``server.online_env(hub_standin.url, tmp_path)``: ``huggingface_hub``
reads ``HF_ENDPOINT`` and ``HF_HUB_OFFLINE`` when imported, and the test process itself is offline.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from . import build, server


@pytest.fixture(scope="session")
def hub_standin(tmp_path_factory) -> Iterator[server.StandinHub]:
    """The running stand-in server (``.url``, ``.requests``, ``.misses``), its repos built into a temp dir."""
    root = tmp_path_factory.mktemp("hub-standin")
    build.build(root)
    with server.serving(root) as (_, hub):
        yield hub


@pytest.fixture(scope="session")
def hub_standin_url(hub_standin) -> str:
    """The stand-in's URL, e.g. ``http://127.0.0.1:40123``: the value for ``HF_ENDPOINT``."""
    return hub_standin.url
