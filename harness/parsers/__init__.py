"""Parsers: XCM8800 command output -> typed, frozen records.

Pure functions of the text a session captured. They accept the output with or without the
prompt and echo around it, ``\\r\\n`` or ``\\n``, trailing blanks, blank lines and console log
lines anywhere. Anything that is not the expected output (an ``Error:`` line, another
command's output, a truncated table, garbage) raises :class:`harness.errors.ParseError` and
nothing else.
"""

from harness.errors import ParseError
from harness.parsers.checkpoint import CheckpointRecord, parse_show_checkpoint_data
from harness.parsers.node import NodeRecord, parse_show_node
from harness.parsers.switch import MSM_NAMES, MsmStatus, SwitchStatus, other_msm, parse_show_switch
from harness.parsers.version import Component, Version, VersionInfo, compatible, parse_show_version
from harness.parsers.vlan import Vlan, parse_show_vlan

__all__ = [
    "CheckpointRecord",
    "Component",
    "MsmStatus",
    "NodeRecord",
    "ParseError",
    "SwitchStatus",
    "Version",
    "VersionInfo",
    "Vlan",
    "compatible",
    "parse_show_checkpoint_data",
    "MSM_NAMES",
    "other_msm",
    "parse_show_node",
    "parse_show_switch",
    "parse_show_version",
    "parse_show_vlan",
]
