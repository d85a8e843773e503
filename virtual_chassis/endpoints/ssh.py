"""Management SSH: one address that always reaches the current master (asyncssh server).

OpenSSH password authentication is the login. Every management session is closed when the
master changes; while there is no master, new connections are closed at once. Shell sessions
with a pty get echo and line editing; without a pty there is no echo; an exec request runs
one command line and closes.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

import asyncssh

from ..cli.login import Accounts
from ..cli.session import CliSession
from ..model.chassis import Chassis, Notice


def load_host_key(path: Path) -> asyncssh.SSHKey:
    """The chassis's SSH host key kept in ``path`` (mode 0600), made on first use.

    A chassis keeps its key across starts, as a real switch does, so a client's known_hosts
    holds one entry per chassis that never conflicts. Two emulators of the same name starting at
    once agree on one key: the file appears whole (written aside, then linked into place).
    """
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not path.exists():
        aside = path.with_name(f".{path.name}.{os.getpid()}")
        fd = os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as file:
            file.write(asyncssh.generate_private_key("ssh-ed25519").export_private_key())
        try:
            os.link(aside, path)
        except FileExistsError:
            pass  # another start of the same chassis won: use its key
        finally:
            os.unlink(aside)
    return asyncssh.read_private_key(path)


class ManagementSsh:
    """The asyncssh server of one chassis and the sessions it carries."""

    def __init__(self, chassis: Chassis, accounts: Accounts, host_key: Path | None = None):
        self.chassis = chassis
        self.accounts = accounts
        self.host_key = host_key  # kept across starts (None: a new key each start)
        self.connections: set[asyncssh.SSHServerConnection] = set()
        self.sessions: set[_Session] = set()
        self.acceptor: asyncssh.SSHAcceptor | None = None
        self.port = 0
        chassis.subscribe(self.on_notice)

    async def start(self, bind: str = "127.0.0.1", port: int = 0) -> None:
        key = load_host_key(self.host_key) if self.host_key else asyncssh.generate_private_key("ssh-ed25519")
        self.acceptor = await asyncssh.create_server(
            lambda: _Server(self),
            bind,
            port,
            server_host_keys=[key],
            encoding=None,
            allow_scp=False,
            agent_forwarding=False,
            x11_forwarding=False,
            login_timeout=60,
        )
        self.port = self.acceptor.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        self.chassis.unsubscribe(self.on_notice)
        self.drop_all()
        if self.acceptor:
            self.acceptor.close()
            await self.acceptor.wait_closed()

    def on_notice(self, notice: Notice) -> None:
        if notice.kind == "master":
            self.drop_all()

    def drop_all(self) -> None:
        """Close every management session (the master changed)."""
        for session in list(self.sessions):
            session.end()
        for conn in list(self.connections):
            conn.close()


def _ack_at_once(conn: asyncssh.SSHServerConnection) -> None:
    """Acknowledge every TCP segment of ``conn`` at once (Linux ``TCP_QUICKACK``).

    Before its session starts, OpenSSH sends some handshake messages back to back without
    TCP_NODELAY; with the kernel's delayed ACK each such pair waited about 40 ms, so a login on
    loopback took 100 ms instead of 15 ms. The option is not sticky: it is set again as data comes.
    """
    sock, quickack = conn.get_extra_info("socket"), getattr(socket, "TCP_QUICKACK", None)
    if sock is None or quickack is None:
        return
    received = conn.data_received

    def data_received(data: bytes, datatype=None) -> None:
        try:
            sock.setsockopt(socket.IPPROTO_TCP, quickack, 1)
        except OSError:  # the connection is going away
            pass
        received(data, datatype)

    conn.data_received = data_received  # type: ignore[method-assign]  # wrap asyncssh's reader: ack at once


class _Server(asyncssh.SSHServer):
    def __init__(self, mgmt: ManagementSsh):
        self.mgmt = mgmt
        self.conn: asyncssh.SSHServerConnection | None = None
        self.master: str | None = None
        self.privilege: str | None = None

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self.conn = conn
        _ack_at_once(conn)
        master = self.mgmt.chassis.master()
        if master is None:
            conn.close()
            return
        self.master = master.name
        self.mgmt.connections.add(conn)

    def connection_lost(self, exc: Exception | None) -> None:
        self.mgmt.connections.discard(self.conn)

    def begin_auth(self, username: str) -> bool:
        return True

    def password_auth_supported(self) -> bool:
        return True

    def kbdint_auth_supported(self) -> bool:
        return False  # plain password auth: OpenSSH asks "user@host's password: "

    def validate_password(self, username: str, password: str) -> bool:
        self.privilege = self.mgmt.accounts.check(username, password)
        return self.privilege is not None

    def session_requested(self) -> _Session:
        return _Session(self)


class _Session(asyncssh.SSHServerSession):
    def __init__(self, server: _Server):
        self.server = server
        self.mgmt = server.mgmt
        self.chan: asyncssh.SSHServerChannel | None = None
        self.pty = False
        self.command: str | None = None
        self.cli: CliSession | None = None
        self._batch: bytearray | None = None

    def connection_made(self, chan: asyncssh.SSHServerChannel) -> None:
        self.chan = chan

    @property
    def channel(self) -> asyncssh.SSHServerChannel:
        """The session's channel (asyncssh calls ``connection_made`` before anything else)."""
        if self.chan is None:
            raise RuntimeError("SSH session used before its channel was opened")
        return self.chan

    def pty_requested(self, term_type, term_size, term_modes) -> bool:
        self.pty = True
        return True

    def shell_requested(self) -> bool:
        return True

    def exec_requested(self, command: str) -> bool:
        self.command = command.decode(errors="replace") if isinstance(command, bytes) else command
        return True

    def session_started(self) -> None:
        master = self.mgmt.chassis.master()
        privilege = self.server.privilege
        if master is None or master.name != self.server.master or privilege is None:
            self.channel.close()
            return
        username = self.channel.get_extra_info("username")
        self.cli = CliSession(
            self.mgmt.chassis,
            master.name,
            username,
            privilege,
            self._write,
            on_exit=self._exit,
            echo=self.pty,
            interactive=self.command is None,
        )
        self.cli.after_job = self._exec_done  # a download ends an exec request when it is done
        self.mgmt.sessions.add(self)
        if self.command is None:
            self.cli.start()
        else:
            self.cli.feed(self.command.encode("ascii", "replace") + b"\r")
            self._exec_done()

    def data_received(self, data: bytes, datatype) -> None:
        if self.cli:
            self._batch = bytearray()
            try:
                self.cli.feed(data)
            finally:
                self._flush()
            self._exec_done()

    def _flush(self) -> None:
        batch, self._batch = self._batch, None
        if batch and self.command is None and self.mgmt.chassis.faults.drops_ssh(bytes(batch)):
            self._write(bytes(batch[: len(batch) // 2]))  # the drop-SSH fault: cut it off mid-output
            self.end()
            self.channel.close()  # after the half already sent
        elif batch:
            self._write(bytes(batch))

    def eof_received(self) -> bool:
        self._exit()
        return False

    def _exec_done(self) -> None:
        if self.command is not None and self.cli and self.cli.idle:
            self._exit()

    def _write(self, data: bytes) -> None:
        if self._batch is not None:
            self._batch += data
            return
        try:
            self.channel.write(data)
        except (asyncssh.Error, OSError, BrokenPipeError):
            pass

    def _exit(self) -> None:
        self._flush()
        self.end()
        try:
            self.channel.exit(0)
        except (asyncssh.Error, OSError):
            pass

    def end(self) -> None:
        if self.cli:
            self.cli.close()
        self.mgmt.sessions.discard(self)

    def connection_lost(self, exc: Exception | None) -> None:
        self.end()
