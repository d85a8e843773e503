"""Start and stop a virtual chassis (``python -m virtual_chassis``) as a child process.

The harness talks to the emulator exactly as to a real chassis: over the endpoints the child
prints as one JSON line. Only power and faults go through the token-protected control channel.
"""

from __future__ import annotations

import json
import os
import selectors
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from drivers.deadline import Deadline
from harness.errors import EmulatorCrashed, HilError
from harness.testbed.schema import Credentials, VirtualOptions
from virtual_chassis.api import ControlClient, ControlError

PASSWORD_ENV = "XCM_VIRTUAL_PASSWORD"


class VirtualControlError(HilError, ControlError):
    """The virtual chassis's control channel refused a request or could not be reached."""


class VirtualControl(ControlClient):
    """The emulator's control client whose errors are harness errors (``HilError``), same messages."""

    def request(self, op, deadline=None, **args) -> dict:
        try:
            return super().request(op, deadline=deadline, **args)
        except ControlError as error:
            raise VirtualControlError(str(error)) from None


@dataclass(frozen=True)
class VirtualEndpoints:
    """Where a running virtual chassis listens, as its JSON line says."""

    name: str
    ssh_host: str
    ssh_port: int
    consoles: dict[str, dict[str, str]]
    control_host: str
    control_port: int
    control_token: str

    @classmethod
    def from_json(cls, line: str) -> VirtualEndpoints:
        data = json.loads(line)
        return cls(
            name=data["name"],
            ssh_host=data["ssh"]["host"],
            ssh_port=int(data["ssh"]["port"]),
            consoles=data["consoles"],
            control_host=data["control"]["host"],
            control_port=int(data["control"]["port"]),
            control_token=data["control"]["token"],
        )

    def console_url(self, msm: str, kind: str = "tcp") -> str:
        return self.consoles[msm][kind]


def emulator_command(options: VirtualOptions, credentials: Credentials) -> list[str]:
    """The command line of the child; the password travels in the environment, never here."""
    command = [sys.executable, "-m", "virtual_chassis", "--speed", f"{options.speed:g}"]
    command += ["--name", options.sysname, "--username", credentials.username]
    for msm, flag in (("MSM-A", "--version-a"), ("MSM-B", "--version-b")):
        if msm in options.versions:
            command += [flag, options.versions[msm]]
    return command


class VirtualChassisProcess:
    """One emulator child: ``start()`` returns its endpoints, ``stop()`` ends it."""

    def __init__(self, options: VirtualOptions, credentials: Credentials, log_path: Path):
        self.options = options
        self.credentials = credentials
        self.log_path = Path(log_path)
        self.process: subprocess.Popen | None = None
        self.endpoints: VirtualEndpoints | None = None

    def start(self, deadline: Deadline | float = 30.0) -> VirtualEndpoints:
        """Spawn the emulator and wait (until the deadline) for its JSON line."""
        deadline = Deadline.of(deadline)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ, **{PASSWORD_ENV: self.credentials.password})
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                emulator_command(self.options, self.credentials),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=log,
                env=env,
                start_new_session=True,
            )
        self.endpoints = VirtualEndpoints.from_json(self._first_line(deadline))
        return self.endpoints

    def _first_line(self, deadline: Deadline) -> str:
        selector = selectors.DefaultSelector()
        selector.register(self.process.stdout, selectors.EVENT_READ)
        buffer = b""
        try:
            while b"\n" not in buffer:
                if deadline.expired or not selector.select(deadline.remaining()):
                    self.stop()
                    raise EmulatorCrashed(self._why(f"printed no endpoints within {deadline.seconds:g} s"))
                chunk = os.read(self.process.stdout.fileno(), 65536)
                if not chunk:
                    self.stop()
                    raise EmulatorCrashed(self._why("exited before printing its endpoints"))
                buffer += chunk
        finally:
            selector.close()
        return buffer.split(b"\n", 1)[0].decode()

    def _why(self, what: str) -> str:
        return f"virtual chassis {self.options.sysname} {what}; its log is {self.log_path}:\n{self.log_tail()}"

    def log_tail(self, lines: int = 15) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:]).replace(self.credentials.password or "\0", "********")

    def control(self) -> VirtualControl:
        """A client for the token-protected control channel (power and faults)."""
        e = self.endpoints
        return VirtualControl(e.control_host, e.control_port, e.control_token)

    def check_alive(self, ask: bool = True, grace: float = 2.0) -> None:
        """Raise ``EmulatorCrashed`` (not a device fault) when the child has died, or (``ask``)
        when its control channel stopped answering (it then gets ``grace`` seconds to exit)."""
        process = self.process
        if process is None or (not ask and process.poll() is None):
            return
        if process.poll() is None:
            try:
                self.control().request("status", deadline=grace)
                return
            except ControlError:
                try:
                    process.wait(grace)
                except subprocess.TimeoutExpired:
                    raise EmulatorCrashed(self._why("stopped answering on its control channel")) from None
        raise EmulatorCrashed(self._why(f"crashed (exit status {process.returncode})"))

    def stop(self, grace: float = 5.0) -> None:
        """SIGTERM, then SIGKILL after ``grace`` seconds; idempotent."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        try:
            stop_child(process, grace)
        finally:
            process.stdout.close()


def stop_child(process: subprocess.Popen, grace: float = 5.0) -> None:
    """End an emulator child: SIGTERM, then SIGKILL after ``grace`` seconds."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(grace)
