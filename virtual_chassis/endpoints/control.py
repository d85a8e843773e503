"""Control channel of a virtual chassis: power and faults, one JSON object per line each way.

Every request carries the ``token`` the emulator printed; a request with a wrong or missing
token is answered ``{"ok": false, "error": ...}`` and changes nothing. Ops: ``status``,
``power`` {msm, action: on|off|cycle}, ``set_version`` {msm, version, partition, reboot},
``backup_down``, ``events`` {since}, ``tftp`` {port} (where the TFTP servers that
``download image`` reaches listen), ``release_without_sync`` {msm, version?} (boot a release
older than the lowest that can ``synchronize``), and the faults of :mod:`virtual_chassis.faults`
(``stall_checkpoint``, ..., ``clear_faults``). The framing and the client are in
:mod:`virtual_chassis.protocol`.
"""

from __future__ import annotations

import asyncio
import hmac
import json

from ..model.chassis import Chassis
from ..model.config import Refusal
from ..model.faults import FAULT_OPS
from ..protocol import MAX_REQUEST, encode


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
                    writer.write(encode({"ok": False, "error": f"request longer than {MAX_REQUEST} bytes"}))
                    break
                if not line:
                    break
                writer.write(encode(self.handle(line)))
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
            ops = ", ".join(
                ("status", "power", "set_version", "backup_down", "events", "tftp", "release_without_sync", *FAULT_OPS)
            )
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
                "powered": msm.powered,
                "state": msm.state.value,
                "display": chassis.display_state(msm),
                "in_sync": chassis.in_sync(msm),
                "booted": msm.image_booted,
                "selected": msm.image_selected,
                "booted_version": msm.booted_version,
                "primary": msm.images["primary"],
                "secondary": msm.images["secondary"],
            }
        return {
            "name": self.name,
            "master": master.name if master else None,
            "msms": msms,
            "events": chassis.events_since(0.0),
            "faults": chassis.faults.active(),
            "sync_min_release": chassis.sync_min_release,
        }

    def _op_power(self, request: dict) -> dict:
        self.chassis.power(str(request["msm"]), str(request["action"]))
        return {}

    def _op_set_version(self, request: dict) -> dict:
        self.chassis.set_version(
            str(request["msm"]), str(request["version"]), request.get("partition"), bool(request.get("reboot", True))
        )
        return {}

    def _op_release_without_sync(self, request: dict) -> dict:
        msm, version = str(request["msm"]), request.get("version")
        installed = self.chassis.install_release_without_sync(msm, str(version) if version else None)
        return {"msm": msm, "version": installed, "sync_min_release": self.chassis.sync_min_release}

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
