"""A loopback HTTP server that answers the Hugging Face Hub API subset the real clients use.

Point ``HF_ENDPOINT`` at :func:`start`'s URL and ``huggingface_hub``, ``transformers``, ``datasets``
and ``sentence-transformers`` download the repositories that ``build.build`` wrote. Served:

* ``HEAD``/``GET /{repo}/resolve/{rev}/{path}`` and ``/datasets/{repo}/resolve/{rev}/{path}``
  (``ETag``, ``X-Repo-Commit``, ``Content-Length``; ``Range`` requests get 206);
* ``GET /api/{models,datasets}/{repo}`` and ``.../revision/{rev}`` (repo info with ``sha`` and ``siblings``);
* ``GET /api/{models,datasets}/{repo}/tree/{rev}[/{path}]`` (``recursive`` supported, one page);
* ``POST /api/{models,datasets}/{repo}/paths-info/{rev}`` (form or JSON ``paths``).

Anything else is a 404 with the Hub's ``X-Error-Code`` (``RepoNotFound``, ``RevisionNotFound``,
``EntryNotFound``) so that clients fail clearly. Every request is recorded in ``server.requests``,
every error answer also in ``server.misses`` with its status and error code (clients probe optional
files, so ``EntryNotFound`` misses are normal).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import mimetypes
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from . import build

LFS_SUFFIXES = (".safetensors", ".parquet")  # stored in LFS on the Hub (see the repos' .gitattributes)
LAST_MODIFIED = "2024-01-01T00:00:00.000Z"


@dataclass(frozen=True)
class Entry:
    """One file of a served revision: its bytes on disk and the ids the Hub would give it."""

    path: str
    file: Path
    size: int
    oid: str  # git blob sha1
    sha256: str

    @property
    def lfs(self) -> bool:
        return self.path.endswith(LFS_SUFFIXES)

    @property
    def etag(self) -> str:
        return self.sha256 if self.lfs else self.oid

    def info(self) -> dict:
        info = {"type": "file", "oid": self.oid, "size": self.size, "path": self.path}
        if self.lfs:
            info["lfs"] = {"oid": self.sha256, "size": self.size, "pointerSize": 134}
        return info


@dataclass(frozen=True)
class Revision:
    """One served revision of one repository: its files by path and a commit sha derived from them."""

    repo_type: str
    repo_id: str
    branch: str
    sha: str
    files: dict[str, Entry]

    def folders(self) -> set[str]:
        return {"/".join(p.split("/")[:i]) for p in self.files for i in range(1, p.count("/") + 1)}

    def info(self, path: str) -> dict | None:
        if path in self.files:
            return self.files[path].info()
        if path in self.folders():
            return {"type": "directory", "oid": hashlib.sha1(f"{self.sha}:{path}".encode()).hexdigest(), "path": path}
        return None


def _scan(root: Path, repo_type: str, repo_id: str, branch: str) -> Revision:
    base = build.repo_dir(root, repo_type, repo_id, branch)
    files, commit = {}, hashlib.sha1(f"{repo_type}/{repo_id}@{branch}".encode())
    for file in sorted(p for p in base.rglob("*") if p.is_file()):
        data = file.read_bytes()
        path = file.relative_to(base).as_posix()
        oid = hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()
        files[path] = Entry(path, file, len(data), oid, hashlib.sha256(data).hexdigest())
        commit.update(f"{path}:{oid}\n".encode())
    return Revision(repo_type, repo_id, branch, commit.hexdigest(), files)


class HubError(Exception):
    """A Hub-style error answer: status, ``X-Error-Code`` and message."""

    def __init__(self, code: str | None, message: str, status: int = 404, commit: str | None = None):
        super().__init__(message)
        self.code, self.message, self.status, self.commit = code, message, status, commit


class StandinHub(ThreadingHTTPServer):
    """The HTTP server: the served revisions, ``requests`` (method, path), ``misses`` (method, path, status, code)."""

    daemon_threads = True

    def __init__(self, root: Path):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.revisions = [_scan(Path(root), *repo) for repo in build.REPOS]
        self.requests: list[tuple[str, str]] = []
        self.misses: list[tuple[str, str, int, str | None]] = []
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def record(self, method: str, path: str) -> None:
        with self._lock:
            self.requests.append((method, path))

    def record_miss(self, method: str, path: str, status: int, code: str | None) -> None:
        with self._lock:
            self.misses.append((method, path, status, code))

    def revision(self, repo_type: str, repo_id: str, rev: str) -> Revision:
        """The revision ``rev`` (branch name or commit sha) of a repository, or a Hub-style error."""
        candidates = [r for r in self.revisions if r.repo_type == repo_type and r.repo_id == repo_id]
        if not candidates:
            raise HubError("RepoNotFound", "Repository not found")
        for candidate in candidates:
            if rev in (candidate.branch, candidate.sha):
                return candidate
        raise HubError("RevisionNotFound", f"Invalid rev id: {rev}")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: StandinHub

    def log_message(self, format: str, *args) -> None:  # quiet: the request log is server.requests
        pass

    def do_HEAD(self) -> None:
        self._answer(body=False)

    def do_GET(self) -> None:
        self._answer(body=True)

    def do_POST(self) -> None:
        self._answer(body=True)

    def _answer(self, body: bool) -> None:
        self.server.record(self.command, self.path)
        # read any request body first, so that an error answer leaves the kept-alive connection clean
        self.posted = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
        try:
            self._route(body)
        except HubError as error:
            self.server.record_miss(self.command, self.path, error.status, error.code)
            headers = {"X-Error-Message": error.message}
            if error.code:
                headers["X-Error-Code"] = error.code
            if error.commit:
                headers["X-Repo-Commit"] = error.commit
            self._send(error.status, json.dumps({"error": error.message}).encode(), headers, body, "application/json")

    def _route(self, body: bool) -> None:
        url = urlsplit(self.path)
        parts = url.path.strip("/").split("/")  # still quoted: a revision may hold an encoded "/"
        query = parse_qs(url.query)
        if parts[0] == "api" and len(parts) >= 4 and parts[1] in ("models", "datasets"):
            return self._api(parts[1][:-1], "/".join(parts[2:4]), parts[4:], query, body)
        repo_type, rest = ("dataset", parts[1:]) if parts[0] == "datasets" else ("model", parts)
        if len(rest) >= 5 and rest[2] == "resolve" and self.command in ("GET", "HEAD"):
            return self._resolve(repo_type, "/".join(rest[:2]), unquote(rest[3]), unquote("/".join(rest[4:])), body)
        raise HubError(None, f"Sorry, the Hub stand-in does not serve {self.command} {url.path}")

    def _resolve(self, repo_type: str, repo_id: str, rev: str, path: str, body: bool) -> None:
        revision = self.server.revision(repo_type, repo_id, rev)
        entry = revision.files.get(path)
        if entry is None:
            raise HubError("EntryNotFound", f"{path} does not exist on \"{rev}\"", commit=revision.sha)
        data = entry.file.read_bytes()
        headers = {"ETag": f'"{entry.etag}"', "X-Repo-Commit": revision.sha, "Accept-Ranges": "bytes"}
        if entry.lfs:
            headers.update({"X-Linked-Etag": f'"{entry.sha256}"', "X-Linked-Size": str(entry.size)})
        status, span = 200, self.headers.get("Range")
        if span and span.startswith("bytes="):
            start_text, _, end_text = span[len("bytes="):].partition("-")
            start = int(start_text) if start_text else max(0, entry.size - int(end_text))
            end = min(int(end_text), entry.size - 1) if start_text and end_text else entry.size - 1
            if start >= entry.size:
                raise HubError(None, "Requested range not satisfiable", status=416)
            data, status = data[start : end + 1], 206
            headers["Content-Range"] = f"bytes {start}-{end}/{entry.size}"
        content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
        self._send(status, data, headers, body, content_type)

    def _api(self, repo_type: str, repo_id: str, rest: list[str], query: dict, body: bool) -> None:
        if not rest:
            revision = self.server.revision(repo_type, repo_id, "main")
            return self._json(self._repo_info(revision), body)
        action, rev, path = rest[0], unquote(rest[1]) if len(rest) > 1 else "main", unquote("/".join(rest[2:]))
        if (action, self.command) not in (("revision", "GET"), ("tree", "GET"), ("paths-info", "POST")):
            raise HubError(None, f"Sorry, the Hub stand-in does not serve {self.command} {self.path}")
        revision = self.server.revision(repo_type, repo_id, rev)
        if action == "revision":
            return self._json(self._repo_info(revision), body)
        if action == "tree":
            return self._json(self._tree(revision, path, query.get("recursive", ["false"])[0] == "true"), body)
        infos = [revision.info(p.strip("/")) for p in self._posted_paths()]
        return self._json([info for info in infos if info is not None], body)

    def _posted_paths(self) -> list[str]:
        if "json" in (self.headers.get("Content-Type") or ""):
            paths = json.loads(self.posted or "{}").get("paths", [])
            return [paths] if isinstance(paths, str) else paths
        return parse_qs(self.posted).get("paths", [])

    @staticmethod
    def _repo_info(revision: Revision) -> dict:
        info = {
            "_id": revision.sha[:24],
            "id": revision.repo_id,
            "author": revision.repo_id.split("/")[0],
            "sha": revision.sha,
            "lastModified": LAST_MODIFIED,
            "createdAt": LAST_MODIFIED,
            "private": False,
            "gated": False,
            "disabled": False,
            "downloads": 0,
            "likes": 0,
            "tags": [],
            "siblings": [{"rfilename": path} for path in revision.files],
        }
        if revision.repo_type == "model":
            info.update(modelId=revision.repo_id, library_name="transformers")
        return info

    @staticmethod
    def _tree(revision: Revision, path: str, recursive: bool) -> list[dict]:
        path = path.strip("/")
        if path and path not in revision.folders():
            raise HubError("EntryNotFound", f"{path} is not a folder on \"{revision.branch}\"", commit=revision.sha)
        prefix = f"{path}/" if path else ""
        below = [p for p in sorted(revision.folders() | set(revision.files)) if p.startswith(prefix)]
        return [revision.info(p) for p in below if recursive or "/" not in p[len(prefix):]]

    def _json(self, value: object, body: bool) -> None:
        self._send(200, json.dumps(value).encode(), {}, body, "application/json")

    def _send(self, status: int, data: bytes, headers: dict, body: bool, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if body:
            self.wfile.write(data)


def start(root: Path) -> tuple[str, StandinHub]:
    """Serve the repositories built under ``root`` on a free loopback port: ``(url, server)``; stop with
    ``server.shutdown()``."""
    server = StandinHub(Path(root))
    threading.Thread(target=server.serve_forever, name="hub-standin", daemon=True).start()
    return server.url, server


@contextlib.contextmanager
def serving(root: Path) -> Iterator[tuple[str, StandinHub]]:
    """:func:`start` as a context manager that shuts the server down afterwards."""
    url, server = start(root)
    try:
        yield url, server
    finally:
        server.shutdown()
        server.server_close()


def online_env(url: str, home: Path) -> dict[str, str]:
    """The environment of a child process that uses the stand-in as the Hub, with fresh caches in ``home``.

    Keeps ``PYTHONPATH`` (and so the test suite's network guard). ``HF_UPDATE_DOWNLOAD_COUNTS=0`` stops
    ``datasets`` from pinging its download counter on s3.amazonaws.com, which is no part of the Hub.
    """
    env = {k: v for k, v in os.environ.items() if k != "HF_HUB_OFFLINE"}
    env.update(
        HF_ENDPOINT=url,
        HF_HOME=str(home / "hf-home"),
        HF_DATASETS_CACHE=str(home / "hf-datasets"),
        HF_UPDATE_DOWNLOAD_COUNTS="0",
        HF_HUB_DISABLE_PROGRESS_BARS="1",
        HF_HUB_DISABLE_TELEMETRY="1",
        TOKENIZERS_PARALLELISM="false",
    )
    return env


def expected_blocked(url: str) -> set[str]:
    """The network guard's entries that the real clients cause against the stand-in at ``url``, by design.

    ``datasets`` asks its dataset viewer at ``datasets-server.`` + the endpoint's host for exported infos
    before it reads a repository on ``main``; for the stand-in that name is no loopback address, so the
    guard blocks the lookup and ``datasets`` goes on with the repository's own files.
    """
    return {f"name lookup of {'datasets-server.' + urlsplit(url).hostname!r}"}
