"""Start and stop a virtual chassis (``python -m virtual_chassis``) as a child process.

The harness talks to the emulator exactly as to a real chassis: over the endpoints the child
prints as one JSON line. Only power and faults go through the token-protected control channel.

The password reaches the child on its stdin pipe (never its environment or command line), and
the pipe stays open while the harness lives: when the harness ends in any way, even SIGKILL,
the pipe closes and the emulator stops. Its flash folder is one the harness made and removes.
Its SSH host key is kept per chassis name, and the harness pins it under an alias of that name
(``HostKeyAlias``), so ``known_hosts`` holds one line per virtual chassis whatever the port.
"""

from __future__ import annotations

import json
import os
import selectors
import shutil
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path

from drivers.deadline import Deadline
from harness.errors import EmulatorCrashed, HilError
from harness.lab.leftovers import flash_folder
from harness.testbed.schema import Credentials, VirtualOptions
from virtual_chassis.api import ControlClient, ControlError, command


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


def emulator_command(options: VirtualOptions, credentials: Credentials, flash: Path | None = None) -> list[str]:
    """The command line of the child; the password travels on its stdin pipe, never here."""
    args = ["--speed", f"{options.speed:g}", "--model", options.model, "--name", options.sysname]
    args += ["--username", credentials.username]
    args += ["--from-parent"]  # its host key is kept per name in the emulator's default folder
    args += ["--flash-dir", str(flash)] if flash is not None else []
    for msm, flag in (("MSM-A", "--version-a"), ("MSM-B", "--version-b")):
        if msm in options.versions:
            args += [flag, options.versions[msm]]
    return command(*args)


def host_key_alias(options: VirtualOptions) -> str:
    """The name the harness pins the emulator's host key under (the key is kept per name)."""
    return f"xcm8800-hil-virtual-{options.sysname.lower()}"  # OpenSSH keeps host names lowercase


class VirtualChassisProcess:
    """One emulator child: ``start()`` returns its endpoints, ``stop()`` ends it."""

    def __init__(self, options: VirtualOptions, credentials: Credentials, log_path: Path):
        self.options = options
        self.credentials = credentials
        self.log_path = Path(log_path)
        self.process: subprocess.Popen | None = None
        self.endpoints: VirtualEndpoints | None = None
        self.flash: Path | None = None

    def start(self, deadline: Deadline | float = 30.0) -> VirtualEndpoints:
        """Spawn the emulator, hand it the password on its pipe and wait (until the deadline)
        for its JSON line."""
        deadline = Deadline.of(deadline)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self.flash = flash_folder()  # named by this pid: a killed run's is cleared by the next
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                emulator_command(self.options, self.credentials, self.flash),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
                start_new_session=True,
            )
        self._hand_over_password()
        self.endpoints = VirtualEndpoints.from_json(self._first_line(deadline))
        return self.endpoints

    def _hand_over_password(self) -> None:
        """The password's line on the child's stdin; the pipe stays open (the child stops at its end)."""
        assert self.process is not None and self.process.stdin is not None
        try:
            os.write(self.process.stdin.fileno(), self.credentials.password.encode() + b"\n")
        except OSError:
            pass  # the child died at once: _first_line reports it with its log

    def _first_line(self, deadline: Deadline) -> str:
        assert self.process is not None and self.process.stdout is not None  # started just before
        stdout = self.process.stdout
        selector = selectors.DefaultSelector()
        selector.register(stdout, selectors.EVENT_READ)
        buffer = b""
        try:
            while b"\n" not in buffer:
                if deadline.expired or not selector.select(deadline.remaining()):
                    self.stop()
                    raise EmulatorCrashed(self._why(f"printed no endpoints within {deadline.seconds:g} s"))
                chunk = os.read(stdout.fileno(), 65536)
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
        if e is None:
            raise EmulatorCrashed(f"virtual chassis {self.options.sysname} is not running: it has no control channel")
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
        """SIGTERM, then SIGKILL after ``grace`` seconds; remove its flash folder; idempotent."""
        process, self.process = self.process, None
        try:
            if process is not None:
                try:
                    stop_child(process, grace)
                finally:
                    for pipe in (process.stdin, process.stdout):
                        if pipe is not None:
                            pipe.close()
        finally:
            flash, self.flash = self.flash, None
            if flash is not None:
                shutil.rmtree(flash, ignore_errors=True)


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
