"""The second wall: no testbed secret reaches a reporter, whatever a plan or a traceback printed.

Every testbed password and every value the testbed took from ``${VAR}`` (see
``Testbed.secrets``) is replaced by ``********`` in every part of every report before any
reporter (terminal, JUnit XML, pytest-html, xdist's controller) sees it: the failure text
(``longrepr``, also with ``-l``/``--tb=long``), captured stdout, stderr and log sections, user
properties (JUnit) and pytest-html extras. The first wall is :class:`drivers.secret.Secret`
and the transcripts' own masking; this one catches what slips past them (a ``repr`` of an
object holding a secret, a plan printing one).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pytest

from drivers.secret import mask_text


def install(config: pytest.Config, secrets: Iterable[str]) -> None:
    """Mask ``secrets`` (empty ones ignored) in every report of this run."""
    values = tuple(sorted({s for s in secrets if s}, key=len, reverse=True))
    config.pluginmanager.register(ReportMasking(values), "xcm8800-hil-masking")


def mask_report(report: pytest.TestReport | pytest.CollectReport, secrets: tuple[str, ...]) -> None:
    """Replace every secret in every part of ``report`` (in place)."""
    if not secrets:
        return
    longrepr = report.longrepr
    if longrepr is not None:
        if isinstance(longrepr, tuple):  # a skip: (path, line, reason)
            report.longrepr = tuple(_mask(part, secrets) for part in longrepr)
        else:
            text = str(longrepr)
            masked = mask_text(text, secrets)
            if masked != text:  # keep pytest's structured failure (colours, crash line) when clean
                report.longrepr = masked
    report.sections = [(title, mask_text(content, secrets)) for title, content in report.sections]
    if isinstance(report, pytest.TestReport):
        report.user_properties = [(name, _mask(value, secrets)) for name, value in report.user_properties]
    extras = getattr(report, "extras", None)
    if extras:
        report.extras = [_mask(extra, secrets) for extra in extras]  # type: ignore[union-attr]


def _mask(value: Any, secrets: tuple[str, ...]) -> Any:
    """``value`` with secrets masked in every string inside it (dicts, lists and tuples walked)."""
    if isinstance(value, str):
        return mask_text(value, secrets)
    if isinstance(value, dict):
        return {key: _mask(item, secrets) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_mask(item, secrets) for item in value)
    return value


class ReportMasking:
    """The plugin object: masks at each point a report passes before the reporters."""

    def __init__(self, secrets: tuple[str, ...]) -> None:
        self.secrets = secrets

    @pytest.hookimpl(hookwrapper=True, tryfirst=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo) -> Any:
        """An outer wrapper: runs after the plugins registered before it added their parts."""
        outcome = yield
        mask_report(outcome.get_result(), self.secrets)

    @pytest.hookimpl(hookwrapper=True, tryfirst=True)
    def pytest_make_collect_report(self, collector: pytest.Collector) -> Any:
        """A plan that fails to import may print a secret too."""
        outcome = yield
        mask_report(outcome.get_result(), self.secrets)

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Again before any reporter reads it: parts a wrapper outside ours added (pytest-html
        extras), and reports an xdist worker sent to this controller."""
        mask_report(report, self.secrets)
