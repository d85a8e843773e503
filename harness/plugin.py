"""pytest plugin (entry point ``pytest11``): wires testbed, chassis and reports together.

Options ``--testbed``, ``--chassis``, ``--virtual``, ``--hil-workdir``; fixtures ``testbed``,
``lab`` and ``chassis``; markers ``virtual_only`` and ``hardware_only``. The firmware plans'
options and ``firmware`` fixture come from :mod:`harness.firmware_plugin`. The logic lives in
``harness``; this module only connects it to pytest.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.errors import ChassisUnavailable, HilError, TestbedError
from harness.lab import ChassisSkipped, LabChassis
from harness.report import PlanRecord, junit_properties, phase_table, step_table, transcript_html
from harness.testbed import default_testbed, load_testbed
from harness.timeline import Timeline

pytest_plugins = ["harness.firmware_plugin"]     # firmware plans: images over TFTP

RECORD = pytest.StashKey[PlanRecord]()
TESTBED = pytest.StashKey[object]()


def pytest_addoption(parser):
    group = parser.getgroup("xcm8800-hil", "NETGEAR 8800 hardware-in-the-loop")
    group.addoption("--testbed", metavar="FILE", help="testbed YAML; without it one virtual chassis is used")
    group.addoption("--chassis", metavar="NAME", help="which chassis of the testbed (default: the first)")
    group.addoption("--virtual", action="store_true",
                    help="run on a virtual chassis even when the testbed names a real one")
    group.addoption("--hil-workdir", metavar="DIR", default="reports",
                    help="where transcripts, emulator logs and known_hosts go (default: reports)")


def pytest_configure(config):
    config.addinivalue_line("markers", "virtual_only: needs the virtual chassis's control channel (power, faults)")
    config.addinivalue_line("markers", "hardware_only: meaningful only on a real chassis")
    path = config.getoption("testbed")
    try:                                  # a broken testbed stops the run before any plan starts
        config.stash[TESTBED] = load_testbed(path) if path else default_testbed()
    except TestbedError as error:
        raise pytest.UsageError(str(error)) from None


@pytest.fixture(scope="session")
def testbed(pytestconfig):
    """The testbed of this run (``--testbed``), or one virtual chassis when none is given."""
    return pytestconfig.stash[TESTBED]


@pytest.fixture(scope="session")
def lab(pytestconfig, testbed):
    """The chosen chassis, reached (real) or started (virtual) once for the whole run."""
    try:
        spec = testbed.select(pytestconfig.getoption("chassis"))
    except TestbedError as error:
        raise pytest.UsageError(str(error)) from None
    workdir = Path(pytestconfig.getoption("hil_workdir"))
    try:
        opened = LabChassis(spec, workdir, force_virtual=pytestconfig.getoption("virtual"))
    except ChassisSkipped as why:
        pytest.skip(str(why))
    _announce(pytestconfig, opened)
    yield opened
    opened.close()


@pytest.fixture
def chassis(request, lab):
    """The chassis in its baseline state (MASTER + BACKUP In Sync), recorded for this plan."""
    _check_markers(request, lab)
    if lab.broken:
        pytest.fail(f"chassis {lab.spec.name} is unusable: {lab.broken}", pytrace=False)
    chassis = lab.chassis
    chassis.timeline = Timeline()
    chassis.steps = []
    chassis.timeline.listeners.append(_progress_printer(request.config, chassis.name))
    request.node.stash[RECORD] = PlanRecord.begin(chassis)
    try:
        lab.ensure_baseline()
    except (ChassisUnavailable, HilError) as error:
        lab.broken = str(error)          # fail closed: the next plans stop at once with this reason
        pytest.fail(f"chassis {lab.spec.name} is not usable for plans: {error}", pytrace=False)
    return chassis


def _check_markers(request, lab):
    virtual = lab.chassis.is_virtual
    if request.node.get_closest_marker("virtual_only") and not virtual:
        pytest.skip("needs the virtual chassis's control channel")
    if request.node.get_closest_marker("hardware_only") and virtual:
        pytest.skip("meaningful only on a real chassis")


def _say(config, line: str, **markup) -> None:
    """A line on the terminal, past output capturing (fixtures run captured)."""
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    capture = config.pluginmanager.get_plugin("capturemanager")
    if reporter is None or capture is None:
        return
    with capture.global_and_fixture_disabled():
        reporter.write_line(line, **markup)


def _announce(config, opened: LabChassis) -> None:
    access = opened.chassis.access
    _say(config, f"chassis {access.name}: {access.backend}, SSH {access.ssh_host}:{access.ssh_port}, "
         + ", ".join(f"{m} {u}" for m, u in sorted(access.consoles.items())))
    if opened.fallback_reason:
        _say(config, f"chassis {access.name}: {opened.fallback_reason}", yellow=True)


def _progress_printer(config, name):
    def show(event):
        if config.getoption("verbose") > 0:
            _say(config, f"    [{name}] {event.name} {event.detail}")
    return show


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    record = item.stash.get(RECORD, None)
    if record is not None and call.when == "call":
        item.user_properties.extend(junit_properties(record.chassis))
    outcome = yield
    report = outcome.get_result()
    if record is not None and (call.when == "call" or report.failed):
        _attach_html(item, report, record)


def _attach_html(item, report, record: PlanRecord) -> None:
    html_plugin = item.config.pluginmanager.getplugin("html")
    if html_plugin is None:
        return
    from pytest_html import extras
    body = (phase_table(record.chassis.timeline) + step_table(record.chassis.steps)
            + transcript_html(record.excerpts()))
    if body:
        report.extras = getattr(report, "extras", []) + [extras.html(body)]
