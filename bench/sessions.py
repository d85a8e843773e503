"""Our side and Netmiko's side of the command benchmarks: the same work as :mod:`bench.raw`."""

from __future__ import annotations

import time
from functools import partial
from pathlib import Path

from bench.common import SETTLE, WARM_UP, Figures, timed
from drivers import CliSession, Transcript

COMMAND_TIMEOUT = 120.0


def session_figures(
    make_transport, samples: int, repeats: int, transcripts: Path | None, username: str = "admin", password: str = ""
) -> dict[str, Figures]:
    """``CliSession`` as the harness runs it (transcript to a file; none when ``transcripts`` is
    None): connect+login ``repeats`` times, ``samples`` x ``show switch``, ``repeats`` fetches
    of ``show configuration``."""

    def session(number: int) -> CliSession:
        transcript = (
            Transcript(transcripts / f"bench-{number}.log", secrets=[password]) if transcripts is not None else None
        )
        return CliSession(make_transport(), username, password, transcript=transcript)

    logins = []
    for number in range(repeats):
        opened = session(number)
        logins.append(timed(partial(opened.connect, 60))[0])
        close_session(opened)
    time.sleep(SETTLE)
    opened = session(repeats)
    opened.connect(60)
    try:
        for _ in range(WARM_UP):
            opened.run("show switch", check=True)
        switch = [timed(lambda: opened.run("show switch", check=True))[0] for _ in range(samples)]
        config = [
            timed(lambda: opened.run("show configuration", COMMAND_TIMEOUT, check=True))[0] for _ in range(repeats)
        ]
    finally:
        close_session(opened)
    return {"login": Figures.of(logins), "show switch": Figures.of(switch), "show configuration": Figures.of(config)}


def close_session(session: CliSession) -> None:
    """Log out and close ``session``, then its transcript."""
    session.close()
    if session.transcript is not None:
        session.transcript.close()


def netmiko_figures(
    host: str, port: int, samples: int, repeats: int, username: str = "admin", password: str = ""
) -> dict[str, Figures]:
    """Netmiko ``extreme_exos``: the same work as :func:`session_figures`."""
    from netmiko import ConnectHandler

    def connect():
        return ConnectHandler(
            device_type="extreme_exos",
            host=host,
            port=port,
            username=username,
            password=password,
            ssh_strict=False,
            system_host_keys=False,
            alt_host_keys=False,
            use_keys=False,
            allow_agent=False,
        )

    logins = []
    for _ in range(repeats):
        seconds, handler = timed(connect)
        logins.append(seconds)
        handler.disconnect()
    time.sleep(SETTLE)
    handler = connect()
    try:
        for _ in range(WARM_UP):
            handler.send_command("show switch")
        switch = [timed(lambda: handler.send_command("show switch"))[0] for _ in range(samples)]
        config = [
            timed(lambda: handler.send_command("show configuration", read_timeout=COMMAND_TIMEOUT))[0]
            for _ in range(repeats)
        ]
    finally:
        handler.disconnect()
    return {"login": Figures.of(logins), "show switch": Figures.of(switch), "show configuration": Figures.of(config)}
