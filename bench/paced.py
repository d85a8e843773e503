"""Benchmark 3: consoles paced at a real line rate (8N1): how close a fetch gets to the time the
bytes need on the wire, ``bytes x 10 / baud``."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from bench.common import Emulator, Row, sec, timed
from drivers import CliSession, SerialTransport, Transcript
from drivers.secret import Secret
from drivers.transports.base import WRITE_TIMEOUT
from virtual_chassis.endpoints.pacing import wire_time

WIRE_LIMIT = 1.02  # fetch time / wire time
#: line rate -> configuration size, so that a fetch takes a few seconds at that rate
RATES = ((9600, 100), (115200, 1000))
COMMANDS = ("show switch", "show configuration")


class CountingTransport:
    """A console transport that counts the bytes it received (the wire time of a fetch)."""

    def __init__(self, inner: SerialTransport):
        self.inner = inner
        self.received = 0
        self.name, self.kind = inner.name, inner.kind

    transcript = property(
        lambda self: self.inner.transcript, lambda self, value: setattr(self.inner, "transcript", value)
    )
    is_open = property(lambda self: self.inner.is_open)

    def open(self, deadline) -> None:
        self.inner.open(deadline)

    def read(self, timeout: float) -> bytes:
        data = self.inner.read(timeout)
        self.received += len(data)
        return data

    def write(self, data: bytes | Secret, timeout: float = WRITE_TIMEOUT) -> None:
        self.inner.write(data, timeout)

    def close(self) -> None:
        self.inner.close()


def paced_rows(work: Path) -> list[Row]:
    """Fetch time vs wire time at 9600 and 115200 baud, over the pty and over socket://."""
    rows = []
    for baud, lines in RATES:
        with Emulator("--speed", "100", "--baud", str(baud), "--config-lines", str(lines)) as emulator:
            for kind, label in (("pty", "pty"), ("tcp", "socket://")):
                link = CountingTransport(SerialTransport(emulator.endpoints["consoles"]["MSM-A"][kind], baud))
                transcript = Transcript(work / f"paced-{baud}-{kind}.log")
                session = CliSession(link, transcript=transcript)
                session.connect(300)
                try:
                    for command in COMMANDS:
                        link.received = 0
                        seconds, _ = timed(partial(session.run, command, timeout=600, check=True))
                        wire = wire_time(link.received, baud)
                        what = f"{lines}-line " if command == "show configuration" else ""
                        rows.append(
                            Row(
                                "3",
                                f"{baud} baud {label}: {what}{command}, {link.received} bytes",
                                sec(seconds),
                                sec(wire),
                                f"{seconds / wire:.4f}x",
                                "—",
                                f"<= {WIRE_LIMIT:g}x",
                                "yes" if seconds <= WIRE_LIMIT * wire else "NO",
                            )
                        )
                finally:
                    session.close()
                    transcript.close()
    return rows
