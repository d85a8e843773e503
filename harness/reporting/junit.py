"""JUnit XML written outside pytest (``hil failover``), through junit-xml."""

from __future__ import annotations

from pathlib import Path

from junit_xml import TestCase, TestSuite, to_xml_report_string

from harness.reporting.report import junit_properties


def write_failover_junit(path: Path, chassis, outcome, error) -> None:
    """One test case per step; phase offsets and durations (lab seconds) as suite properties."""
    cases = []
    chassis.timeline.settle()  # the steps' lab seconds are the phases' clock
    for step in chassis.steps:
        case = TestCase(
            step.name, classname=f"hil.failover.{chassis.name}", elapsed_sec=step.lab_seconds(chassis.timeline)
        )
        if step.outcome.startswith("failed"):
            case.add_failure_info(step.outcome)
        cases.append(case)
    if outcome is not None and not outcome.completed:
        case = TestCase("verdict", classname=f"hil.failover.{chassis.name}")
        case.add_failure_info(outcome.conclusion)
        cases.append(case)
    if error is not None and not any(c.is_failure() for c in cases):
        case = TestCase("procedure", classname=f"hil.failover.{chassis.name}")
        case.add_error_info(str(error))
        cases.append(case)
    properties = dict(junit_properties(chassis))
    suite = TestSuite(f"hil failover {chassis.name}", cases, properties=properties)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(to_xml_report_string([suite]))
