"""Faults that only a deadline can end: each ends by it, as a PhaseTimeout naming the MSM, the
phase and the deadline, and the transcript holds the console up to the fault."""

import time

import pytest

from drivers.errors import Timeout
from harness.errors import PhaseTimeout, ProcedureFailed
from harness.procedures.failover import failover
from harness.procedures.sync import check_sync
from harness.reporting import timeline as ev


def failover_until_timeout(chassis):
    """Run the failover, expecting a PhaseTimeout; returns it, checked to have come in time."""
    bound = chassis.deadline("failover").seconds + chassis.deadline("boot").seconds
    started = time.monotonic()
    with pytest.raises(PhaseTimeout) as failure:
        failover(chassis)
    took = time.monotonic() - started
    assert took < bound, f"the failover took {took:.1f} s, past its deadlines ({bound:g} s)"
    assert isinstance(failure.value, Timeout) and isinstance(failure.value, ProcedureFailed)
    return str(failure.value)


def test_old_master_that_never_comes_back(chassis):
    old = check_sync(chassis).master
    chassis.control.old_master_stays_down()
    mark = chassis.transcript_mark(old)

    message = failover_until_timeout(chassis)

    boot = chassis.deadline("boot").seconds
    assert (f"{old} did not come back to login: within the {boot:g} s boot deadline "
            f"(phase '{ev.OLD_MASTER_AT_LOGIN}')") in message
    assert ev.NEW_MASTER_ANSWERING in chassis.timeline.names()        # the takeover itself worked
    seen = chassis.transcript_since(old, mark)
    assert "run msm-failover" in seen and "Rebooting ..." in seen
    assert "BootROM" not in seen.split("Rebooting ...")[-1], "the old master booted after all"


def test_boot_slower_than_the_deadline(chassis):
    old = check_sync(chassis).master
    chassis.control.slow_boot(seconds=6000)          # 30 s at speed 200: past the boot deadline
    mark = chassis.transcript_mark(old)

    message = failover_until_timeout(chassis)

    assert f"{old} did not come back to login:" in message
    assert f"waited {chassis.deadline('boot').seconds:g}s for the boot to end at 'login:'" in message
    after = chassis.transcript_since(old, mark).split("Rebooting ...")[-1]
    assert "Starting primary image" in after and "login:" not in after


def test_the_next_baseline_repairs_what_the_faults_left(chassis):
    """Runs after the two above: ensure_baseline cleared their faults and the chassis is whole."""
    verdict = check_sync(chassis)
    assert verdict.in_sync and verdict.identical_software
    assert chassis.control.status()["faults"] == []
