"""Failover soak, as HA acceptance runs it: the manual's whole procedure many times in a row,
alternating masters, then the distribution of how long each phase took.

Runs only when asked: ``pytest testplans/test_soak.py --soak-cycles 100`` (or ``hil run --
--soak-cycles 100``); ``hil soak --cycles N`` does the same outside pytest. One test per cycle
(its phase times are JUnit properties), then one for the distribution (p50 / p95 / max, the
picture in the HTML report). A chassis that does not come back to In Sync after a failed cycle
stops the soak: the cycles left are skipped with the reason.
"""

import pytest

from harness.procedures.soak import LABELS
from harness.reporting.soak_picture import distribution_svg
from harness.reporting.soak_report import cycle_properties, soak_body, write_soak_reports


def test_failover_soak_cycle(soak, soak_cycle, request):
    """One whole procedure: in sync, run failover, new master, management SSH, old master In Sync."""
    if soak.result.stopped:
        pytest.skip(f"not run: {soak.result.stopped}")
    cycle = soak.run_cycle(soak_cycle)
    request.node.user_properties.extend(cycle_properties(cycle).items())  # JUnit properties
    assert cycle.passed, f"{cycle.verdict} (transcript: {cycle.log})"


def test_failover_soak_distribution(soak, extras, request):
    """Every cycle ran and passed; p50 / p95 / max of each phase and their picture are reported."""
    from pytest_html import extras as html

    result = soak.result
    write_soak_reports(result, soak.folder)
    extras.append(html.html(soak_body(result, distribution_svg(result))))
    for s in result.statistics():
        if s.count:
            for figure, value in (("p50", s.p50), ("p95", s.p95), ("max", s.max)):
                request.node.user_properties.append((f"{LABELS[s.phase]} {figure} (s)", f"{value:.3f}"))
    assert result.passed, result.summary()
