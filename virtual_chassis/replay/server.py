"""The endpoints of a replayed device: a console per MSM (a pty and a raw TCP port, like
ser2net) and management SSH (asyncssh, password login), each answering from its recording."""

from __future__ import annotations

import asyncio
import os
import tty
from typing import cast

import asyncssh

from ..cli.login import Accounts, LoginDialog
from .recorded import Script
from .session import ReplaySession

CONSOLES = ("MSM-A", "MSM-B")
SSH = "ssh"


def script_for(scripts: dict[str, Script], endpoint: str) -> Script:
    """The recording of ``endpoint``'s own session, else the first one given (same device)."""
    return scripts.get(endpoint) or next(iter(scripts.values()))


class ReplayConsole:
    """One console line: ``login:``, then a replay session; clients come and go, as on a serial port."""

    def __init__(self, script: Script, accounts: Accounts):
        self.script = script
        self.accounts = accounts
        self.clients: set[asyncio.Transport] = set()
        self.login: LoginDialog | None = None
        self.session: ReplaySession | None = None
        self.master_fd = self.slave_fd = -1
        self.pty_name = ""
        self.port = 0
        self.server: asyncio.base_events.Server | None = None

    async def start(self, bind: str, port: int = 0) -> None:
        loop = asyncio.get_running_loop()
        self.master_fd, self.slave_fd = os.openpty()
        tty.setraw(self.slave_fd)
        os.set_blocking(self.master_fd, False)
        self.pty_name = os.ttyname(self.slave_fd)
        loop.add_reader(self.master_fd, self._pty_readable)
        self.server = await loop.create_server(lambda: _ConsoleClient(self), bind, port)
        self.port = self.server.sockets[0].getsockname()[1]
        self._new_login()

    async def stop(self) -> None:
        for client in list(self.clients):
            client.close()
        if self.server:
            self.server.close()
            await self.server.wait_closed()
        if self.master_fd >= 0:
            asyncio.get_running_loop().remove_reader(self.master_fd)
            os.close(self.master_fd)
            os.close(self.slave_fd)
            self.master_fd = self.slave_fd = -1

    def _pty_readable(self) -> None:
        try:
            self.feed(os.read(self.master_fd, 4096))
        except OSError:
            return

    def write(self, data: bytes) -> None:
        """To the pty (dropped when nobody reads it) and every TCP client."""
        if self.master_fd >= 0:
            try:
                os.write(self.master_fd, data)
            except OSError:  # full (nobody reads the pty) or gone: bytes on a line nobody hears
                pass
        for client in list(self.clients):
            if not client.is_closing():
                client.write(data)

    def feed(self, data: bytes) -> None:
        if self.session is not None:
            self.session.feed(data)
        elif self.login is not None:
            rest = self.login.feed(data)
            if rest and self.session is not None:
                self.session.feed(rest)

    def _new_login(self) -> None:
        self.session = None
        self.login = LoginDialog(self.accounts, self.write, self._logged_in)
        self.login.start()

    def _logged_in(self, username: str, privilege: str) -> None:
        editor = self.login.editor if self.login else None
        self.login = None
        self.session = ReplaySession(self.script, self.write, on_exit=self._new_login)
        if editor is not None:
            self.session.editor.continue_from(editor)
        self.session.start()


class _ConsoleClient(asyncio.Protocol):
    def __init__(self, line: ReplayConsole):
        self.line = line
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)
        self.line.clients.add(self.transport)

    def data_received(self, data: bytes) -> None:
        self.line.feed(data)

    def connection_lost(self, exc: Exception | None) -> None:
        if self.transport is not None:
            self.line.clients.discard(self.transport)


class ReplaySsh:
    """Management SSH answering from one recording."""

    def __init__(self, script: Script, accounts: Accounts):
        self.script = script
        self.accounts = accounts
        self.acceptor: asyncssh.SSHAcceptor | None = None
        self.port = 0

    async def start(self, bind: str, port: int = 0) -> None:
        self.acceptor = await asyncssh.create_server(
            lambda: _Server(self.accounts),
            bind,
            port,
            server_host_keys=[asyncssh.generate_private_key("ssh-ed25519")],
            process_factory=self._process,
            encoding=None,
            line_editor=False,  # the replay session edits lines as the device does
            allow_scp=False,
            agent_forwarding=False,
            x11_forwarding=False,
        )
        self.port = self.acceptor.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self.acceptor:
            self.acceptor.close()
            await self.acceptor.wait_closed()

    async def _process(self, process: asyncssh.SSHServerProcess) -> None:
        done = asyncio.Event()
        command = process.command

        def write(data: bytes) -> None:
            try:
                process.stdout.write(data)
            except (asyncssh.Error, OSError):
                pass

        pty = process.get_terminal_type() is not None
        session = ReplaySession(self.script, write, on_exit=done.set, echo=pty, interactive=command is None)
        if command is not None:
            session.command(command if isinstance(command, str) else command.decode(errors="replace"))
        else:
            session.start()
            reader = asyncio.ensure_future(self._read(process, session, done))
            await done.wait()
            reader.cancel()
        process.exit(0)

    @staticmethod
    async def _read(process: asyncssh.SSHServerProcess, session: ReplaySession, done: asyncio.Event) -> None:
        try:
            while not session.closed:
                data = await process.stdin.read(4096)
                if not data:
                    break
                session.feed(data)
        except (asyncssh.Error, OSError):
            pass
        done.set()


class _Server(asyncssh.SSHServer):
    def __init__(self, accounts: Accounts):
        self.accounts = accounts

    def begin_auth(self, username: str) -> bool:
        return True

    def password_auth_supported(self) -> bool:
        return True

    def kbdint_auth_supported(self) -> bool:
        return False

    def validate_password(self, username: str, password: str) -> bool:
        return self.accounts.check(username, password) is not None


class ReplayDevice:
    """Every endpoint of a replayed device; ``await start()`` returns its endpoint dict."""

    def __init__(self, scripts: dict[str, Script], accounts: Accounts, bind: str = "127.0.0.1"):
        self.scripts = scripts
        self.accounts = accounts
        self.bind = bind
        self.consoles = {msm: ReplayConsole(script_for(scripts, msm), accounts) for msm in CONSOLES}
        self.ssh = ReplaySsh(script_for(scripts, SSH), accounts)

    async def start(self, ports: tuple[int, int, int] = (0, 0, 0)) -> dict:
        """Open the consoles and SSH (ports: MSM-A, MSM-B, SSH; 0 = a free one)."""
        try:
            for console, port in zip(self.consoles.values(), ports[:2], strict=True):
                await console.start(self.bind, port)
            await self.ssh.start(self.bind, ports[2])
        except BaseException:
            await self.stop()
            raise
        name = next(iter(self.scripts.values())).chassis
        return {
            "name": name,
            "replay": {endpoint: script.commands() for endpoint, script in sorted(self.scripts.items())},
            "ssh": {"host": self.bind, "port": self.ssh.port},
            "consoles": {
                msm: {"tcp": f"socket://{self.bind}:{c.port}", "pty": c.pty_name} for msm, c in self.consoles.items()
            },
            "username": self.accounts.username,
        }

    async def stop(self) -> None:
        await self.ssh.stop()
        for console in self.consoles.values():
            await console.stop()
