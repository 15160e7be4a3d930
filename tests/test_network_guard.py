import socket
import subprocess
import sys

import netguard
import pytest


def test_outside_connection_is_blocked():
    with pytest.raises(netguard.NetworkBlockedError):
        socket.create_connection(("192.0.2.1", 443), timeout=1)  # TEST-NET-1: never routable
    assert netguard.attempts
    netguard.attempts.clear()


def test_name_lookup_is_blocked():
    with pytest.raises(netguard.NetworkBlockedError):
        socket.getaddrinfo("huggingface.co", 443)
    netguard.attempts.clear()


def test_loopback_is_allowed():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    with socket.create_connection(server.getsockname(), timeout=1):
        pass
    server.close()


def test_child_processes_are_guarded_too():
    code = "import socket; socket.create_connection(('192.0.2.1', 443), timeout=1)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode != 0
    assert "NetworkBlockedError" in result.stderr
