"""The test suite's network guard: any socket to a non-loopback address raises.

``tests/conftest.py`` installs it in the pytest process and puts this folder on
``PYTHONPATH`` so that notebook kernels load it too (through ``sitecustomize``).
"""

from __future__ import annotations

import ipaddress
import os
import socket

attempts: list[str] = []
LOG_ENV = "NETGUARD_LOG"  # a file that every blocked attempt is also appended to
_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex
_real_getaddrinfo = socket.getaddrinfo
_LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", ""}


class NetworkBlockedError(RuntimeError):
    """Raised instead of opening a connection to the outside world during tests."""


def _is_local(host: object) -> bool:
    if host is None:
        return True
    if isinstance(host, bytes):
        host = host.decode()
    host = str(host).split("%")[0]
    if host.lower() in _LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _block(what: str) -> None:
    attempts.append(what)
    log = os.environ.get(LOG_ENV)
    if log:  # a child process (a kernel) reports its attempts to the test that started it
        with open(log, "a", encoding="utf-8") as file:
            file.write(what + "\n")
    raise NetworkBlockedError(f"tests may not use the network: blocked {what}")


def _guard_address(sock: socket.socket, address: object) -> None:
    if sock.family in (socket.AF_INET, socket.AF_INET6) and not _is_local(address[0]):  # type: ignore[index]
        _block(f"connect to {address!r}")


def _connect(self: socket.socket, address: object) -> None:
    _guard_address(self, address)
    return _real_connect(self, address)


def _connect_ex(self: socket.socket, address: object) -> int:
    _guard_address(self, address)
    return _real_connect_ex(self, address)


def _getaddrinfo(host, *args, **kwargs):
    if not _is_local(host):
        _block(f"name lookup of {host!r}")
    return _real_getaddrinfo(host, *args, **kwargs)


def install() -> None:
    socket.socket.connect = _connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _connect_ex  # type: ignore[method-assign]
    socket.getaddrinfo = _getaddrinfo
