"""One virtual chassis with all its endpoints on an event loop: consoles, SSH, control."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from pathlib import Path

from ..cli.login import ADMIN, Accounts
from ..cli.preload import preload
from ..hardware import DEFAULT_MODEL, MODELS
from ..model.chassis import SYNC_MIN_RELEASE, Chassis
from ..model.clock import Clock, Durations
from .console import ConsoleLine
from .control import ControlServer
from .ssh import ManagementSsh


@dataclass
class ChassisOptions:
    """Everything ``python -m virtual_chassis`` lets one choose for one chassis."""

    name: str = "XCM8810"
    model: str = DEFAULT_MODEL  # a name of hardware.MODELS: XCM8810 or XCM8806
    speed: float = 100.0
    ssh_port: int = 0
    console_ports: tuple[int, int] = (0, 0)
    versions: tuple[str, str] = ("12.4.2.8", "12.4.2.8")
    secondary: str = "12.4.1.5"
    username: str = ADMIN
    password: str = ""
    bind: str = "127.0.0.1"
    mac: str = "00:04:96:52:A4:00"
    durations: Durations = field(default_factory=Durations)
    telnet: bool = False
    tftp_port: int = 69  # where the TFTP servers of download image listen
    config_lines: int = 0  # preload a configuration this long (0: the plain one)
    baud: int = 0  # console line rate, 8N1 (0: as fast as the reader takes it)
    sync_min_release: str = SYNC_MIN_RELEASE  # older releases cannot synchronize
    host_key: Path | None = None  # the SSH host key file kept across starts (None: new each start)
    flash_dir: Path | None = None  # where downloaded images go (None: the system's temporary folder)


class VirtualChassis:
    """Build with options, ``await start()`` for the endpoint dict, ``await stop()`` to end."""

    def __init__(self, options: ChassisOptions, loop):
        self.options = options
        self.clock = Clock(loop, options.speed, options.durations)
        self.chassis = Chassis(
            self.clock,
            options.name,
            options.versions,
            options.secondary,
            options.mac,
            sync_min_release=options.sync_min_release,
            hardware=MODELS[options.model],
        )
        self.chassis.firmware.tftp_port = options.tftp_port
        self.chassis.firmware.flash_dir = options.flash_dir
        if options.config_lines:
            preload(self.chassis, options.config_lines)
        self.accounts = Accounts(options.username, options.password, self.chassis.faults.refuses_logins)
        self.token = secrets.token_hex(16)
        self.consoles = {
            name: ConsoleLine(self.chassis, name, self.accounts, options.telnet, options.baud)
            for name in self.chassis.msms
        }
        self.ssh = ManagementSsh(self.chassis, self.accounts, options.host_key)
        self.control = ControlServer(self.chassis, self.token, options.name)
        self.endpoints: dict | None = None

    async def start(self) -> dict:
        """Open every endpoint; returns the JSON-ready endpoint description."""
        bind = self.options.bind
        try:
            for console, port in zip(self.consoles.values(), self.options.console_ports, strict=True):
                await console.start(bind, port)
            await self.ssh.start(bind, self.options.ssh_port)
            await self.control.start(bind, 0)
        except BaseException:
            await self.stop()
            raise
        self.endpoints = {
            "name": self.options.name,
            "ssh": {"host": bind, "port": self.ssh.port},
            "consoles": {
                name: {"tcp": f"socket://{bind}:{c.port}", "pty": c.pty_name} for name, c in self.consoles.items()
            },
            "control": {"host": bind, "port": self.control.port, "token": self.token},
            "username": self.accounts.username,
        }
        return self.endpoints

    async def stop(self) -> None:
        """Close every endpoint and cancel pending timers; safe to call twice."""
        self.clock.close()
        await self.ssh.stop()
        await self.control.stop()
        for console in self.consoles.values():
            await console.stop()
        self.chassis.firmware.close()  # after the sessions: their jobs are cancelled by now
