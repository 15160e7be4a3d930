"""The drift sentinel (tests/netguard/drift_sentinel.py) turns library deprecations into errors."""

from __future__ import annotations

import subprocess
import sys
import warnings

import pytest


def test_a_deprecation_raised_inside_a_library_is_an_error():
    with pytest.raises(FutureWarning, match="renamed"):
        warnings.warn_explicit("x was renamed", FutureWarning, "modeling_utils.py", 1, module="transformers.modeling")


def test_a_deprecation_at_our_call_site_is_an_error():
    with pytest.raises(DeprecationWarning, match="old API"):
        warnings.warn("old API", DeprecationWarning, stacklevel=1)  # attributed to this test module


def test_other_packages_keep_their_warnings():
    with warnings.catch_warnings(record=True) as caught:  # keeps the filters in force, records what passes
        warnings.warn_explicit("old", DeprecationWarning, "base.py", 1, module="sklearn.base")
    assert [str(w.message) for w in caught] == ["old"]


def test_kernels_and_other_child_processes_get_the_sentinel():
    """Children load it through tests/netguard/sitecustomize.py (on PYTHONPATH), as notebook kernels do."""
    code = "import warnings; warnings.warn('old API', DeprecationWarning)"  # module __main__, like a lesson cell
    child = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert child.returncode != 0 and "DeprecationWarning: old API" in child.stderr
