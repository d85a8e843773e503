"""The end of a session read as such: OpenSSH's last words, a console reset, a new login, the
end of the file. An answer they cut is ``cut off``; nothing of them is read as device output."""

from __future__ import annotations

import json
import time

import pytest

from harness.replay.recordings import read_recording
from harness.replay.splitting import SSH_END_RE
from tests.replay.rp_helpers import run_hil, write_recording

SHOW_NODE = """\
Node        State       Priority    SwHealth    HwHealth
MSM-A       BACKUP      0           49          7
MSM-B       MASTER      0           49          7"""
BANNER = "\r\nXCM8800\r\nCopyright (C) 2011 NETGEAR, Inc. All rights reserved.\r\n\r\n"


def append(path, *entries: tuple[str, str]) -> None:
    """More traffic at the end of a recording."""
    with path.open("a", encoding="utf-8") as file:
        for direction, data in entries:
            file.write(json.dumps({"t": 9.0, "dir": direction, "data": data}) + "\n")


def replay_rows(capsys, path) -> tuple[int, list[str]]:
    status, out, err = run_hil(capsys, "replay", str(path))
    return status, out.splitlines()


@pytest.mark.timeout(600)
@pytest.mark.parametrize("run", ["green_virtual_run", "green_real_run"])
def test_replay_reads_every_recording_of_a_green_run(run, request, capsys):
    recordings = request.getfixturevalue(run)
    files = sorted(str(p) for p in recordings.glob("*.jsonl"))
    assert len(files) == 3, files
    status, out, err = run_hil(capsys, "replay", *files)
    assert status == 0, "\n".join(line for line in out.splitlines() if not line.endswith((" ok", " -")))
    assert "unreadable" not in out and out.count(" ok\n") > 40, out[-2000:]
    ssh = (recordings / next(p for p in files if p.endswith("-ssh.jsonl"))).read_text()
    assert SSH_END_RE.search(ssh), "no session ended in the run"  # the failover dropped the session: the case is there
    for path in files:
        for exchange in read_recording(path).exchanges:
            if exchange.prompt is not None:
                output = exchange.cleaned.output
                assert "Connection to" not in output and "password:" not in output, (exchange.command, output)


@pytest.mark.timeout(600)
def test_a_show_cut_by_a_dropped_ssh_session_is_cut_off_not_unreadable(green_virtual_run, capsys):
    status, out, _ = run_hil(capsys, "replay", str(green_virtual_run / "virtual-ssh.jsonl"))
    assert status == 0, out[-2000:]
    cut = [line for line in out.splitlines() if "cut off" in line]
    assert any(
        "show switch" in line and "the session ended: 'Connection to 127.0.0.1 closed.'" in line for line in cut
    ), cut


def test_openssh_disconnect_text_after_the_prompt_ends_the_session(tmp_path, capsys):
    """The issue's case: ``Disconnected from ... port N`` after a prompt, then a new login."""
    path = write_recording(tmp_path / "r.jsonl", [("show node", SHOW_NODE)])
    append(
        path,
        ("received", "Received disconnect from 127.0.0.1 port 36799:11: Disconnected by application\r\r\n"),
        ("received", "Disconnected from 127.0.0.1 port 36799\r\r\n\radmin@127.0.0.1's password: "),
        ("sent", "********\r"),
        ("received", BANNER + "XCM8810.1 # "),
        ("sent", "show node\r"),
        ("received", "show node\r\n" + SHOW_NODE.replace("\n", "\r\n") + "\r\nXCM8810.2 # "),
    )
    status, rows = replay_rows(capsys, path)
    assert status == 0, rows
    assert [row.split()[1:] for row in rows[1:]] == [["show", "node", "ok"], ["show", "node", "ok"]]


def test_a_console_reset_cuts_the_answer_and_the_next_login_starts_afresh(tmp_path, capsys):
    path = write_recording(tmp_path / "r.jsonl", [], session="MSM-A")
    append(
        path,
        ("sent", "show switch\r"),
        ("received", "show switch\r\nSysName:          XCM8810\r\nSysLocation:      \r\n"),
        ("received", "\r\nRebooting ...\r\nNETGEAR XCM8800 BootROM 1.0.1.3\r\nStarting primary image 12.4.2.8 ...\r\n"),
        ("received", "\r\nlogin: "),
        ("sent", "admin\r"),
        ("received", "admin\r\npassword: "),
        ("sent", "********\r"),
        ("received", BANNER + "XCM8810.1 # "),
        ("sent", "show node\r"),
        ("received", "show node\r\n" + SHOW_NODE.replace("\n", "\r\n") + "\r\nXCM8810.2 # "),
    )
    status, rows = replay_rows(capsys, path)
    assert status == 0, rows
    assert (
        "show switch                      cut off: no prompt after the output: the console reset: 'Rebooting ...'"
        in rows[1]
    )
    assert rows[2].split()[1:] == ["show", "node", "ok"]


def test_a_new_login_without_a_word_from_openssh_cuts_the_answer(tmp_path, capsys):
    path = write_recording(tmp_path / "r.jsonl", [])
    append(
        path,
        ("sent", "show node\r"),
        ("received", "show node\r\nNode        State\r\n"),
        ("received", "admin@10.1.1.5's password: "),
        ("sent", "********\r"),
        ("received", BANNER + "XCM8810.1 # "),
    )
    status, rows = replay_rows(capsys, path)
    assert status == 0
    assert rows[1].endswith("cut off: no prompt after the output: a new login began: 'admin@10.1.1.5's password:'")


def test_noise_bytes_as_the_transcript_writes_them_are_line_noise(tmp_path, capsys):
    """An undecodable byte is written ``\\x98``; the session saw it as noise and dropped it."""
    path = write_recording(tmp_path / "r.jsonl", [("show node", SHOW_NODE.replace("State", "St\\x98\\xa7ate"))])
    status, rows = replay_rows(capsys, path)
    assert status == 0 and rows[1].split()[1:] == ["show", "node", "ok"], rows


def test_reading_is_linear_in_a_long_stretch_without_a_prompt(tmp_path):
    """4 MB received in 1 KB pieces with a key sent after each (a pager answered): read within 2 s."""
    path = write_recording(tmp_path / "r.jsonl", [])
    piece = json.dumps({"t": 1.0, "dir": "received", "data": "x" * 1000 + "\r\n"})
    key = json.dumps({"t": 1.0, "dir": "sent", "data": " "})
    with path.open("a") as file:
        file.write(json.dumps({"t": 1.0, "dir": "sent", "data": "show log\r"}) + "\n")
        file.write(f"{piece}\n{key}\n" * 4000)
    started = time.perf_counter()
    recorded = read_recording(path)
    assert time.perf_counter() - started < 2.0
    assert [(e.command, e.prompt, e.cut) for e in recorded.exchanges] == [("show log", None, "the recording ends")]
