"""Can the management SSH of a real chassis be reached the way OpenSSH reaches it?

The address is resolved with ``ssh -G`` (aliases, ``HostName``, ``Port``, ``ProxyJump``,
``ProxyCommand`` of the user's ``~/.ssh/config`` and the testbed's ``ssh_options``), then the
system ``ssh`` itself is run with a short ``ConnectTimeout`` and ``BatchMode`` (it never asks
anything). Reaching the device's authentication step (``Permission denied``) proves the way
there works, jump hosts included; logging in is left to the session. The device's own host key
is not checked here (the session checks it against the harness's known_hosts file); a jump
host's host key is, by the user's own configuration, and an unknown one gets its own message.
"""

from __future__ import annotations

import subprocess
from collections.abc import Sequence

from drivers.errors import ConnectionFailed
from drivers.transports.ssh_config import resolve

#: What ``ssh`` prints once it talked to the device's SSH server (it got as far as logging in).
REACHED = ("permission denied", "too many authentication failures", "authentication failed", "no more authentication")
#: With the device's own key check off, a failed host key check can only be a jump host's.
JUMP_KEY = "host key verification failed"
PROBE_OPTIONS = (
    "-o",
    "BatchMode=yes",
    "-o",
    "StrictHostKeyChecking=no",
    "-o",
    "UserKnownHostsFile=/dev/null",
    "-o",
    "LogLevel=ERROR",
    "-T",
)


def ssh_unreachable(host: str, port: int, options: Sequence[str], timeout: float) -> str | None:
    """Why OpenSSH cannot reach ``host``:``port`` within ``timeout`` seconds, or None."""
    try:
        target = resolve(host, port, options)
    except ConnectionFailed as error:
        return str(error)
    argv = ["ssh", *options, *PROBE_OPTIONS, "-o", f"ConnectTimeout={max(1, int(timeout))}", "-p", str(port)]
    argv += [f"hil-preflight@{host}", "true"]
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout + 2, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return f"management SSH {_where(host, port, target)} did not answer within {timeout + 2:g} s"
    except OSError as error:
        return f"cannot run ssh ({error.strerror or error}); install openssh-client"
    said = done.stderr.lower()
    if done.returncode == 0 or any(word in said for word in REACHED):
        return None
    if JUMP_KEY in said and target.via_proxy:
        way = target.proxy_jump or target.proxy_command
        return (
            f"the host key of jump host {way} is not known to OpenSSH; run 'ssh {way.split(',')[0]}' once "
            "and accept it (or add it to ~/.ssh/known_hosts), then check again"
        )
    last = next((line.strip() for line in reversed(done.stderr.splitlines()) if line.strip()), "no reason given")
    return f"management SSH {_where(host, port, target)} is unreachable ({last})"


def _where(host: str, port: int, target) -> str:
    """``host:port`` as written, with what OpenSSH made of it when that differs."""
    written = f"{host}:{port}"
    resolved = f"{target.hostname}:{target.port}"
    way = f" via {target.proxy_jump or target.proxy_command}" if target.via_proxy else ""
    return written if resolved == written and not way else f"{written} ({resolved}{way})"
