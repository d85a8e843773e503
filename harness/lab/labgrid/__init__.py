"""Chassis as labgrid places: a coordinator shared by a lab, exporters on its terminal-server
hosts, one place per chassis (resources ``MSM-A``, ``MSM-B``, ``management``, power).

``coordinator`` talks to labgrid's coordinator (acquire, release, reservations, who holds a
place), ``place`` turns a place's resources into the endpoints of a chassis, ``power`` drives its
power resources with labgrid's own power drivers, ``claim`` holds places for a run (one named
place, or a pool by tags), ``export`` registers a virtual chassis as a place. Only these modules
import labgrid, and the harness imports them only when a run uses a coordinator, so labgrid is
an optional extra (``pip install 'xcm8800-hil[labgrid]'``).
"""

import os

COORDINATOR_ENV = "LG_COORDINATOR"
DEFAULT_PORT = 20408


def coordinator_address(option: str | None) -> str | None:
    """The coordinator a run uses: ``--lg-coordinator``, else ``LG_COORDINATOR``, else None."""
    return option or os.environ.get(COORDINATOR_ENV) or None
