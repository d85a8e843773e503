"""The endpoints of a replayed device: a console per MSM (a pty and a raw TCP port, like
ser2net) and management SSH (asyncssh, password login), each answering from its recording."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import asyncssh

from ..cli.login import Accounts, LoginDialog
from ..endpoints.line import SerialLine
from .session import Cursor, ReplaySession
from .track import Track

CONSOLES = ("MSM-A", "MSM-B")
SSH = "ssh"


def track_for(tracks: dict[str, Track], endpoint: str) -> Track:
    """The recording of ``endpoint``'s own session, else the first one given (same device)."""
    return tracks.get(endpoint) or next(iter(tracks.values()))


def _later(delay: float, callback) -> object:
    return asyncio.get_running_loop().call_later(max(delay, 0.0), callback)


class ReplayConsole(SerialLine):
    """One console line: ``login:``, then a replay session; clients come and go, as on a serial
    port; when the recording shows the MSM rebooting, its boot text comes and ``login:`` again."""

    def __init__(self, cursor: Cursor, accounts: Accounts, speed: float):
        super().__init__()
        self.cursor = cursor
        self.accounts = accounts
        self.speed = speed
        self.login: LoginDialog | None = None
        self.session: ReplaySession | None = None

    def on_ready(self) -> None:
        self._new_login()

    def feed(self, data: bytes) -> None:
        if self.session is not None:
            self.session.feed(data)
        elif self.login is not None:
            rest = self.login.feed(data)
            if rest and self.session is not None:
                self.session.feed(rest)

    def _new_login(self) -> None:
        self.session = None
        self.login = LoginDialog(self.accounts, self.deliver, self._logged_in)
        self.login.start()

    def _logged_in(self, username: str, privilege: str) -> None:
        editor = self.login.editor if self.login else None
        self.login = None
        self.session = ReplaySession(
            self.cursor, self.deliver, _later, on_exit=self._new_login, on_reboot=self._new_login, speed=self.speed
        )
        if editor is not None:
            self.session.editor.continue_from(editor)
        self.session.start()


class ReplaySsh:
    """Management SSH answering from one recording: each connection goes on where the last one
    left the recording; the connection closes where the recorded one was closed."""

    def __init__(self, cursor: Cursor, accounts: Accounts, speed: float):
        self.cursor = cursor
        self.accounts = accounts
        self.speed = speed
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
        session = ReplaySession(
            self.cursor, write, _later, on_exit=done.set, echo=pty, interactive=command is None, speed=self.speed
        )
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

    def __init__(
        self,
        tracks: dict[str, Track],
        accounts: Accounts,
        bind: str = "127.0.0.1",
        speed: float = 1.0,
        report: Callable[[str], None] = lambda line: None,
    ):
        self.tracks = tracks
        self.accounts = accounts
        self.bind = bind
        self.cursors = {where: Cursor(track_for(tracks, where), report) for where in (*CONSOLES, SSH)}
        self.consoles = {msm: ReplayConsole(self.cursors[msm], accounts, speed) for msm in CONSOLES}
        self.ssh = ReplaySsh(self.cursors[SSH], accounts, speed)

    async def start(self, ports: tuple[int, int, int] = (0, 0, 0)) -> dict:
        """Open the consoles and SSH (ports: MSM-A, MSM-B, SSH; 0 = a free one)."""
        try:
            for console, port in zip(self.consoles.values(), ports[:2], strict=True):
                await console.start(self.bind, port)
            await self.ssh.start(self.bind, ports[2])
        except BaseException:
            await self.stop()
            raise
        name = next(iter(self.tracks.values())).chassis
        return {
            "name": name,
            "replay": {endpoint: track.commands() for endpoint, track in sorted(self.tracks.items())},
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
