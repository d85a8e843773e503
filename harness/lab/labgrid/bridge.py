"""The power of a virtual chassis as a labgrid power resource.

labgrid's ``simplerest`` power model switches a port with ``GET {host}`` where the URL holds
``{index}`` and ``{value}`` (``1`` on, ``0`` off; no value: read, answered ``1`` or ``0``). This
small HTTP server answers those requests with the emulator's control channel, so an exported
virtual chassis has ``power-MSM-A`` / ``power-MSM-B`` resources (``NetworkPowerPort``, model
``simplerest``) that labgrid's own ``NetworkPowerDriver`` switches, as a lab's PDU. It listens
where the emulator's endpoints do. Every path starts with the emulator's control token
(``/{token}/{index}/{value}``, in the resource's URL as the coordinator hands it to the place's
users): another local user who reaches the port without it is refused (403), as on the
control channel itself.
"""

from __future__ import annotations

import hmac
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from harness.lab.virtual import VirtualControl, VirtualControlError
from harness.testbed.schema import MSMS

_PATH = re.compile(r"^/([^/]*)/([0-9]+)/?([01]?)$")


class PowerBridge:
    """``http://HOST:PORT/{token}/{index}/{value}``: index 0 is MSM-A, 1 is MSM-B."""

    def __init__(self, control: VirtualControl, token: str, host: str = "127.0.0.1"):
        if not token:
            raise ValueError("the power bridge needs the emulator's control token")
        bridge = self
        self.token = token

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                status, body = bridge.answer(self.path)
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args) -> None:  # quiet: the exporter logs the switching
                pass

        self.control = control
        self.server = ThreadingHTTPServer((host, 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, name="power-bridge", daemon=True)

    def url(self, host: str) -> str:
        """The ``host`` of the ``simplerest`` resources, as others reach this server at ``host``."""
        return f"http://{host}:{self.server.server_address[1]}/{self.token}/{{index}}/{{value}}"

    def answer(self, path: str) -> tuple[int, bytes]:
        """HTTP status and body for a request path."""
        found = _PATH.match(path)
        if not found or not hmac.compare_digest(found.group(1).encode(), self.token.encode()):
            return 403, b"the control token is required: use the URL of the place's power resource\n"
        if int(found.group(2)) >= len(MSMS):
            return 404, b"use /TOKEN/0/ or /TOKEN/1/ (MSM-A, MSM-B), then 1 (on), 0 (off) or nothing (read)\n"
        msm, value = MSMS[int(found.group(2))], found.group(3)
        try:
            if value:
                self.control.power(msm, "on" if value == "1" else "off")
                return 200, value.encode()
            powered = self.control.request("status")["msms"][msm]["powered"]
            return 200, b"1" if powered else b"0"
        except VirtualControlError as error:
            return 502, f"{error}\n".encode()

    def start(self) -> PowerBridge:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
