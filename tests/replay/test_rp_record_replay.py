"""Record sessions the harness drives on a virtual chassis, then read them back with ``hil
replay`` and hold them against the emulator with ``hil parity``; real shapes edited in."""

from __future__ import annotations

import json

from harness.replay.parity import IGNORED_DESCRIPTION
from tests.replay.conftest import COMMANDS, PASSWORD
from tests.replay.rp_helpers import recorded_outputs, run_hil, write_recording


def test_every_session_is_recorded_beside_its_transcript(recorded):
    files = sorted(p.name for p in recorded.iterdir())
    assert files == ["lab1-MSM-A.jsonl", "lab1-MSM-B.jsonl", "lab1-ssh.jsonl"]
    assert (recorded.parent / "transcripts" / "lab1-ssh.log").exists()
    for path in recorded.iterdir():
        lines = [json.loads(line) for line in path.read_text().splitlines()]
        header, entries = lines[0], lines[1:]
        assert header["chassis"] == "lab1" and header["session"] == path.stem.split("-", 1)[1]
        assert header["transport"] == ("ssh" if header["session"] == "ssh" else "serial")
        assert header["started"][:4].isdigit()
        assert {e["dir"] for e in entries} == {"sent", "received", "note"}
        times = [e["t"] for e in entries]
        assert times == sorted(times) and times[0] >= 0


def test_the_password_never_reaches_a_recording(recorded):
    for path in recorded.iterdir():
        text = path.read_text()
        assert PASSWORD not in text
        assert PASSWORD[:6] not in text  # not even split over two chunks
    assert '"dir": "sent", "data": "********\\r"' in (recorded / "lab1-MSM-A.jsonl").read_text()


def test_replay_reads_every_recorded_output(recorded, capsys):
    status, out, err = run_hil(capsys, "replay", *map(str, sorted(recorded.iterdir())))
    assert status == 0, out + err
    for commands in COMMANDS.values():
        for command in commands:
            assert any(line.split()[1:] == [*command.split(), "ok"] for line in out.splitlines()), (command, out)
    assert "unreadable" not in out


def test_parity_finds_no_difference_with_the_emulator(recorded, capsys, tmp_path):
    files = [str(recorded / f"lab1-{where}.jsonl") for where in ("ssh", "MSM-B")]
    status, out, err = run_hil(capsys, "parity", "--workdir", str(tmp_path), *files)
    assert status == 0, out + err
    assert out.count(" same") == len(COMMANDS["ssh"]) + len(COMMANDS["MSM-B"])
    assert f"0 command(s) differ (not compared: {IGNORED_DESCRIPTION})" in out


def test_parity_prints_each_difference(recorded, capsys, tmp_path):
    edited = tmp_path / "edited.jsonl"
    text = (recorded / "lab1-ssh.jsonl").read_text()
    node_row = next(line for line in text.split("\\r\\n") if line.startswith("MSM-B ") and "BACKUP" in line)
    edited.write_text(text.replace(node_row, node_row.replace("BACKUP      0", "BACKUP      7", 1)))
    status, out, _ = run_hil(capsys, "parity", "--workdir", str(tmp_path / "w"), str(edited))
    assert status == 1
    assert "MSM-B.priority: recorded 7, emulator 0" in out


def test_parity_brings_the_emulator_to_the_recorded_roles_and_versions(recorded, capsys, tmp_path):
    """A recording where MSM-B is master, both on 12.4.3.1: the emulator fails over first."""
    ssh = dict(recorded_outputs(recorded / "lab1-ssh.jsonl"))
    lines = ssh["show switch"].replace("12.4.2.8", "12.4.3.1").splitlines()
    state = next(i for i, line in enumerate(lines) if line.startswith("Current State:"))
    slot = next(i for i, line in enumerate(lines) if line.startswith("Slot:"))
    dashes = lines[slot + 1]
    start = dashes.index("-", dashes.index(" ", 18))  # where the MSM-B column starts (its dashes)
    lines[state] = f"{'Current State:':<18}{'BACKUP (In Sync)':<{start - 18}}MASTER"
    lines[slot] = f"{'Slot:':<18}{'MSM-A':<{start - 18}}MSM-B *"
    swapped = "\n".join(lines)
    path = write_recording(tmp_path / "swapped.jsonl", [("show switch", swapped)])
    status, out, _ = run_hil(capsys, "parity", "--workdir", str(tmp_path / "w"), str(path))
    assert "MSM-A 12.4.3.1, MSM-B 12.4.3.1; recorded master MSM-B" in out
    assert "failing over the virtual chassis so that MSM-B is master" in out
    assert status == 0, out


def test_a_file_that_is_not_a_recording_is_one_line_and_status_2(tmp_path, capsys):
    path = tmp_path / "notes.txt"
    path.write_text("show switch\nSysName: x\n")
    status, out, err = run_hil(capsys, "replay", str(path))
    assert status == 2
    assert err.count("\n") == 1 and "not a recording (a line is not JSON, line 1)" in err
    headless = tmp_path / "headless.jsonl"
    headless.write_text('{"t": 0, "dir": "sent", "data": "x"}\n')
    status, _, err = run_hil(capsys, "replay", str(headless))
    assert status == 2 and "the first line is not a recording header" in err
