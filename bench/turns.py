"""Clients of one console measured in turns: a block of commands by ours, then by the raw
floor, then by ours without a transcript, and again, so a change in the machine's load
(other work on its 2 cores) falls on every client alike instead of on whichever ran last.

A console takes one client at a time: each turn logs in, runs its block and logs out.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Protocol

from bench.common import Figures, timed
from bench.raw import RawSerial
from bench.sessions import COMMAND_TIMEOUT, close_session
from drivers import CliSession, SerialTransport, Transcript

#: Commands each client runs per turn, and untimed ones after each login.
TURN, TURN_WARM_UP = 25, 3


class Client(Protocol):
    def connect(self) -> None: ...
    def run(self, command: str) -> None: ...
    def close(self) -> None: ...


class OurConsole:
    """``CliSession`` on a ``SerialTransport`` as a run uses it: with a transcript to a file
    (``transcripts``), or none when it is None."""

    def __init__(self, url: str, transcripts: Path | None, name: str) -> None:
        transcript = Transcript(transcripts / f"{name}.log") if transcripts is not None else None
        self.session = CliSession(SerialTransport(url), "admin", "", transcript=transcript)

    def connect(self) -> None:
        self.session.connect(60)

    def run(self, command: str) -> None:
        self.session.run(command, COMMAND_TIMEOUT, check=True)

    def close(self) -> None:
        close_session(self.session)


class RawConsole:
    """The raw pyserial loop of :mod:`bench.raw` as a client."""

    def __init__(self, url: str) -> None:
        self.console = RawSerial(url)

    def connect(self) -> None:
        self.console.login("admin", "")

    def run(self, command: str) -> None:
        self.console.run(command)

    def close(self) -> None:
        try:
            self.console.logout()
        finally:
            self.console.close()


def in_turns(
    clients: dict[str, Callable[[], Client]], command: str, samples: int, turn: int = TURN, warm_up: int = TURN_WARM_UP
) -> dict[str, dict[str, Figures]]:
    """``samples`` timed runs of ``command`` per client, ``turn`` at a time each in turn; per
    client the figures of its ``command`` and of its logins (``"login"``)."""
    times: dict[str, list[float]] = {name: [] for name in clients}
    logins: dict[str, list[float]] = {name: [] for name in clients}
    while any(len(taken) < samples for taken in times.values()):
        for name, make in clients.items():
            client = make()
            logins[name].append(timed(client.connect)[0])
            try:
                for _ in range(warm_up):
                    client.run(command)
                for _ in range(min(turn, samples - len(times[name]))):
                    times[name].append(timed(partial(client.run, command))[0])
            finally:
                client.close()
    return {name: {command: Figures.of(times[name]), "login": Figures.of(logins[name])} for name in clients}
