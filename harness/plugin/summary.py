"""What a run says about itself: the report's title and header (chassis, backend, MSM software,
testbed file), a banner and a terminal line when a plan ran on a fallback instead of the named
hardware, the release a firmware plan left a chassis on, and a digest at the end of the run:
what ran on which chassis and backend, and every skip with its reason (nothing skipped in
silence).

Collected from the plans' reports (their JUnit properties), so it works the same with
pytest-xdist, where the plans run in workers and only their reports reach this process.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

import pytest

FALLBACK = "fallback"  # a plan's property: why it ran on a virtual chassis instead
LEFT_ON = "left on"  # a plan's property: the release a firmware plan left the chassis on
UNREACHABLE = "unreachable"  # a plan's property (xdist worker): its chassis could not be reached
NO_PLANS = (
    "no plans collected: the installed plans are the package testplans; name it with "
    "pytest --pyargs testplans --testbed FILE (or run them with hil run --testbed FILE)"
)


class FallbackSkip(pytest.skip.Exception):  # type: ignore[name-defined]
    """The plans of an unreachable chassis are skipped (``fallback: skip``): the summary says so."""

    def __init__(self, msg: str, chassis: str):
        super().__init__(msg, allow_module_level=False)
        self.chassis = chassis

    def properties(self) -> list[tuple[str, str]]:
        return [("chassis", self.chassis), ("backend", "none: plans skipped"), (FALLBACK, str(self.msg))]


class Unreachable(pytest.fail.Exception):  # type: ignore[name-defined]
    """The chassis of the run cannot be reached (in an xdist worker, which cannot exit the run)."""


@dataclass
class RunSummary:
    """What the plans of this run reported about their chassis, in order seen."""

    testbed: str = "(none: one virtual chassis)"
    chassis: dict[str, str] = field(default_factory=dict)  # name -> backend
    software: dict[str, list[str]] = field(default_factory=dict)  # "MSM-A" -> versions seen
    fallbacks: dict[str, str] = field(default_factory=dict)  # chassis -> reason
    left_on: dict[str, str] = field(default_factory=dict)  # chassis -> message
    unreachable: str | None = None  # why a worker's chassis could not be reached
    html_report: Any = None  # pytest-html's report data, whose title is set at the end
    ran: dict[str, dict[str, int]] = field(default_factory=dict)  # backend -> outcome -> plans
    skipped: dict[str, list[str]] = field(default_factory=dict)  # why -> plans

    def count(self, report) -> None:
        """One plan's outcome, for the digest: where it ran, or why it was skipped."""
        if report.skipped and report.when in ("setup", "call"):
            why = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
            self.skipped.setdefault(why.removeprefix("Skipped: "), []).append(report.nodeid.split("::")[-1])
        elif report.when == "call" or (report.when == "setup" and report.failed):
            props = dict(report.user_properties)
            backend = str(props.get("backend", "no chassis"))
            chassis = props.get("chassis")
            where = f"{chassis} ({backend})" if chassis else backend
            outcomes = self.ran.setdefault(where, {})
            outcomes[report.outcome] = outcomes.get(report.outcome, 0) + 1

    def digest(self) -> list[str]:
        """What ran on which chassis and backend, and every skip with its reason."""
        lines = []
        for where, outcomes in self.ran.items():
            counts = ", ".join(f"{n} {outcome}" for outcome, n in sorted(outcomes.items()))
            lines.append(f"ran on {where}: {sum(outcomes.values())} plans ({counts})")
        for why, plans in self.skipped.items():
            shown = ", ".join(plans[:4]) + (f" and {len(plans) - 4} more" if len(plans) > 4 else "")
            lines.append(f"skipped {len(plans)}: {why} ({shown})")
        return lines or ["no plan ran"]

    def add(self, properties: list[tuple[str, object]]) -> None:
        props = {name: str(value) for name, value in properties}
        self.unreachable = props.get(UNREACHABLE, self.unreachable)
        name = props.get("chassis")
        if name is None:
            return
        backend = props.get("backend", "?")
        self.chassis.setdefault(name, f"{backend} (speed {props['speed']})" if "speed" in props else backend)
        for key, value in props.items():
            if key.endswith(" software") and value not in self.software.setdefault(key[:-9], []):
                self.software[key[:-9]].append(value)
        if FALLBACK in props:
            self.fallbacks[name] = props[FALLBACK]
        if LEFT_ON in props:
            self.left_on[name] = props[LEFT_ON]

    @property
    def title(self) -> str:
        return "xcm8800-hil: " + (", ".join(self.chassis) or "no chassis used")

    def rows(self) -> list[tuple[str, str]]:
        software = "; ".join(
            f"{slot} {versions[0]}" + (f" (later {', '.join(versions[1:])})" if versions[1:] else "")
            for slot, versions in sorted(self.software.items())
        )
        return [
            ("chassis", ", ".join(self.chassis) or "none reached"),
            ("backend", ", ".join(f"{n}: {b}" for n, b in self.chassis.items()) or "none"),
            ("MSM software", software or "not read"),
            ("testbed file", self.testbed),
        ]

    def warnings(self) -> list[str]:
        """One line per chassis that did not run on the named hardware, or was left on another release."""
        lines = [f"chassis {n} was NOT tested on the named hardware: {why}" for n, why in self.fallbacks.items()]
        return lines + [f"chassis {n}: {message}" for n, message in self.left_on.items()]


class SummaryPlugin:
    """Registered once per run (not in xdist workers): collects, then writes the header and lines."""

    def __init__(self, config):
        testbed = config.getoption("testbed")
        self.run = RunSummary(str(testbed) if testbed else RunSummary.testbed)

    def pytest_runtest_logreport(self, report):
        if report.when == "call" or (report.when == "setup" and not report.passed):
            self.run.add(report.user_properties)
        self.run.count(report)

    @pytest.hookimpl(optionalhook=True)
    def pytest_html_report_title(self, report):
        self.run.html_report = report  # the title is set at the end, once the chassis are known

    @pytest.hookimpl(optionalhook=True)
    def pytest_html_results_summary(self, prefix, summary, postfix, session):
        run = self.run
        if run.html_report is not None:
            run.html_report.title = run.title
        rows = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in run.rows())
        banner = "".join(
            f"<p class='hil-banner' style='background:#ffcdd2;border:2px solid #c62828;padding:6px;"
            f"font-weight:bold'>{html.escape(line)}</p>"
            for line in run.warnings()
        )
        prefix.extend([banner, f"<table class='hil-header'>{rows}</table>"])

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session):
        if self.run.unreachable is not None:  # not a test failure: the run could not start (status 2)
            session.exitstatus = pytest.ExitCode.USAGE_ERROR
        elif self.run.left_on and not _accepts_left_on(session.config) and session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED  # the chassis is not as the run found it

    def pytest_terminal_summary(self, terminalreporter, exitstatus, config):
        if self.run.chassis:  # a run of plans (not a run of tests that use no chassis)
            terminalreporter.write_sep("-", "xcm8800-hil digest")
            for line in self.run.digest():
                terminalreporter.write_line(f"xcm8800-hil: {line}")
        fails = "; the run fails: the chassis is not as the run found it (--accept-left-on accepts it)"
        left = {f"chassis {n}: {message}" for n, message in self.run.left_on.items()}
        for line in self.run.warnings():
            if line in left and not _accepts_left_on(config):
                terminalreporter.write_line(f"xcm8800-hil: {line}{fails}", red=True, bold=True)
            else:
                terminalreporter.write_line(f"xcm8800-hil: {line}", yellow=True, bold=True)
        if exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED and config.getoption("testbed"):
            terminalreporter.write_line(f"xcm8800-hil: {NO_PLANS}", red=True, bold=True)


def _accepts_left_on(config) -> bool:
    return bool(config.getoption("accept_left_on", False))
