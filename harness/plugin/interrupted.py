"""A plan cut short by Ctrl-C, SIGTERM or SIGHUP is reported, not lost.

pytest makes no report for a test whose call a ``KeyboardInterrupt`` ended, so JUnit XML said
``tests="0"`` with one nameless ``<testcase>`` and the HTML report left the plan out. This
wrapper reports the interrupted plan as failed ("interrupted while running: ..."), with its
name, duration and the properties recorded so far, before the interrupt goes on to end the run.

Under pytest-xdist the workers' own reports of the interruption never reach the controller
(it stops reading them at its own Ctrl-C): junit.xml lost the plans, gained a nameless
``<testcase>`` per plan (its setup time, no name) and said "1 passed". The controller keeps the
setup report of every plan that started and did not end, and on the interrupt reports each of
those as interrupted (:func:`pytest_keyboard_interrupt`), before junit.xml and report.html are
written.
"""

from __future__ import annotations

import time
from typing import Any

import pytest


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Any:
    started = time.monotonic()
    try:
        return (yield)
    except KeyboardInterrupt as interrupt:
        _report(item, interrupt, time.monotonic() - started)
        raise


def _report(item: pytest.Item, interrupt: KeyboardInterrupt, duration: float) -> None:
    why = str(interrupt) or "Ctrl-C"
    common: dict[str, Any] = {
        "nodeid": item.nodeid,
        "location": item.location,
        "keywords": {name: 1 for name in item.keywords},
        "sections": [],
        "user_properties": list(item.user_properties),
    }
    failed = f"interrupted while running ({why}); the plan did not finish"
    reports = (
        pytest.TestReport(outcome="failed", longrepr=failed, when="call", duration=duration, **common),
        pytest.TestReport(outcome="passed", longrepr=None, when="teardown", duration=0.0, **common),
    )
    for report in reports:  # call failed, then teardown: JUnit writes the case at its teardown
        item.ihook.pytest_runtest_logreport(report=report)


def pytest_configure(config: pytest.Config) -> None:
    if not hasattr(config, "workerinput"):  # the controller (or a run without xdist)
        config.pluginmanager.register(OpenPlans(config), "xcm8800-hil-open-plans")


class OpenPlans:
    """The plans that started (setup reported) and did not end (no teardown report yet)."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.started: dict[str, pytest.TestReport] = {}

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when == "setup":
            self.started[report.nodeid] = report
        elif report.when == "teardown":
            self.started.pop(report.nodeid, None)

    def pytest_keyboard_interrupt(self, excinfo: pytest.ExceptionInfo) -> None:
        """Each plan still open is reported as interrupted (see the module docstring)."""
        why = str(excinfo.value) or "Ctrl-C"
        for nodeid, setup in list(self.started.items()):
            common: dict[str, Any] = {
                "nodeid": nodeid,
                "location": setup.location,
                "keywords": dict(setup.keywords),
                "sections": [],
                "user_properties": list(setup.user_properties),
            }
            if hasattr(setup, "node"):  # the xdist worker it ran on: junit.xml keys its case by it
                common["node"] = setup.node
            failed = f"interrupted while running ({why}); the plan did not finish"
            duration = max(0.0, time.time() - setup.stop)
            hook = self.config.hook
            hook.pytest_runtest_logreport(
                report=pytest.TestReport(outcome="failed", longrepr=failed, when="call", duration=duration, **common)
            )
            hook.pytest_runtest_logreport(
                report=pytest.TestReport(outcome="passed", longrepr=None, when="teardown", duration=0.0, **common)
            )
