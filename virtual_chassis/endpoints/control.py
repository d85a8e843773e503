"""Control channel of a virtual chassis: power and faults, one JSON object per line each way.

Every request carries the ``token`` the emulator printed; a request with a wrong or missing
token is answered ``{"ok": false, "error": ...}`` and changes nothing. Ops: ``status``,
``power`` {msm, action: on|off|cycle}, ``set_version`` {msm, version, partition, reboot},
``backup_down``, ``events`` {since}, ``tftp`` {port} (where the TFTP servers that
``download image`` reaches listen), and the faults of :mod:`virtual_chassis.faults`
(``stall_checkpoint``, ..., ``clear_faults``). :class:`ControlClient` is the client the harness
uses.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import socket

from drivers.deadline import Deadline
from drivers.errors import HilError

from ..model.config import Refusal
from ..model.faults import FAULT_OPS
from ..model.chassis import Chassis

MAX_REQUEST = 64 * 1024


class ControlError(HilError):
    """The control channel refused a request or could not be reached."""


class ControlServer:
    """Serves the control channel of one chassis on a TCP port."""

    def __init__(self, chassis: Chassis, token: str, name: str = ""):
        self.chassis = chassis
        self.token = token
        self.name = name
        self.server: asyncio.base_events.Server | None = None
        self.port = 0
        self._writers: set[asyncio.StreamWriter] = set()

    async def start(self, bind: str = "127.0.0.1", port: int = 0) -> None:
        self.server = await asyncio.start_server(self._client, bind, port, limit=MAX_REQUEST)
        self.port = self.server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self.server:
            self.server.close()
            for writer in list(self._writers):
                writer.close()
            await self.server.wait_closed()

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        try:
            while True:
                try:
                    line = await reader.readline()
                except (ValueError, asyncio.LimitOverrunError):
                    writer.write(_reply({"ok": False, "error": f"request longer than {MAX_REQUEST} bytes"}))
                    break
                if not line:
                    break
                writer.write(_reply(self.handle(line)))
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            self._writers.discard(writer)
            writer.close()

    def handle(self, raw: bytes | str) -> dict:
        """Answer one request line."""
        try:
            request = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            return {"ok": False, "error": "request is not one JSON object per line"}
        if not isinstance(request, dict):
            return {"ok": False, "error": "request must be a JSON object"}
        token = request.get("token")
        if not isinstance(token, str) or not hmac.compare_digest(token.encode(), self.token.encode()):
            return {"ok": False, "error": "wrong or missing token: use the token the emulator printed"}
        op = request.get("op")
        handler = getattr(self, f"_op_{op}", None) if isinstance(op, str) else None
        if op in FAULT_OPS:
            handler = lambda r: self.chassis.faults.apply(op, r)  # noqa: E731
        if handler is None:
            ops = ", ".join(("status", "power", "set_version", "backup_down", "events", "tftp", *FAULT_OPS))
            return {"ok": False, "error": f"unknown op {op!r}: use one of {ops}"}
        try:
            return {"ok": True, **handler(request)}
        except Refusal as refusal:
            return {"ok": False, "error": str(refusal)}
        except (KeyError, TypeError, ValueError) as bad:
            return {"ok": False, "error": f"bad arguments for {op}: {bad!r}"}

    def _op_status(self, request: dict) -> dict:
        chassis = self.chassis
        master = chassis.master()
        msms = {}
        for name, msm in chassis.msms.items():
            msms[name] = {
                "powered": msm.powered, "state": msm.state.value, "display": chassis.display_state(msm),
                "in_sync": chassis.in_sync(msm), "booted": msm.image_booted, "selected": msm.image_selected,
                "booted_version": msm.booted_version, "primary": msm.images["primary"],
                "secondary": msm.images["secondary"],
            }
        return {"name": self.name, "master": master.name if master else None, "msms": msms,
                "events": chassis.events_since(0.0), "faults": chassis.faults.active()}

    def _op_power(self, request: dict) -> dict:
        self.chassis.power(str(request["msm"]), str(request["action"]))
        return {}

    def _op_set_version(self, request: dict) -> dict:
        self.chassis.set_version(str(request["msm"]), str(request["version"]),
                                 request.get("partition"), bool(request.get("reboot", True)))
        return {}

    def _op_backup_down(self, request: dict) -> dict:
        return {"msm": self.chassis.backup_down().name}

    def _op_events(self, request: dict) -> dict:
        return {"events": self.chassis.events_since(float(request.get("since", 0.0)))}

    def _op_tftp(self, request: dict) -> dict:
        port = int(request["port"])
        if not 1 <= port <= 65535:
            raise ValueError(f"port {port} is not 1..65535")
        self.chassis.firmware.tftp_port = port
        return {}


def _reply(answer: dict) -> bytes:
    return json.dumps(answer).encode() + b"\n"


class ControlClient:
    """Blocking client of the control channel; each method raises :class:`ControlError` on refusal."""

    def __init__(self, host: str, port: int, token: str, timeout: float = 10.0):
        self.host, self.port, self.token, self.timeout = host, int(port), token, timeout

    def request(self, op: str, deadline: Deadline | float | None = None, **args) -> dict:
        """Send one request and return the answer (``ok`` true) within the deadline."""
        deadline = Deadline.of(self.timeout if deadline is None else deadline)
        where = f"{self.host}:{self.port}"
        try:
            with socket.create_connection((self.host, self.port), timeout=max(deadline.remaining(), 0.01)) as sock:
                sock.sendall(json.dumps({"op": op, "token": self.token, **args}).encode() + b"\n")
                answer = json.loads(_read_line(sock, deadline))
        except (OSError, ValueError) as failure:
            raise ControlError(f"virtual chassis control channel at {where} did not answer {op!r} "
                               f"({failure}); check that the emulator is running and the port is right") from None
        if not answer.get("ok"):
            raise ControlError(f"virtual chassis refused {op!r}: {answer.get('error')}")
        return answer

    def status(self) -> dict:
        return self.request("status")

    def power(self, msm: str, action: str) -> dict:
        return self.request("power", msm=msm, action=action)

    def set_version(self, msm: str, version: str, partition: str | None = None, reboot: bool = True) -> dict:
        args = {"msm": msm, "version": version, "reboot": reboot}
        if partition:
            args["partition"] = partition
        return self.request("set_version", **args)

    def backup_down(self) -> dict:
        return self.request("backup_down")

    def events(self, since: float = 0.0) -> list[dict]:
        return self.request("events", since=since)["events"]

    def tftp(self, port: int) -> dict:
        """Tell the chassis the UDP port of the TFTP servers it downloads from (default 69)."""
        return self.request("tftp", port=port)

    # --- faults (see virtual_chassis.faults); durations are real chassis seconds -----------

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
        return self.request("slow_boot", seconds=seconds, **({"msm": msm} if msm else {}))

    def console_noise(self, msm: str | None = None, rate: float = 0.3, seed: int = 8800) -> dict:
        """Log lines and line-noise bytes in the middle of console output (one MSM, or both)."""
        return self.request("console_noise", rate=rate, seed=seed, **({"msm": msm} if msm else {}))

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

    def clear_faults(self) -> list[str]:
        """Disarm every fault and repair what they left; returns the names that were armed."""
        return self.request("clear_faults")["cleared"]


def _read_line(sock: socket.socket, deadline: Deadline) -> bytes:
    data = b""
    while not data.endswith(b"\n"):
        if deadline.expired:
            raise TimeoutError("no answer before the deadline")
        sock.settimeout(max(deadline.remaining(), 0.01))
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("connection closed before the answer")
        data += chunk
    return data
