"""Ctrl-C between two cycles of a soak (while a cycle's reports are written) is recorded as why the
soak stopped, as Ctrl-C during a cycle is: the junit.xml and report.html of an interrupted soak
always say so. Seen for real as a flaky end-to-end test whose SIGINT landed between cycles."""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest

from harness.procedures.soak import PASSED, Soak, SoakCycle


class _CyclesOnly(Soak):
    """A soak whose cycles pass at once: the loop around them is what is tested."""

    def run_cycle(self, number: int) -> SoakCycle:
        cycle = SoakCycle(number, time.time(), "MSM-A", outcome=PASSED)
        self.result.cycles.append(cycle)
        return cycle


def test_ctrl_c_between_two_cycles_says_after_which_cycle(tmp_path):
    chassis = SimpleNamespace(name="vc1", access=SimpleNamespace(backend="virtual", time_scale=0.001))
    soak = _CyclesOnly(chassis, 5, tmp_path)  # type: ignore[arg-type]  # the loop needs no chassis

    def interrupt_after_the_second(cycle: SoakCycle) -> None:
        if cycle.number == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        soak.run(after_cycle=interrupt_after_the_second)
    assert soak.result.stopped == "interrupted (Ctrl-C) after cycle 2" and not soak.result.passed
