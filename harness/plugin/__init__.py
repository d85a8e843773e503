"""pytest plugin (entry point ``pytest11``): wires testbed, chassis and reports together.

Options ``--testbed``, ``--chassis``, ``--virtual``, ``--hil-workdir``, and for the chassis pool
(``pytest -n N``, :mod:`harness.lab.pool`) ``--lock-dir``, ``--pool-wait``, ``--pool-full``;
fixtures ``testbed``, ``lab`` and ``chassis``; markers ``virtual_only`` and ``hardware_only``.
The firmware plans' options and ``firmware`` fixture come from :mod:`harness.plugin.firmware`.
The logic lives in ``harness``; this module only connects it to pytest.
"""

from __future__ import annotations

import sys
import uuid
from pathlib import Path

import pytest

from harness.errors import ChassisUnavailable, HilError, TestbedError
from harness.lab.access import ChassisSkipped, LabChassis
from harness.lab.pool import (
    DEFAULT_LOCK_DIR,
    DEFAULT_WAIT,
    WHEN_FULL,
    ChassisPool,
    PoolFull,
    PoolSettings,
    Worker,
    remove_run_locks,
)
from harness.reporting.report import PlanRecord, junit_properties, phase_table, step_table, transcript_html
from harness.testbed.schema import default_testbed, load_testbed

pytest_plugins = ["harness.plugin.firmware"]  # firmware plans: images over TFTP

RECORD = pytest.StashKey[PlanRecord]()
TESTBED = pytest.StashKey[object]()
RUN_ID = pytest.StashKey[str]()


def pytest_addoption(parser):
    group = parser.getgroup("xcm8800-hil", "NETGEAR 8800 hardware-in-the-loop")
    group.addoption("--testbed", metavar="FILE", help="testbed YAML; without it one virtual chassis is used")
    group.addoption("--chassis", metavar="NAME", help="which chassis of the testbed (default: the first)")
    group.addoption(
        "--virtual", action="store_true", help="run on a virtual chassis even when the testbed names a real one"
    )
    group.addoption(
        "--hil-workdir",
        metavar="DIR",
        default="reports",
        help="where transcripts, emulator logs and known_hosts go (default: reports)",
    )
    group.addoption(
        "--lock-dir",
        metavar="DIR",
        type=Path,
        default=DEFAULT_LOCK_DIR,
        help=f"chassis locks of the pool; share it between hosts with --tx (default: {DEFAULT_LOCK_DIR})",
    )
    group.addoption(
        "--pool-wait",
        metavar="SECONDS",
        type=float,
        default=DEFAULT_WAIT,
        help=f"how long a worker waits for a free chassis (default: {DEFAULT_WAIT:g})",
    )
    group.addoption(
        "--pool-full",
        choices=WHEN_FULL,
        default="wait",
        help="when every chassis is taken: wait (up to --pool-wait), or skip the plans",
    )


def pytest_configure(config):
    config.addinivalue_line("markers", "virtual_only: needs the virtual chassis's control channel (power, faults)")
    config.addinivalue_line("markers", "hardware_only: meaningful only on a real chassis")
    workerinput = getattr(config, "workerinput", None)  # set in pytest-xdist workers
    config.stash[RUN_ID] = workerinput["hil_run_id"] if workerinput else uuid.uuid4().hex
    path = config.getoption("testbed")
    try:  # a broken testbed stops the run before any plan starts
        config.stash[TESTBED] = load_testbed(path) if path else default_testbed()
    except TestbedError as error:
        raise pytest.UsageError(str(error)) from None


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node):
    """pytest-xdist: every worker of this run shares its run id (the virtual chassis locks)."""
    node.workerinput["hil_run_id"] = node.config.stash[RUN_ID]


def pytest_unconfigure(config):
    if not hasattr(config, "workerinput") and RUN_ID in config.stash:
        remove_run_locks(_pool_settings(config), config.stash[RUN_ID])


def _pool_settings(config) -> PoolSettings:
    return PoolSettings(config.getoption("lock_dir"), config.getoption("pool_wait"), config.getoption("pool_full"))


@pytest.fixture(scope="session")
def testbed(pytestconfig):
    """The testbed of this run (``--testbed``), or one virtual chassis when none is given."""
    return pytestconfig.stash[TESTBED]


@pytest.fixture(scope="session")
def lab(pytestconfig, testbed):
    """The chassis this run (or this xdist worker) took from the pool, reached (real) or
    started (virtual) once for the whole run, and locked for it."""
    worker = _worker(pytestconfig)
    try:
        pool = ChassisPool(testbed, _pool_settings(pytestconfig), worker, pytestconfig.getoption("chassis"))
    except TestbedError as error:
        raise pytest.UsageError(str(error)) from None
    try:
        claim = pool.claim(say=lambda line: _say(pytestconfig, line, yellow=True))
    except PoolFull as full:
        pytest.skip(str(full))
    except ChassisUnavailable as none_free:
        pytest.fail(str(none_free), pytrace=False)
    try:
        workdir = Path(pytestconfig.getoption("hil_workdir"))
        opened = LabChassis(claim.spec, workdir, force_virtual=pytestconfig.getoption("virtual"))
    except ChassisSkipped as why:
        claim.release()
        pytest.skip(str(why))
    except BaseException:
        claim.release()
        raise
    _announce(pytestconfig, opened, worker)
    try:
        yield opened
    finally:
        opened.close()
        claim.release()


@pytest.fixture
def chassis(request, lab):
    """The chassis in its baseline state (MASTER + BACKUP In Sync), recorded for this plan."""
    _check_markers(request, lab)
    if lab.broken:
        pytest.fail(f"chassis {lab.spec.name} is unusable: {lab.broken}", pytrace=False)
    chassis = lab.chassis
    chassis.begin_plan(_progress_printer(request.config, chassis.name))
    request.node.stash[RECORD] = PlanRecord.begin(chassis)
    try:
        lab.ensure_baseline()
    except HilError as error:
        lab.broken = str(error)  # fail closed: the next plans stop at once with this reason
        pytest.fail(f"chassis {lab.spec.name} is not usable for plans: {error}", pytrace=False)
    return chassis


def _check_markers(request, lab):
    virtual = lab.chassis.is_virtual
    if request.node.get_closest_marker("virtual_only") and not virtual:
        pytest.skip("needs the virtual chassis's control channel")
    if request.node.get_closest_marker("hardware_only") and virtual:
        pytest.skip("meaningful only on a real chassis")


def _say(config, line: str, **markup) -> None:
    """A line on the terminal, past output capturing (fixtures run captured); an xdist
    worker's terminal is not shown, so a worker writes to its stderr, which is."""
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    capture = config.pluginmanager.get_plugin("capturemanager")
    if reporter is None or capture is None:
        return
    with capture.global_and_fixture_disabled():
        if hasattr(config, "workerinput"):
            print(line, file=sys.stderr, flush=True)
        else:
            reporter.write_line(line, **markup)


def _worker(config) -> Worker:
    """This process as the pool sees it: an xdist worker only when xdist made it one
    (``config.workerinput``), not because a ``PYTEST_XDIST_WORKER`` came with the environment
    (a run started from inside another run's worker inherits it)."""
    workerinput = getattr(config, "workerinput", None)
    name = workerinput["workerid"] if workerinput else ""
    return Worker.from_environment(config.stash[RUN_ID], {"PYTEST_XDIST_WORKER": name})


def _announce(config, opened: LabChassis, worker: Worker) -> None:
    access = opened.chassis.access
    took = f"{worker.label} took " if worker.name else ""
    _say(
        config,
        f"{took}chassis {access.name}: {access.backend}, SSH {access.ssh_host}:{access.ssh_port}, "
        + ", ".join(f"{m} {u}" for m, u in sorted(access.consoles.items())),
    )
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

    body = phase_table(record.chassis.timeline) + step_table(record.chassis.steps) + transcript_html(record.excerpts())
    if body:
        report.extras = getattr(report, "extras", []) + [extras.html(body)]
