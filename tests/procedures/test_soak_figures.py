"""The soak's statistics, picture and JUnit, from cycles made by hand (no chassis)."""

import math
import xml.etree.ElementTree as ET

import pytest

from harness.procedures.soak import FAILED, INTERRUPTED, PASSED, PHASES, SoakCycle, SoakResult, measured, percentile
from harness.procedures.soak import phase_statistics as stats
from harness.reporting import timeline as ev
from harness.reporting.soak_picture import distribution_svg, nice_ticks
from harness.reporting.soak_report import soak_junit, write_soak_reports

SVG = "{http://www.w3.org/2000/svg}"


def _child(element: ET.Element, tag: str) -> ET.Element:
    """``element``'s child ``tag`` (fails the test when the report has none)."""
    found = element.find(tag)
    assert found is not None, f"<{element.tag}> has no <{tag}>"
    return found


def test_percentile_is_linear_between_closest_ranks():
    assert percentile([4, 1, 3, 2], 50) == 2.5
    assert percentile([1, 2, 3, 4], 0) == 1 and percentile([1, 2, 3, 4], 100) == 4
    assert percentile(range(1, 101), 95) == pytest.approx(95.05)
    assert percentile([7.0], 95) == 7.0
    assert math.isnan(percentile([], 50))
    with pytest.raises(ValueError, match="within 0..100"):
        percentile([1], 101)


def test_phase_statistics_of_twenty_cycles_and_of_none():
    s = stats("x", [float(n) for n in range(20, 0, -1)])
    assert (s.count, s.p50, s.p95, s.max) == (20, 10.5, pytest.approx(19.05), 20.0)
    empty = stats("x", [])
    assert empty.count == 0 and math.isnan(empty.p50) and math.isnan(empty.max)


def test_measured_runs_each_phase_from_its_start_to_its_end_and_skips_phases_not_reached():
    timeline = ev.Timeline(lab_per_second=10)
    timeline.events += [
        ev.Event(ev.BACKUP_IN_SYNC, 0, 5.0),  # from a synchronize before the failover: not counted
        ev.Event(ev.FAILOVER_SENT, 0, 10.0),
        ev.Event(ev.OLD_MASTER_REBOOTING, 0, 10.5),
        ev.Event(ev.MANAGEMENT_SSH_LOST, 0, 11.0),
        ev.Event(ev.NEW_MASTER_ANSWERING, 0, 12.5),
        ev.Event(ev.MANAGEMENT_SSH_BACK, 0, 14.0),
    ]
    assert measured(timeline) == {"takeover": 25.0, "SSH outage": 30.0}
    assert measured(ev.Timeline()) == {}


def test_nice_ticks_cover_the_largest_value_in_round_steps():
    assert nice_ticks(0.5) == pytest.approx([0.0, 0.1, 0.2, 0.3, 0.4, 0.5])
    assert nice_ticks(47) == [0, 10, 20, 30, 40, 50]
    assert nice_ticks(0) == [0.0, 1.0]


def _result():
    result = SoakResult("lab1", "real", asked=4, stopped="chassis lab1 no longer usable after cycle 3: MSM-B in FAIL")
    for number, (times, outcome) in enumerate(
        [((30.0, 35.0, 400.0), PASSED), ((32.0, 36.0, 420.0), PASSED), ((31.0,), FAILED)], start=1
    ):
        cycle = SoakCycle(number, 0.0, "MSM-A" if number % 2 else "MSM-B", outcome=outcome, elapsed=500.0)
        cycle.durations = dict(zip(PHASES, times, strict=False))
        cycle.verdict = "failover done" if outcome == PASSED else "MSM-B is in FAIL instead of MASTER"
        result.cycles.append(cycle)
    result.cycles.append(SoakCycle(4, 0.0, "MSM-B", verdict="interrupted (Ctrl-C)", outcome=INTERRUPTED))
    return result


def test_junit_has_one_case_per_cycle_with_its_durations_and_the_figures_on_the_suite():
    root = ET.fromstring(soak_junit(_result()))
    cases = list(root.iter("testcase"))
    assert [c.get("name") for c in cases] == ["cycle-001", "cycle-002", "cycle-003", "cycle-004"]
    first = {p.get("name"): p.get("value") for p in _child(cases[0], "properties")}
    assert first == {
        "takeover (s)": "30.000",
        "SSH outage (s)": "35.000",
        "old master boot (s)": "400.000",
        "master before": "MSM-A",
        "master after": "",
    }
    assert cases[2].find("failure") is not None and cases[3].find("skipped") is not None
    suite = {p.get("name"): p.get("value") for p in _child(_child(root, "testsuite"), "properties")}
    assert suite["takeover p50 (s)"] == "31.000" and suite["old master boot max (s)"] == "420.000"
    assert suite["speed"] == "1"
    stopped = suite["stopped"]
    assert stopped is not None and stopped.startswith("chassis lab1 no longer usable"), stopped


def test_the_picture_has_a_dot_per_measured_phase_red_for_the_failed_cycle(tmp_path):
    result = _result()
    svg = ET.fromstring(distribution_svg(result))
    dots = svg.findall(f"{SVG}circle")
    assert len(dots) == 3 + 3 + 1
    assert [d.get("fill") for d in dots].count("#d62728") == 1
    texts = " ".join(t.text or "" for t in svg.iter(f"{SVG}text"))
    assert "n=3, p50 31.00 s, p95 31.90 s, max 32.00 s" in texts and texts.count("not measured") == 1  # old master back
    paths = write_soak_reports(result, tmp_path)
    page = paths["report"].read_text()
    assert page.startswith("<!DOCTYPE html>") and "<svg" in page and "Stopped early" in page
    assert "<script" not in page and FAILED in page
    assert ET.parse(paths["picture"]).getroot().tag == f"{SVG}svg"


def test_an_empty_soak_still_draws_and_says_not_measured():
    svg = distribution_svg(SoakResult("lab1", "virtual", asked=2, stopped="not usable before cycle 1"))
    assert svg.count("not measured") == len(PHASES)
