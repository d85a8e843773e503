"""Control-channel actions in the recordings: each power or fault action the harness takes is a
``"dir": "control"`` line of the chassis's ``control`` recording, in lab time, secrets masked;
readers take it (and old recordings without it), refuse a broken one in one line, and ``hil
parity`` takes the recorded actions on its own emulator in order."""

from __future__ import annotations

import datetime
import json

from harness.lab.access import LabChassis
from harness.lab.chassis import SSH
from harness.procedures.unplanned import power_loss_of_master, restore_power
from harness.replay.recordings import read_recording
from harness.testbed.schema import Credentials, virtual_spec
from tests.replay.rp_helpers import run_hil

PASSWORD = "C0ntrol-s3cret"


def _run(workdir, actions) -> None:
    lab = LabChassis(virtual_spec("lab1", credentials=Credentials("admin", PASSWORD)), workdir)
    try:
        lab.chassis.learn_roles()
        actions(lab.chassis)
    finally:
        lab.close()


def _started(path) -> float:
    return datetime.datetime.fromisoformat(json.loads(path.read_text().splitlines()[0])["started"]).timestamp()


def test_each_control_action_is_a_line_of_its_own_in_lab_time_with_secrets_masked(tmp_path):
    def actions(chassis):
        chassis.control.drop_ssh(f"show {PASSWORD}")  # a text argument that holds the password
        chassis.control.clear_faults()
        chassis.control.status()  # a question, not an action
        chassis.run(SSH, "show node")

    _run(tmp_path, actions)
    control = tmp_path / "recordings" / "lab1-control.jsonl"
    text = control.read_text()
    assert PASSWORD not in text and "show ********" in text
    lines = [json.loads(line) for line in text.splitlines()]
    assert lines[0]["session"] == "control" and lines[0]["transport"] == "control"
    assert [(line["op"], line["args"]) for line in lines[1:]] == [
        ("drop_ssh", {"command": "show ********"}),
        ("clear_faults", {}),
    ]
    assert all(line["dir"] == "control" and line["data"].startswith(line["op"]) for line in lines[1:])
    recorded = read_recording(control)
    assert [a.op for a in recorded.actions] == ["drop_ssh", "clear_faults"] and not recorded.exchanges
    # lab time: the actions fall between the SSH session's commands, as they were taken
    ssh = read_recording(tmp_path / "recordings" / "lab1-ssh.jsonl")
    taken = _started(control) + recorded.actions[1].at
    show_node = next(e for e in ssh.exchanges if e.command == "show node" and e.at > 0)
    assert _started(tmp_path / "recordings" / "lab1-ssh.jsonl") + show_node.at >= taken - 0.01


def test_a_broken_control_line_is_refused_in_one_line(tmp_path, capsys):
    path = tmp_path / "lab1-control.jsonl"
    header = {"chassis": "lab1", "session": "control", "transport": "control", "started": "2026-12-01T10:00:00+00:00"}
    bad = {"t": 0.1, "dir": "control", "data": "power", "op": "power", "args": {"msm": ["MSM-A"]}}
    path.write_text(json.dumps(header) + "\n" + json.dumps(bad) + "\n")
    status, out, err = run_hil(capsys, "replay", str(path))
    assert status == 2 and len(err.strip().splitlines()) == 1
    assert "line 2" in err and "control line's 'args'" in err


def test_parity_takes_a_recorded_power_loss_on_its_emulator_with_no_difference(tmp_path, capsys):
    def actions(chassis):
        takeover = power_loss_of_master(chassis)
        restore_power(chassis, takeover.old_master)

    _run(tmp_path / "run", actions)
    files = sorted(str(p) for p in (tmp_path / "run" / "recordings").glob("*.jsonl"))
    assert any(f.endswith("lab1-control.jsonl") for f in files)
    status, out, err = run_hil(capsys, "replay", *files)
    assert status == 0 and "power msm='MSM-A' action='off'" in out and "control action" in out, out + err
    status, out, err = run_hil(capsys, "parity", "--workdir", str(tmp_path / "parity"), *files)
    shown = "\n".join(line for line in out.splitlines() if not line.endswith(" same"))
    assert status == 0, shown[-4000:]
    assert "0 command(s) differ" in out
    assert "control power msm='MSM-A' action='off'" in out and "taken (a control action)" in out
    assert "difference(s)" not in out
