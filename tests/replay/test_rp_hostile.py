"""Hostile recordings: whatever is wrong with the file, ``hil replay``, ``hil parity`` and ``hil
virtual --replay`` say it in one line naming the file and the line, exit 2, write nothing
outside their workdir, and print what the file holds escaped and short."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.replay.rp_helpers import run_hil, write_recording
from virtual_chassis.__main__ import main as emulator

HEADER = {"chassis": "lab1", "session": "ssh", "transport": "ssh", "started": "2026-12-01T10:00:00+00:00"}
NODE_HEADING = "Node        State       Priority    SwHealth    HwHealth"
TRAFFIC = {"t": 0.5, "dir": "received", "data": "login: "}


def lines(*entries) -> str:
    return "".join((e if isinstance(e, str) else json.dumps(e)) + "\n" for e in entries)


#: (case, file text, the line number the error names, words of the reason)
BROKEN = [
    ("invalid JSON", lines(HEADER, TRAFFIC, '{"t": 1, "dir": "sent", "data": "x\r"'), 3, "not JSON"),
    ("t is text", lines(HEADER, {**TRAFFIC, "t": "soon"}), 2, "'t' must be"),
    ("t is negative", lines(HEADER, TRAFFIC, {**TRAFFIC, "t": -1}), 3, "'t' must be"),
    ("t is true", lines(HEADER, {**TRAFFIC, "t": True}), 2, "'t' must be"),
    ("data is a number", lines(HEADER, {**TRAFFIC, "data": 5}), 2, "'dir' must be"),
    ("dir is a list", lines(HEADER, {**TRAFFIC, "dir": ["sent"]}), 2, "'dir' must be"),
    ("dir is unknown", lines(HEADER, {**TRAFFIC, "dir": "sideways"}), 2, "'dir' must be"),
    ("header chassis is a number", lines({**HEADER, "chassis": 5}, TRAFFIC), 1, "lacks chassis"),
    ("a line is a list", lines(HEADER, "[1, 2]"), 2, "not a JSON object"),
    (
        "deep nesting",
        lines(HEADER, '{"t": 1, "dir": "note", "data": "", "x": ' + "[" * 200000 + "]" * 200000 + "}"),
        2,
        "nests too deep",
    ),
    ("chassis with ..", lines({**HEADER, "chassis": "../../outside"}, TRAFFIC), 1, "is not a name"),
    ("chassis with /", lines({**HEADER, "chassis": "lab/1"}, TRAFFIC), 1, "is not a name"),
    ("session with ..", lines({**HEADER, "session": ".."}, TRAFFIC), 1, "is not a name"),
    ("second header's chassis", lines(HEADER, TRAFFIC, {**HEADER, "chassis": "/etc"}), 3, "is not a name"),
    ("chassis with an escape", lines({**HEADER, "chassis": "lab\x1b]2;owned\x07"}, TRAFFIC), 1, "is not a name"),
    ("not UTF-8", None, 2, "not UTF-8"),
    ("a 50 MB line", None, 2, "longer than 8 MiB"),
]


def write_broken(path: Path, case: str, text: str | None) -> Path:
    if case == "not UTF-8":
        path.write_bytes(lines(HEADER).encode() + b'{"t": 1, "dir": "sent", "data": "\xff\xfe"}\n')
    elif case == "a 50 MB line":
        with path.open("w") as file:
            file.write(lines(HEADER) + '{"t": 1, "dir": "received", "data": "' + "\x1b[2J" * (50 << 18) + '"}\n')
    else:
        path.write_text(text or "", encoding="utf-8")
    return path


def files_under(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*")}


@pytest.mark.parametrize("command", ["replay", "parity", "virtual"])
@pytest.mark.parametrize(("case", "text", "number", "reason"), BROKEN, ids=[c[0] for c in BROKEN])
def test_a_malformed_recording_is_one_line_naming_file_and_line_and_exit_2(
    tmp_path, capsys, command, case, text, number, reason
):
    path = write_broken(tmp_path / "bad.jsonl", case, text)
    before = files_under(tmp_path.parent)
    if command == "virtual":  # what ``hil virtual --replay`` runs in its child process
        status = emulator(["--replay", str(path)])
        out, err = capsys.readouterr()
    else:
        workdir = ["--workdir", str(tmp_path / "w")] if command == "parity" else []
        status, out, err = run_hil(capsys, command, *workdir, str(path))
    assert status == 2, out + err
    assert err.count("\n") == 1, err[:2000]
    assert str(path) in err and f"line {number}" in err and reason in err, err
    assert "\x1b" not in err + out and len(err) < 600
    assert files_under(tmp_path.parent) - before == set()  # not even the workdir: nothing was run


def test_parity_writes_nothing_outside_its_workdir_whatever_the_chassis_is_called(tmp_path, capsys):
    for name in ("../../escaped", "a/../../b", "x/y"):
        path = write_recording(tmp_path / "r.jsonl", [("show node", "")], chassis=name)
        outside = tmp_path.parent
        before = files_under(outside)
        status, _, err = run_hil(capsys, "parity", "--workdir", str(tmp_path / "w"), str(path))
        assert status == 2 and "is not a name" in err, err
        assert files_under(outside) - before == set()


def test_escapes_in_a_recording_are_shown_escaped_and_long_lines_short(tmp_path, capsys):
    path = write_recording(tmp_path / "r.jsonl", [("show node", NODE_HEADING + "\n" + "A" * 1_000_000)])
    silent = tmp_path / "silent.jsonl"
    silent.write_text(
        lines(
            {**HEADER, "started": "2026\x1b]2;owned\x07", "transport": "ssh\x1b[2J"},
            {**TRAFFIC, "data": "\r\n\x1b[5mblink " + "B" * 500},
        )
    )
    status, out, err = run_hil(capsys, "replay", str(path), str(silent))
    assert status == 1, out + err
    assert "\x1b" not in out + err and "\x07" not in out
    assert "started 2026\\x1b]2;owned\\x07" in out and "(ssh\\x1b[2J)" in out  # the header, escaped
    assert "the last line the device printed: '\\x1b[5mblink BBB" in out
    assert max(len(line) for line in out.splitlines()) < 400, max(out.splitlines(), key=len)[:500]
    assert "unreadable: unexpected line at line 'AAAA" in out and "more characters)" in out


@pytest.mark.parametrize(
    ("entry", "reason"),
    [
        ("type: replay\n    replay: {}", "expected a list of recording files"),
        ("type: replay", "a replay chassis needs its recordings"),
        ("type: replay\n    replay: {recordings: [missing.jsonl]}", "missing.jsonl is not a file"),
        ("type: replay\n    replay: {recordings: [r.jsonl]}\n    consoles: {MSM-A: /dev/null}", "not used by a replay"),
        ("type: real\n    replay: {recordings: [r.jsonl]}", "not used by a real chassis"),
    ],
)
def test_a_broken_replay_testbed_is_one_line_and_exit_2(tmp_path, capsys, entry, reason):
    write_recording(tmp_path / "r.jsonl", [("show node", "")])
    (tmp_path / "testbed.yaml").write_text(f"chassis:\n  lab1:\n    {entry}\n")
    status, out, err = run_hil(capsys, "check", "--testbed", str(tmp_path / "testbed.yaml"))
    assert status == 2, out + err
    assert err.count("\n") == 1 and reason in err, err
