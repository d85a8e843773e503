"""A fake terminal server on a real TCP port, misbehaving the way labs do.

``mode``:
- ``reset``: asks ``login:``, then ``password:`` and resets the connection (RST) at once, as a
  ser2net restart or a terminal-server port reset does while the harness types the password;
- ``refuse``: a console whose every login is refused (``Login incorrect``), serving one client
  at a time like ser2net's default (a second client is told the port is in use and closed);
- ``silent``: accepts, reads and never says a word;
- ``stuck``: accepts and never reads (its buffers fill up, so writes to it stall).

Connections that close at once (a preflight probe) are ignored.
"""

from __future__ import annotations

import socket
import struct
import threading
import time


class FakeTerminalServer:
    """``with FakeTerminalServer("reset") as server: server.url`` -> ``socket://127.0.0.1:N``."""

    def __init__(self, mode: str):
        self.mode = mode
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.url = f"socket://127.0.0.1:{self.port}"
        self.busy = threading.Lock()  # one client a time (refuse mode)
        self.received = bytearray()  # everything any client sent
        self.connections = 0
        self.refused_busy = 0
        self.closed_by_client = threading.Event()
        self._threads: list[threading.Thread] = []
        self._stop = False

    def __enter__(self) -> FakeTerminalServer:
        thread = threading.Thread(target=self._accept, daemon=True)
        thread.start()
        self._threads.append(thread)
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop = True
        self.listener.close()

    def _accept(self) -> None:
        while not self._stop:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            if self.mode == "silent":
                self._drain(conn)
            elif self.mode == "stuck":
                while not self._stop:
                    time.sleep(0.05)
            elif self.mode == "reset":
                self._dialog(conn, reset=True)
            elif not self.busy.acquire(blocking=False):
                self.refused_busy += 1
                conn.sendall(b"\r\nport 7001 is already in use by another client\r\n")
            else:
                try:
                    self._dialog(conn, reset=False)
                finally:
                    self.busy.release()

    def _drain(self, conn: socket.socket) -> None:
        while self._recv(conn):
            pass

    def _recv(self, conn: socket.socket) -> bytes:
        try:
            data = conn.recv(4096)
        except OSError:
            return b""
        self.received += data
        if not data:
            self.closed_by_client.set()
        return data

    def _dialog(self, conn: socket.socket, reset: bool) -> None:
        """login: / password: on every line; the password line is reset or refused."""
        line, asked_password = b"", False
        while True:
            data = self._recv(conn)
            if not data:
                return
            line += data
            while b"\r" in line:
                typed, line = line.split(b"\r", 1)
                typed = typed.strip(b"\n")
                if asked_password:
                    conn.sendall(b"\r\nLogin incorrect\r\nlogin: ")
                    asked_password = False
                elif typed:
                    conn.sendall(typed + b"\r\npassword: ")
                    asked_password = True
                    if reset:
                        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                        return  # closing with linger 0 sends RST
                else:
                    conn.sendall(b"\r\nlogin: ")


class LoginConsole:
    """A console on a TCP port, one thread per client: quiet until a key is pressed, then
    ``login:``, ``password:`` (its echo is :meth:`echo_password`) and a prompt; each command line
    after that goes to :meth:`command`, which answers it (False: the connection ends)."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"socket://127.0.0.1:{self.listener.getsockname()[1]}"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:  # the transport's preflight probe connects first and closes at once
            conn, _ = self.listener.accept()
            threading.Thread(target=self.serve, args=(conn,), daemon=True).start()

    def serve(self, conn: socket.socket) -> None:
        with conn:
            counter, buffer, asked = 1, b"", "user"
            while data := conn.recv(4096):
                buffer += data
                while b"\r" in buffer:
                    line, buffer = buffer.split(b"\r", 1)
                    line = line.strip(b"\n")
                    if asked == "user" and not line:  # the harness's nudge: the console prints login:
                        conn.sendall(b"\r\nlogin: ")
                    elif asked == "user":
                        conn.sendall(line + b"\r\npassword: ")
                        asked = "password"
                    elif asked == "password":
                        conn.sendall(self.echo_password(line) + b"\r\nXCM8810.1 # ")
                        asked = ""
                    else:
                        counter += 1
                        if not self.command(conn, line, f"XCM8810.{counter} # ".encode()):
                            return

    def echo_password(self, typed: bytes) -> bytes:
        return b""  # a console does not echo a password

    def command(self, conn: socket.socket, line: bytes, prompt: bytes) -> bool:
        conn.sendall(line + b"\r\n" + prompt)
        return True
