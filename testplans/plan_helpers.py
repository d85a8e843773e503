"""Small readings the plans share."""

from harness.firmware.state import FirmwareState
from harness.parsers import CheckpointRecord, parse_show_checkpoint_data, parse_show_vlan


def vlans_on(chassis, where: str) -> dict[str, int]:
    """VLAN name -> VID as ``show vlan`` on ``where`` (``"ssh"`` or an MSM) reports them."""
    return {v.name: v.vid for v in parse_show_vlan(chassis.run(where, "show vlan", check=True).output)}


def checkpoint_of(chassis, where: str, process: str) -> CheckpointRecord:
    """``show checkpoint-data <process>`` on ``where``: the one row of that process."""
    rows = parse_show_checkpoint_data(chassis.run(where, f"show checkpoint-data {process}", check=True).output)
    assert [r.process for r in rows] == [process], f"show checkpoint-data {process} listed {[r.process for r in rows]}"
    return rows[0]


def roles(state: FirmwareState | None) -> tuple[str, str]:
    """(master, backup) of a firmware state; the plans need both."""
    assert state is not None and state.master and state.backup, f"no master and backup: {state and state.describe()}"
    return state.master, state.backup
