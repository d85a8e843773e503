"""Small readings the plans share."""

from harness.parsers import parse_show_vlan


def vlans_on(chassis, where: str) -> dict[str, int]:
    """VLAN name -> VID as ``show vlan`` on ``where`` (``"ssh"`` or an MSM) reports them."""
    return {v.name: v.vid for v in parse_show_vlan(chassis.run(where, "show vlan", check=True).output)}
