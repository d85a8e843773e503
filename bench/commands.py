"""Benchmarks 1 and 2: command round trips over SSH and over the consoles (pty, ``socket://``)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from functools import partial
from pathlib import Path

from bench.common import Emulator, Figures, Row, limit_row, ms, ratio_row, sec, timed
from bench.raw import RawSerial, ssh_floor
from bench.sessions import netmiko_figures, session_figures
from bench.turns import Client, OurConsole, RawConsole, in_turns
from drivers import SshTransport, Transcript
from drivers.transports.base import READ_PIECE

ROUND_TRIP_LIMIT = 1.5  # x the raw floor
LOGIN_LIMIT = 0.25  # seconds


def _part(figures: dict | None, key: str, part: str) -> float | None:
    """``figures[key].median`` (or ``.p95``), None when that client was not measured."""
    return getattr(figures[key], part) if figures else None


def _rows(section: str, how: str, ours: dict, floor: dict, other: dict | None) -> list[Row]:
    switch, config = ours["show switch"], ours["show configuration"]
    login = _part(other, "login", "median")
    return [
        ratio_row(
            section,
            f"{how}: show switch, median of {switch.count}",
            switch.median,
            floor["show switch"].median,
            ROUND_TRIP_LIMIT,
            _part(other, "show switch", "median"),
        ),
        ratio_row(
            section,
            f"{how}: show switch, p95",
            switch.p95,
            floor["show switch"].p95,
            ROUND_TRIP_LIMIT,
            _part(other, "show switch", "p95"),
        ),
        limit_row(
            section,
            f"{how}: connect + login, median of {ours['login'].count}",
            ours["login"].median,
            LOGIN_LIMIT,
            floor=sec(floor["login"].median),
            other=sec(login) if login else "—",
        ),
        ratio_row(
            section,
            f"{how}: 5,000-line show configuration, median of {config.count}",
            config.median,
            floor["show configuration"].median,
            None,
            _part(other, "show configuration", "median"),
        ),
    ]


def ssh_rows(emulator: Emulator, work: Path, samples: int, repeats: int, netmiko: bool) -> list[Row]:
    """1. SSH: CliSession (OpenSSH under pexpect) vs raw asyncssh vs Netmiko extreme_exos."""
    e = emulator.endpoints
    host, port = e["ssh"]["host"], e["ssh"]["port"]
    ours = session_figures(
        lambda: SshTransport(host, port, known_hosts=work / "known_hosts"), samples, repeats, work / "transcripts"
    )
    floor = asyncio.run(ssh_floor(host, port, "admin", "", samples, repeats))
    other = netmiko_figures(host, port, samples, repeats) if netmiko else None
    return _rows("1", "SSH", ours, floor, other)


def console_rows(emulator: Emulator, work: Path, samples: int, repeats: int) -> list[Row]:
    """2. Consoles: CliSession on SerialTransport vs a raw pyserial read loop, pty and socket://,
    measured in turns (:mod:`bench.turns`)."""
    rows = []
    for kind, label in (("pty", "pty"), ("tcp", "socket://")):
        url = emulator.endpoints["consoles"]["MSM-A"][kind]
        clients: dict[str, Callable[[], Client]] = {
            "ours": partial(OurConsole, url, work / "transcripts", f"console-{kind}"),
            "floor": partial(RawConsole, url),
            "bare": partial(OurConsole, url, None, ""),
        }
        switch = in_turns(clients, "show switch", samples)
        fetches = in_turns({k: clients[k] for k in ("ours", "floor")}, "show configuration", repeats, 1, 0)
        ours, floor = ({**switch[k], **fetches[k], "login": switch[k]["login"]} for k in ("ours", "floor"))
        rows += _rows("2", f"console {label}", ours, floor, None)
        rows.append(
            ratio_row(
                "2",
                f"console {label}: show switch, median, CliSession without transcript",
                switch["bare"]["show switch"].median,
                floor["show switch"].median,
                ROUND_TRIP_LIMIT,
            )
        )
    rows.append(transcript_write_row(emulator.endpoints["consoles"]["MSM-A"]["pty"], work, repeats))
    return rows


def transcript_write_row(url: str, work: Path, repeats: int) -> Row:
    """What the fetch rows leave out: the transcript keeps a command's records and writes them
    when a wait lasts or in its writer thread. This times that write for one 5,000-line output
    (received in 64 KiB chunks, formatted, written and flushed)."""
    console = RawSerial(url)
    console.login("admin", "")
    try:
        output = console.run("show configuration")
    finally:
        console.logout()
        console.close()
    writes = []
    for number in range(repeats):
        with Transcript(work / f"write-{number}.log") as transcript:
            with transcript.batch():
                for start in range(0, len(output), READ_PIECE):
                    transcript.received(output[start : start + READ_PIECE])
                writes.append(timed(transcript.flush)[0])
    return Row(
        "2",
        f"transcript: writing a 5,000-line output ({len(output) // 1000} KB) after the command, median of {repeats}",
        ms(Figures.of(writes).median),
    )
