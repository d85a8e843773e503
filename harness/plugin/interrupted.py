"""A plan cut short by Ctrl-C, SIGTERM or SIGHUP is reported, not lost.

pytest makes no report for a test whose call a ``KeyboardInterrupt`` ended, so JUnit XML said
``tests="0"`` with one nameless ``<testcase>`` and the HTML report left the plan out. This
wrapper reports the interrupted plan as failed ("interrupted while running: ..."), with its
name, duration and the properties recorded so far, before the interrupt goes on to end the run.
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
