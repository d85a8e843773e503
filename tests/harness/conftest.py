"""Fixtures for the harness tests."""

import socket

import pytest


@pytest.fixture
def free_port():
    """A function returning a loopback TCP port nobody listens on."""
    def pick() -> int:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            return s.getsockname()[1]
    return pick
