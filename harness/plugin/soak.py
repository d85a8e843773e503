"""pytest wiring of the failover soak plan (``testplans/test_soak.py``): option
``--soak-cycles N`` (the plan is skipped without it), one ``soak_cycle`` test per cycle, and the
session fixture ``soak`` (a :class:`~harness.procedures.soak.Soak` on the run's chassis).

Loaded by :mod:`harness.plugin`; the cycles and statistics are :mod:`harness.procedures.soak`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.errors import HilError
from harness.procedures.soak import Soak


def pytest_addoption(parser):
    parser.getgroup("xcm8800-hil").addoption(
        "--soak-cycles",
        metavar="N",
        type=int,
        default=0,
        help="run the failover soak plan: N failovers in a row (default: the plan is skipped)",
    )


def pytest_configure(config):
    if config.getoption("soak_cycles") < 0:
        raise pytest.UsageError("--soak-cycles N: N is the number of failovers, 1 or more")


def pytest_generate_tests(metafunc):
    """``soak_cycle``: 1..N, one test per cycle (a single placeholder, skipped, when not asked)."""
    if "soak_cycle" in metafunc.fixturenames:
        cycles = metafunc.config.getoption("soak_cycles")
        metafunc.parametrize("soak_cycle", list(range(1, cycles + 1)) or [0], ids=lambda n: f"cycle-{n:03d}")


@pytest.fixture(scope="session")
def soak(request):
    """The soak of this run, on the chassis brought to MASTER + BACKUP (In Sync) once."""
    cycles = request.config.getoption("soak_cycles")
    if cycles < 1:
        pytest.skip("the failover soak runs only when asked: --soak-cycles N")
    lab = request.getfixturevalue("lab")
    try:
        lab.ensure_baseline()
    except HilError as error:
        lab.broken = str(error)
        pytest.fail(f"chassis {lab.spec.name} is not usable for a soak: {error}", pytrace=False)
    folder = Path(request.config.getoption("hil_workdir")) / "soak"
    return Soak(lab.chassis, cycles, folder, limits=lab.spec.limits)
