"""The ``limits:`` entry of a testbed chassis: how long each failover phase may take, over the
defaults (:data:`harness.reporting.limits.DEFAULT_LIMITS`, docs/limits.md).

::

    limits:
      takeover: 30              # lab seconds from the failover (or power loss) to the new master
      old master boot: 300      # from the old master's reboot to its login:

The names are those of :data:`harness.reporting.limits.SPANS`; the plans fail a phase that
takes longer and the report shows each limit as met or missed.
"""

from __future__ import annotations

from typing import Any

from harness.reporting.limits import SPANS
from harness.testbed.reader import suggest

LONGEST = 86_400.0  # a day: anything longer is a typo


def read_limits(reader, node: Any, key: str) -> dict[str, float]:
    """The limits of one chassis (empty when none are given)."""
    if node is None:
        return {}
    node = reader.mapping(node, key, f"one 'phase: seconds' line per limit, phases: {', '.join(SPANS)}")
    limits = {}
    for name in node:
        if name not in SPANS:
            reader.fail(
                f"{key}.{name}", f"unknown phase{suggest(str(name), tuple(SPANS))}", f"limit one of: {', '.join(SPANS)}"
            )
        limits[name] = float(reader.number(node, name, key, 0.0, False, 0.001, LONGEST))
    return limits
