"""A serial console transport: anything ``serial.serial_for_url`` opens.

``/dev/ttyUSB0``, ``/dev/pts/N``, ``socket://host:port`` (raw TCP, ser2net style) and
``rfc2217://host:port``. Reads wait with ``select`` on the port's file descriptor where there
is one (pyserial's ``in_waiting`` on ``socket://`` is 0/1, not a count), so a read returns as
soon as anything arrived; ``rfc2217://`` has no descriptor and uses short bounded reads.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import urllib.parse

import serial
from serial.urlhandler import protocol_socket

from drivers.deadline import Deadline
from drivers.errors import ConnectionFailed, ConnectionLost
from drivers.secret import Secret
from drivers.transcript import Transcript
from drivers.transports.base import READ_PIECE, WRITE_TIMEOUT, read_more, wait_readable, write_fd

#: rfc2217 ports have no file descriptor: reads poll with this granularity.
_RFC2217_POLL = 0.05
#: At most this much stale input is discarded when the port is opened.
_STALE_LIMIT = 1 << 20


class _SocketPort(protocol_socket.Serial):
    """pyserial's ``socket://`` port with a connect timeout from our deadline and a close
    that does not sleep 0.3 s."""

    connect_timeout = 5.0
    _socket: socket.socket | None
    is_open: bool

    def open(self) -> None:
        if self.is_open:
            raise serial.SerialException("Port is already open.")
        try:
            connection = socket.create_connection(self.from_url(self.portstr), timeout=self.connect_timeout)
        except OSError as exc:
            self._socket = None
            raise serial.SerialException(f"could not connect: {exc}") from None
        connection.setblocking(False)
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._socket = connection
        self.is_open = True

    def close(self) -> None:
        if self._socket is not None:
            try:
                self._socket.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self._socket.close()
            self._socket = None
        self.is_open = False


def _advice(url: str) -> str:
    scheme = urllib.parse.urlsplit(url).scheme
    if scheme in ("socket", "rfc2217"):
        return (
            "check that the terminal server (ser2net, console server or virtual chassis) at that "
            "address is running and the port is right, and that no other session holds the console"
        )
    return (
        "check that the console cable or USB adapter is connected, the device name is right, "
        "you may open it (e.g. member of the dialout group), and no other program "
        "(screen, minicom, ser2net) holds the port"
    )


def _with_network_timeout(url: str, deadline: Deadline) -> str:
    """An rfc2217 URL whose negotiation waits fit the deadline (pyserial's default is 3 s each)."""
    if "timeout=" in url:
        return url
    seconds = min(3.0, max(0.1, deadline.remaining() / 3))
    return f"{url}{'&' if '?' in url else '?'}timeout={seconds:.2f}"


def _open_within(port: serial.SerialBase, deadline: Deadline) -> None:
    """``port.open()``, given up at the deadline (pyserial's rfc2217 connect waits 5 s and a
    device path may block on its modem lines); a late open is closed by its own thread."""
    if isinstance(port, _SocketPort):  # its connect has the deadline's timeout already
        port.open()
        return
    done = threading.Event()
    failure: list[BaseException] = []
    given_up = threading.Event()

    def opener() -> None:
        try:
            port.open()
        except BaseException as exc:  # noqa: BLE001 - handed to the caller
            failure.append(exc)
        finally:
            done.set()
            if given_up.is_set() and port.is_open:
                port.close()

    threading.Thread(target=opener, name=f"open {port.portstr}", daemon=True).start()
    if not done.wait(deadline.remaining()):
        given_up.set()
        if done.is_set() and port.is_open:
            port.close()
        raise serial.SerialException(f"no connection within {deadline.seconds:g}s")
    if failure:
        raise failure[0]


class SerialTransport:
    """Console transport over a serial URL; see the module docstring."""

    kind = "console"

    def __init__(self, url: str, baudrate: int = 9600, transcript: Transcript | None = None):
        self.url = url
        self.baudrate = baudrate
        self.transcript = transcript
        self.name = f"console {url}"
        self._port: serial.SerialBase | None = None
        self._fd: int | None = None

    @property
    def is_open(self) -> bool:
        return self._port is not None

    def open(self, deadline: Deadline | float = 10.0) -> None:
        """Open the port and discard stale input; ConnectionFailed names the URL and what to check."""
        if self.is_open:
            return
        deadline = Deadline.of(deadline)
        port = self._make_port(deadline)
        try:
            _open_within(port, deadline)
        except (serial.SerialException, OSError, ValueError) as exc:
            raise ConnectionFailed(f"cannot open console {self.url}: {exc}; {_advice(self.url)}") from None
        self._port = port
        try:
            self._fd = port.fileno()
        except (AttributeError, OSError, ValueError, NotImplementedError):
            self._fd = None
        self._discard_stale_input()

    def _make_port(self, deadline: Deadline) -> serial.SerialBase:
        try:
            if self.url.startswith("socket://"):
                port = _SocketPort(None, timeout=0)
                port.connect_timeout = max(0.1, deadline.remaining())
                port.port = self.url
                return port
            url, timeout = self.url, 0.0
            if url.startswith("rfc2217://"):
                url, timeout = _with_network_timeout(url, deadline), _RFC2217_POLL
            return serial.serial_for_url(url, baudrate=self.baudrate, timeout=timeout, do_not_open=True)
        except (serial.SerialException, ValueError) as exc:
            raise ConnectionFailed(
                f"cannot use console URL {self.url!r}: {exc}; give a device path, socket://host:port "
                "or rfc2217://host:port"
            ) from None

    def _discard_stale_input(self) -> None:
        discarded = 0
        while discarded < _STALE_LIMIT:
            data = self._read_available(0)
            if not data:
                break
            discarded += len(data)
        if discarded and self.transcript is not None:
            self.transcript.note(f"discarded {discarded} bytes of stale console input")

    def read(self, timeout: float) -> bytes:
        """What arrived within ``timeout`` seconds; ConnectionLost on EOF or hang-up."""
        data = self._read_available(timeout)
        if data and self.transcript is not None:
            self.transcript.received(data)
        return data

    def _read_available(self, timeout: float) -> bytes:
        port = self._require_open()
        try:
            if self._fd is not None:
                if not wait_readable(self._fd, timeout, self.transcript):
                    return b""
                return self._drain(self._fd)
            if timeout > 0 and self.transcript is not None:  # no descriptor to wait on first
                self.transcript.flush()
            return self._poll_read(port, timeout)
        except (serial.SerialException, OSError, ValueError) as exc:
            self.close()
            raise ConnectionLost(f"{self.name} closed: {exc}; check the console link and reconnect") from None

    @staticmethod
    def _drain(fd: int) -> bytes:
        """What is there, up to :data:`~drivers.transports.base.READ_LIMIT` (pyserial's read()
        would take two more system calls per 4 KiB piece of a pty)."""
        try:
            data = os.read(fd, READ_PIECE)
        except BlockingIOError:
            return b""
        if not data:
            raise serial.SerialException("end of file")
        return read_more(fd, data)

    @staticmethod
    def _poll_read(port: serial.SerialBase, timeout: float) -> bytes:
        end = time.monotonic() + timeout
        while True:
            data = port.read(1)
            if data:
                return data + port.read(port.in_waiting)
            if time.monotonic() >= end:
                return b""

    def write(self, data: bytes | Secret, timeout: float = WRITE_TIMEOUT) -> None:
        """Send ``data`` within ``timeout`` s; ConnectionLost if the port is gone or takes nothing.

        Whatever the write raises is replaced (``from None``): the frames below it may hold the
        bytes written, which may be the password."""
        port = self._require_open()
        deadline = Deadline(timeout)
        try:
            if self._fd is not None:
                written = write_fd(self._fd, data, deadline)
            else:  # rfc2217: pyserial escapes IAC bytes; its socket's timeout bounds sendall
                port._socket.settimeout(max(0.05, deadline.remaining()))
                written = port.write(data.reveal_bytes() if isinstance(data, Secret) else data) is not None
        except Exception as exc:  # noqa: BLE001 - any failure of the OS write is a lost link
            self.close()
            raise ConnectionLost(
                f"cannot write to {self.name}: {type(exc).__name__}: {exc}; check the console link and reconnect"
            ) from None
        finally:  # recorded after the write, while the device works on it (also when it failed)
            if self.transcript is not None:
                self.transcript.sent(data)
        if not written:
            self.close()
            raise ConnectionLost(
                f"cannot write to {self.name}: nothing was taken within {timeout:g}s; the console is not "
                "taking input (flow control, a stuck terminal server port); check the link and reconnect"
            )

    def close(self) -> None:
        """Close the port (fast, idempotent)."""
        port, self._port, self._fd = self._port, None, None
        if port is not None:
            try:
                port.close()
            except (serial.SerialException, OSError):
                pass

    def _require_open(self) -> serial.SerialBase:
        if self._port is None:
            raise ConnectionLost(f"{self.name} is not open; call open() first")
        return self._port

    def __repr__(self) -> str:
        return f"SerialTransport({self.url!r})"
