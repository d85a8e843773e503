"""Helpers of the record-and-replay tests: write recordings, run ``hil``, edit recorded outputs."""

from __future__ import annotations

import json
from pathlib import Path

from harness.cli import main as hil

PROMPT = "XCM8810.{n} # "


def write_recording(
    path: Path, exchanges: list[tuple[str, str]], session: str = "ssh", chassis: str = "lab1", prompt: str = PROMPT
) -> Path:
    """A recording as the harness writes it: login, banner, then each (command, output) at a prompt."""
    entries: list[dict] = [
        {"chassis": chassis, "session": session, "transport": "ssh", "started": "2026-12-01T10:00:00+00:00"}
    ]

    def add(direction: str, data: str) -> None:
        entries.append({"t": round(0.01 * len(entries), 3), "dir": direction, "data": data})

    add("received", "login: ")
    add("sent", "admin\r")
    add("received", "admin\r\npassword: ")
    add("sent", "********\r")
    add("received", f"\r\nXCM8800\r\n\r\n{prompt.format(n=1)}")
    for number, (command, output) in enumerate(exchanges, 2):
        add("note", f"run {command!r}")
        add("sent", command + "\r")
        body = "".join(line + "\r\n" for line in output.splitlines())
        add("received", f"{command}\r\n{body}{prompt.format(n=number)}")
    path.write_text("".join(json.dumps(e) + "\n" for e in entries), encoding="utf-8")
    return path


def run_hil(capsys, *argv: str) -> tuple[int, str, str]:
    """``hil ARGV`` in this process: exit status, stdout, stderr."""
    status = hil(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def recorded_outputs(path: Path) -> list[tuple[str, str]]:
    """(command, cleaned output) of each exchange of a recording that ended at a prompt."""
    from harness.replay.recordings import read_recording

    return [(e.command, e.cleaned.output) for e in read_recording(path).exchanges if e.prompt]
