"""``hil parity`` on the recordings of a green ``hil run`` of every plan on the virtual chassis:
every power and fault action the run took is taken on parity's emulator, the images the run
served are served again, and nothing is refused or left not comparable."""

from __future__ import annotations

import json

import pytest

from tests.replay.rp_helpers import run_hil


@pytest.mark.timeout(900)
def test_parity_takes_every_action_of_a_green_virtual_run_and_serves_its_images(green_virtual_run, capsys, tmp_path):
    files = sorted(str(p) for p in green_virtual_run.glob("*.jsonl"))
    control = green_virtual_run / "virtual-control.jsonl"
    actions = [json.loads(line) for line in control.read_text().splitlines()]
    actions = [a for a in actions if a.get("dir") == "control"]
    ops = {a["op"] for a in actions}
    assert {"power", "stall_checkpoint", "drop_ssh", "clear_faults", "tftp"} <= ops, ops
    status, out, err = run_hil(capsys, "parity", "--workdir", str(tmp_path), *files)
    taken = [line for line in out.splitlines() if line.startswith("  control ")]
    assert len(taken) == len(actions), "\n".join(taken)
    assert all(" taken" in line for line in taken), "\n".join(line for line in taken if " taken" not in line)
    assert "taken: the run's images served again from" in out
    assert "not comparable" not in out and "refused" not in out
    assert "download image 127.0.0.1 xcm8800-" in out
    assert out.count(" same\n") > 300, out[-2000:]
