"""How polls are paced: floor after a change, longer while nothing changes, never past the ceiling."""

import pytest

from harness.procedures.polling import MIN_REAL_INTERVAL, POLL_CEILING, POLL_FLOOR, POLL_GROWTH, PollPacer


def test_on_hardware_the_waits_grow_while_the_state_stays_and_restart_when_it_moves():
    pacer = PollPacer(1.0)
    waits = [pacer.polled("MSM-A MASTER, MSM-B DOWN") for _ in range(12)]
    assert waits[0] == POLL_FLOOR
    assert waits[1] == pytest.approx(POLL_FLOOR * POLL_GROWTH)
    assert waits == sorted(waits) and waits[-1] == POLL_CEILING
    assert pacer.polled("MSM-A MASTER, MSM-B BACKUP") == POLL_FLOOR
    assert pacer.polls == 13


def test_a_virtual_chassis_scales_the_lab_seconds_but_never_below_the_real_floor():
    pacer = PollPacer(1 / 100)
    assert pacer.floor == MIN_REAL_INTERVAL
    assert pacer.ceiling == pytest.approx(POLL_CEILING / 100)
    fast = PollPacer(1 / 1000)
    assert fast.floor == fast.ceiling == MIN_REAL_INTERVAL


def test_after_output_the_next_poll_waits_for_the_floor():
    pacer = PollPacer(1.0)
    pacer.polled("x")
    assert 0 < pacer.until_floor() <= POLL_FLOOR
