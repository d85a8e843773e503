"""``hil parity`` follows the recorded state: the state-changing commands of a run (its SSH and
console sessions merged in lab time) are sent to the emulator in order, each parsed answer is
compared once the emulator shows the recorded state; a recording of another model or release
is said in one line, before any comparison."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.replay.rp_helpers import run_hil, write_recording
from tests.replay.test_rp_real_shapes import SHOW_SWITCH_STACK_SLOTS

CASE = Path(__file__).resolve().parent / "cases" / "failover"


def test_parity_follows_a_recorded_failover_with_no_difference(tmp_path, capsys):
    status, out, err = run_hil(capsys, "parity", "--workdir", str(tmp_path), *map(str, sorted(CASE.glob("*.jsonl"))))
    assert status == 0, out + err
    assert "0 command(s) differ" in out
    assert "MSM-A  run msm-failover                 sent" in out  # on the console it was sent on
    assert "ssh    save configuration primary       sent" in out
    assert "ssh    create vlan hil_v1               sent" in out
    assert out.count(" same\n") > 40 and "difference(s)" not in out


@pytest.mark.timeout(600)
def test_parity_finds_no_difference_in_a_green_run_on_a_real_type_testbed(green_real_run, capsys, tmp_path):
    files = sorted(str(p) for p in green_real_run.glob("*.jsonl"))
    status, out, err = run_hil(capsys, "parity", "--workdir", str(tmp_path), *files)
    assert status == 0, "\n".join(line for line in out.splitlines() if not line.endswith(" same"))[-4000:]
    assert "0 command(s) differ" in out and "run msm-failover" in out


@pytest.mark.parametrize(
    ("edit", "said"),
    [
        (
            ("System Type:      XCM8810", "System Type:      X460-48t"),
            "a X460-48t running 12.4.2.8: the emulator models XCM8806 and XCM8810",
        ),
        (("12.4.2.8", "15.3.1.4"), "release 15.3.1.4: the emulator models XCM8800 release 12.x"),
    ],
)
def test_a_recording_of_another_model_or_release_is_said_once_before_any_comparison(tmp_path, capsys, edit, said):
    ssh = (CASE / "virtual-ssh.jsonl").read_text()
    assert edit[0] in ssh
    path = tmp_path / "other.jsonl"
    path.write_text(ssh.replace(*edit))
    status, out, _ = run_hil(capsys, "parity", "--workdir", str(tmp_path / "w"), str(path))
    assert status == 1
    lines = out.splitlines()
    assert lines[1] == f"  the recording is of {said}; nothing compared", lines[:3]
    assert len(lines) == 3 and "differ" in lines[2]
    assert not (tmp_path / "w").exists()  # no emulator was started


def test_a_stack_recording_is_another_model(tmp_path, capsys):
    path = write_recording(tmp_path / "stack.jsonl", [("show switch", SHOW_SWITCH_STACK_SLOTS)])
    status, out, _ = run_hil(capsys, "parity", "--workdir", str(tmp_path / "w"), str(path))
    assert status == 1 and "the recording is of a X460-48t (Stack) running 15.3.1.4" in out, out
