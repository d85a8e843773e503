"""The control channel's wire protocol and its client: one JSON object per line each way.

A request is ``{"op": ..., "token": ..., **arguments}``; the answer is ``{"ok": true, ...}`` or
``{"ok": false, "error": ...}``. Every request carries the ``token`` the emulator printed on its
JSON line. Ops: ``status``, ``power`` {msm, action: on|off|cycle}, ``set_version`` {msm, version,
partition, reboot}, ``backup_down``, ``events`` {since} (each state change with its wall time
``t`` and its ``lab`` time, the chassis's own clock in real-chassis seconds), ``tftp`` {port},
``release_without_sync`` {msm, version}, and the faults
(``stall_checkpoint``, ..., ``clear_faults``).

This module stands alone (standard library only): the harness imports it without loading the
emulator, and the emulator's server (:mod:`virtual_chassis.endpoints.control`) uses its framing.
"""

from __future__ import annotations

import json
import socket
import time
from typing import Any, Protocol

MAX_REQUEST = 64 * 1024


class ControlError(Exception):
    """The control channel refused a request or could not be reached."""


class _Remaining(Protocol):
    def remaining(self) -> float: ...


def encode(message: dict[str, Any]) -> bytes:
    """One message as it goes on the wire: a JSON object and a line feed."""
    return json.dumps(message).encode() + b"\n"


class ControlClient:
    """Blocking client of the control channel; each method raises :class:`ControlError` on refusal."""

    def __init__(self, host: str, port: int, token: str, timeout: float = 10.0):
        self.host, self.port, self.token, self.timeout = host, int(port), token, timeout

    def request(self, op: str, *, deadline: float | _Remaining | None = None, **args: Any) -> dict:
        """Send one request and return the answer (``ok`` true) within ``deadline`` (seconds, or
        anything with a ``remaining()`` method; default the client's timeout)."""
        if deadline is None:
            deadline = self.timeout
        seconds = deadline if isinstance(deadline, int | float) else deadline.remaining()
        end = time.monotonic() + seconds
        where = f"{self.host}:{self.port}"
        try:
            with socket.create_connection((self.host, self.port), timeout=max(seconds, 0.01)) as sock:
                sock.sendall(encode({"op": op, "token": self.token, **args}))
                answer = json.loads(_read_line(sock, end))
        except (OSError, ValueError) as failure:
            raise ControlError(
                f"virtual chassis control channel at {where} did not answer {op!r} "
                f"({failure}); check that the emulator is running and the port is right"
            ) from None
        if not answer.get("ok"):
            raise ControlError(f"virtual chassis refused {op!r}: {answer.get('error')}")
        return answer

    def status(self) -> dict:
        return self.request("status")

    def power(self, msm: str, action: str) -> dict:
        return self.request("power", msm=msm, action=action)

    def set_version(self, msm: str, version: str, partition: str | None = None, reboot: bool = True) -> dict:
        args: dict[str, Any] = {"msm": msm, "version": version, "reboot": reboot}
        if partition:
            args["partition"] = partition
        return self.request("set_version", **args)

    def release_without_sync(self, msm: str, version: str | None = None) -> dict:
        """Boot ``msm`` on a release older than the lowest that supports ``synchronize`` (the
        emulator picks one when ``version`` is None); the answer names ``version`` and
        ``sync_min_release``."""
        return self.request("release_without_sync", msm=msm, **_only_set(version=version))

    def backup_down(self) -> dict:
        return self.request("backup_down")

    def events(self, since: float = 0.0) -> list[dict]:
        return self.request("events", since=since)["events"]

    def tftp(self, port: int) -> dict:
        """Tell the chassis the UDP port of the TFTP servers it downloads from (default 69)."""
        return self.request("tftp", port=port)

    # --- faults (see virtual_chassis.model.faults); durations are real chassis seconds -----------

    def stall_checkpoint(self, process: str, percent: int = 40, reboot_backup: bool = True) -> dict:
        """The bulk checkpoint of ``process`` stops at ``percent`` (the backup reboots to start one)."""
        return self.request("stall_checkpoint", process=process, percent=percent, reboot_backup=reboot_backup)

    def remove_backup_during_synchronize(self) -> dict:
        """The next ``synchronize`` loses its backup in the middle of the image copy."""
        return self.request("remove_backup_during_synchronize")

    def fail_new_master(self) -> dict:
        """An MSM taking over as master goes to FAIL instead."""
        return self.request("fail_new_master")

    def old_master_stays_down(self) -> dict:
        """The master that a failover reboots never boots again."""
        return self.request("old_master_stays_down")

    def slow_boot(self, seconds: float, msm: str | None = None) -> dict:
        """Boots (of ``msm``, or of every MSM) take ``seconds``."""
        return self.request("slow_boot", seconds=seconds, **_only_set(msm=msm))

    def console_noise(self, msm: str | None = None, rate: float = 0.3, seed: int = 8800) -> dict:
        """Log lines and line-noise bytes in the middle of console output (one MSM, or both)."""
        return self.request("console_noise", rate=rate, seed=seed, **_only_set(msm=msm))

    def drop_ssh(self, command: str = "", count: int = 1) -> dict:
        """Management SSH is dropped in the middle of the output of the next ``count`` commands
        starting with ``command`` (any command when empty)."""
        return self.request("drop_ssh", command=command, count=count)

    def wrong_credentials(self) -> dict:
        """Every login (console and SSH) is refused as if the password were wrong."""
        return self.request("wrong_credentials")

    def pending_aaa(self, seconds: float = 60.0) -> dict:
        """After each boot a console shows ``(pending-AAA) login:`` for ``seconds``."""
        return self.request("pending_aaa", seconds=seconds)

    def fail_boot(self, msm: str | None = None, slots: tuple[int, ...] = (1,), reboot: bool = True) -> dict:
        """Boots (of ``msm``, or of every MSM) fail: system recovery shuts down the I/O modules in
        ``slots`` and the MSM comes up with the ``!`` prompt; ``reboot`` boots ``msm`` at once."""
        return self.request("fail_boot", slots=list(slots), reboot=reboot, **_only_set(msm=msm))

    def clear_faults(self) -> list[str]:
        """Disarm every fault and repair what they left; returns the names that were armed."""
        return self.request("clear_faults")["cleared"]


def _only_set(**args: Any) -> dict[str, Any]:
    """The arguments that have a value (an absent ``msm`` means every MSM)."""
    return {name: value for name, value in args.items() if value}


def _read_line(sock: socket.socket, end: float) -> bytes:
    """Bytes up to and with the first line feed, before ``end`` (``time.monotonic()``)."""
    data = b""
    while not data.endswith(b"\n"):
        left = end - time.monotonic()
        if left <= 0:
            raise TimeoutError("no answer before the deadline")
        sock.settimeout(max(left, 0.01))
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("connection closed before the answer")
        data += chunk
    return data
