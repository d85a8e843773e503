"""Where OpenSSH would really go: ``ssh -G`` resolves a host the way the client will, with the
user's ``~/.ssh/config`` (aliases, ``HostName``, ``Port``, ``ProxyJump``, ``ProxyCommand``) and
the testbed's extra options applied. Nothing is connected.
"""

from __future__ import annotations

import socket
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass

from drivers.errors import ConnectionFailed

#: ``ssh -G`` only reads configuration; it answers at once.
RESOLVE_TIMEOUT = 10.0


@dataclass(frozen=True)
class SshTarget:
    """A management address as OpenSSH resolves it."""

    hostname: str
    """The ``HostName`` OpenSSH connects to (an alias is replaced by it)."""
    port: int
    proxy_jump: str
    """``ProxyJump`` hosts, comma-separated, or ``""``."""
    proxy_command: str
    """``ProxyCommand`` or ``""``."""

    @property
    def via_proxy(self) -> bool:
        """True when the address is reached through a jump host or a proxy command."""
        return bool(self.proxy_jump or self.proxy_command)

    def identity(self) -> str:
        """One name per device: the resolved address and port, plus the way there.

        ``localhost`` and ``127.0.0.1`` give the same identity; two devices with the same
        private address behind different jump hosts give different ones. Behind a proxy the
        name is kept as written (it resolves on the far side, not here).
        """
        address = self.hostname if self.via_proxy else _address_of(self.hostname)
        way = f" via {self.proxy_jump}" if self.proxy_jump else ""
        way += f" via command {self.proxy_command}" if self.proxy_command else ""
        return f"{address}:{self.port}{way}"


def resolve(host: str, port: int | None = None, options: Sequence[str] = ()) -> SshTarget:
    """Ask ``ssh -G`` how it would reach ``host``; :class:`ConnectionFailed` when it cannot say."""
    argv = ["ssh", "-G", *options]
    argv += ["-p", str(port)] if port else []
    try:
        done = subprocess.run(
            [*argv, host], capture_output=True, text=True, timeout=RESOLVE_TIMEOUT, stdin=subprocess.DEVNULL
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ConnectionFailed(f"cannot run 'ssh -G {host}': {exc}; install openssh-client") from None
    if done.returncode != 0:
        why = (done.stderr.strip().splitlines() or ["no reason given"])[-1]
        raise ConnectionFailed(f"OpenSSH cannot use the address {host!r}: {why}; check ssh_options and ~/.ssh/config")
    return parse_config(done.stdout)


def parse_config(text: str) -> SshTarget:
    """The fields of ``ssh -G`` output (``keyword value`` lines) that say where ssh goes."""
    values: dict[str, str] = {}
    for line in text.splitlines():
        keyword, _, value = line.partition(" ")
        values.setdefault(keyword.lower(), value.strip())
    proxy_command = values.get("proxycommand", "")
    return SshTarget(
        values.get("hostname", ""),
        int(values.get("port", "22") or 22),
        "" if values.get("proxyjump", "none") == "none" else values["proxyjump"],
        "" if proxy_command == "none" else proxy_command,
    )


def _address_of(hostname: str) -> str:
    """The first address ``hostname`` resolves to here, or the name itself when it does not."""
    try:
        infos = socket.getaddrinfo(hostname, None, type=socket.SOCK_STREAM)
    except OSError:
        return hostname
    addresses = sorted({str(info[4][0]) for info in infos})
    loopback = [a for a in addresses if a in ("127.0.0.1", "::1")]
    return loopback[0] if loopback else addresses[0]
