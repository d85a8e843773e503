"""pytest plugin (entry point ``pytest11``): wires testbed, chassis and reports together.

Options ``--testbed``, ``--chassis``, ``--virtual``, ``--require-hardware``, ``--hil-workdir``,
for the chassis pool (``pytest -n N``, :mod:`harness.lab.pool`) ``--lock-dir``, ``--pool-wait``,
``--pool-full``, and for labgrid places (:mod:`harness.lab.labgrid`) ``--lg-coordinator``,
``--lg-tags``, ``--lg-wait``; fixtures ``testbed``, ``lab`` and ``chassis``; markers
``virtual_only``, ``hardware_only``, ``msm_power``. A run of the plans (``pytest testplans``, or
any run given ``--testbed`` or ``--hil-workdir``) writes the same reports as ``hil run`` into its
reports folder: ``report.html``, ``junit.xml`` (JUnit family xunit1, which keeps per-plan
properties) and the transcripts, after clearing the previous run's (:mod:`harness.reporting.folder`).
The firmware plans' options and ``firmware`` fixture come from :mod:`harness.plugin.firmware`,
the soak plan's ``--soak-cycles`` and ``soak`` fixture from :mod:`harness.plugin.soak`.
The logic lives in ``harness``; this module only connects it to pytest.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import time
import uuid
from pathlib import Path

import pytest

from drivers.errors import LoginFailed
from drivers.secret import mask_text
from harness import signals
from harness.errors import ChassisUnavailable, HilError, TestbedError
from harness.lab.access import ChassisSkipped, LabChassis, unreachable
from harness.lab.labgrid import coordinator_address
from harness.lab.leftovers import clear_leftovers
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
from harness.plugin import masking
from harness.plugin.summary import FALLBACK, UNREACHABLE, FallbackSkip, SummaryPlugin, Unreachable
from harness.reporting.folder import clear_run_outputs
from harness.reporting.limits import check_limits
from harness.reporting.ownership import ReportsFolder, ReportsFolderBusy, ReportsFolderUnusable
from harness.reporting.progress import on_terminal
from harness.reporting.report import PlanRecord, junit_properties, plan_html
from harness.testbed.schema import default_testbed, load_testbed

# firmware plans: images over TFTP; the failover soak; interrupted: a plan Ctrl-C or SIGTERM cut short is reported
pytest_plugins = ["harness.plugin.firmware", "harness.plugin.soak", "harness.plugin.interrupted"]

RECORD = pytest.StashKey[PlanRecord]()
TESTBED = pytest.StashKey[object]()
RUN_ID = pytest.StashKey[str]()
STARTED = pytest.StashKey[float]()
DEFAULT_REPORTS = "reports"
OWNED = pytest.StashKey[ReportsFolder]()
SIGNALS = pytest.StashKey[dict]()
LEFTOVERS = pytest.StashKey[list[str]]()


def pytest_addoption(parser, pluginmanager):
    group = parser.getgroup("xcm8800-hil", "NETGEAR 8800 hardware-in-the-loop")
    group.addoption("--testbed", metavar="FILE", help="testbed YAML; without it one virtual chassis is used")
    group.addoption("--chassis", metavar="NAME", help="which chassis of the testbed (default: the first)")
    group.addoption(
        "--virtual", action="store_true", help="run on a virtual chassis even when the testbed names a real one"
    )
    group.addoption(
        "--hil-workdir",
        metavar="DIR",
        help=f"the reports folder: report.html, junit.xml, transcripts, emulator logs (default: {DEFAULT_REPORTS})",
    )
    group.addoption(
        "--require-hardware",
        action="store_true",
        help="fail the plans instead of running them on a fallback (virtual or skip) when the named chassis is unreachable",
    )
    group.addoption(
        "--lock-dir",
        metavar="DIR",
        type=Path,
        default=DEFAULT_LOCK_DIR,
        help=f"chassis locks of the pool on this host (default: {DEFAULT_LOCK_DIR})",
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

    if not _labgrid_plugin_active(pluginmanager):  # labgrid's own pytest plugin defines the same option
        group.addoption(
            "--lg-coordinator",
            metavar="HOST[:PORT]",
            help="labgrid coordinator of the places (default: LG_COORDINATOR)",
        )
    group.addoption(
        "--lg-tags",
        metavar="KEY=VALUE[,...]",
        help="take free labgrid places with these tags from the coordinator, one per worker (the testbed's "
        "--chassis or first entry gives the logins)",
    )
    group.addoption(
        "--lg-wait",
        metavar="SECONDS",
        type=float,
        default=DEFAULT_WAIT,
        help=f"how long to wait for a taken labgrid place (default: {DEFAULT_WAIT:g})",
    )


def _labgrid_plugin_active(pluginmanager) -> bool:
    """True when labgrid's pytest plugin is (or will be) loaded: it adds ``--lg-coordinator``."""
    if pluginmanager.has_plugin("labgrid"):
        return True
    if pluginmanager.is_blocked("labgrid") or os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD"):
        return False
    return importlib.util.find_spec("labgrid") is not None  # found, not imported


@pytest.hookimpl(tryfirst=True)  # before pytest-html and junitxml read their options
def pytest_configure(config):
    config.addinivalue_line("markers", "virtual_only: needs the virtual chassis's control channel (power, faults)")
    config.addinivalue_line("markers", "hardware_only: meaningful only on a real chassis")
    config.addinivalue_line(
        "markers", "msm_power: switches one MSM's power (a virtual chassis, or a labgrid place with power-MSM-A/B)"
    )
    workerinput = getattr(config, "workerinput", None)  # set in pytest-xdist workers
    config.stash[RUN_ID] = workerinput["hil_run_id"] if workerinput else uuid.uuid4().hex
    config.stash[STARTED] = workerinput["hil_started"] if workerinput else time.time()
    path, name = config.getoption("testbed"), config.getoption("chassis")
    try:  # a broken testbed or an unknown --chassis stops the run before any plan starts
        config.stash[TESTBED] = testbed = load_testbed(path) if path else default_testbed()
        if name is not None:
            testbed.select(name)
    except TestbedError as error:
        raise pytest.UsageError(str(error)) from None
    masking.install(config, testbed.secrets)  # no testbed secret in any report part
    if workerinput is None:  # the controller owns the reports folder and ends on SIGTERM/SIGHUP
        config.pluginmanager.register(SummaryPlugin(config), "xcm8800-hil-summary")
        if _is_plan_run(config):
            try:
                config.stash[OWNED] = ReportsFolder(reports_folder(config)).claim()
            except (ReportsFolderBusy, ReportsFolderUnusable) as busy:  # one line, exit 2, before any plan
                raise pytest.UsageError(str(busy)) from None
            _settle_reports(config)
        config.stash[SIGNALS] = signals.interrupt_on_termination()


def reports_folder(config) -> Path:
    """The reports folder of this run (``--hil-workdir``, default ``reports``)."""
    return Path(config.getoption("hil_workdir") or DEFAULT_REPORTS)


def _is_plan_run(config) -> bool:
    """A run of the test plans (not of the harness's own tests): the testplans package is among
    its arguments, or it was given a testbed or a reports folder."""
    import testplans

    plans = Path(testplans.__file__).resolve().parent
    given = [Path(arg.split("::")[0]).resolve() for arg in config.args]
    named = any(p == plans or plans in p.parents for p in given)
    return named or bool(config.getoption("testbed") or config.getoption("hil_workdir"))


def _settle_reports(config) -> None:
    """The same reports as ``hil run``, into the reports folder; the previous run's cleared."""
    folder = reports_folder(config)
    clear_run_outputs(folder)
    if not hasattr(config, "workerinput"):  # a killed run's flash and lock folders: cleared, said in the header
        config.stash[LEFTOVERS] = clear_leftovers(_pool_settings(config).lock_dir)

    option = config.option
    if not getattr(option, "htmlpath", None) and config.pluginmanager.hasplugin("html"):
        option.htmlpath = str(folder / "report.html")
        option.self_contained_html = True
    option.xmlpath = option.xmlpath or str(folder / "junit.xml")
    if not any(o.startswith("junit_family=") for o in option.override_ini or []):
        config._inicache["junit_family"] = "xunit1"  # properties per plan: only xunit1 keeps them


def pytest_report_header(config) -> list[str]:
    """What the run cleared of a killed run (see :func:`harness.lab.leftovers.clear_leftovers`)."""
    return [f"xcm8800-hil: {line}" for line in config.stash.get(LEFTOVERS, [])]


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node):
    """pytest-xdist: every worker of this run shares its run id (the virtual chassis locks) and
    its start (progress lines count from it)."""
    node.workerinput["hil_run_id"] = node.config.stash[RUN_ID]
    node.workerinput["hil_started"] = node.config.stash[STARTED]


def pytest_unconfigure(config):
    if not hasattr(config, "workerinput") and RUN_ID in config.stash:
        remove_run_locks(_pool_settings(config), config.stash[RUN_ID])
    if OWNED in config.stash:
        config.stash[OWNED].release()
        signals.restore(config.stash[SIGNALS])


def _pool_settings(config) -> PoolSettings:
    return PoolSettings(config.getoption("lock_dir"), config.getoption("pool_wait"), config.getoption("pool_full"))


@pytest.fixture(scope="session")
def testbed(pytestconfig):
    """The testbed of this run (``--testbed``), or one virtual chassis when none is given."""
    return pytestconfig.stash[TESTBED]


@pytest.fixture(scope="session")
def lab(request, pytestconfig, testbed):
    """The chassis this run (or this xdist worker) took from the pool, reached (real) or
    started (virtual) once for the whole run, and locked for it. The claim is given back
    whatever ends the run, also a SIGTERM while the chassis is being announced."""
    worker = _worker(pytestconfig)
    claim = _take_chassis(pytestconfig, testbed, worker)
    try:
        opened = _open_chassis(request, pytestconfig, claim)
        try:
            _announce(pytestconfig, opened, worker)
            if pytestconfig.getoption("require_hardware") and opened.fallback_reason:
                pytest.fail(
                    f"chassis {claim.spec.name}: {opened.fallback_reason}; --require-hardware: the named hardware "
                    "must be used",
                    pytrace=False,
                )
            _show_progress(pytestconfig, opened)
            yield opened
        finally:
            opened.close()
    finally:
        claim.release()


def _open_chassis(request, config, claim) -> LabChassis:
    """The claimed chassis reached or started; a chassis that cannot be used ends the run in one
    line (or skips its plans, by its fallback)."""
    spec, virtual = claim.spec, config.getoption("virtual")
    if config.getoption("require_hardware") and spec.type == "real" and not virtual:
        problem = unreachable(spec)  # before anything starts: never an emulator, never a skip
        if problem:
            end_run(request, f"chassis {spec.name}: {problem}; --require-hardware: the named hardware must be used")
    try:
        power = getattr(claim, "power", None)  # a labgrid place's power resources
        return LabChassis(spec, reports_folder(config), force_virtual=virtual, power=power)
    except ChassisSkipped as why:
        if config.getoption("require_hardware"):
            pytest.fail(f"{why}; --require-hardware: the named hardware must be used", pytrace=False)
        raise FallbackSkip(str(why), claim.spec.name) from None
    except ChassisUnavailable as cannot:  # one line and status 2, not a traceback per plan
        end_run(request, str(cannot))
        raise  # not reached: end_run raises


def end_run(request, reason: str) -> None:
    """A chassis no plan can use (unreachable, its login refused): the run ends in one line with
    status 2, not with a traceback per plan."""
    if not hasattr(request.config, "workerinput"):
        pytest.exit(f"xcm8800-hil: {reason}", returncode=pytest.ExitCode.USAGE_ERROR)
    # an xdist worker cannot exit: it stops after this plan, the run ends with status 2 (summary)
    request.session.shouldstop = f"xcm8800-hil: {reason}"
    raise Unreachable(reason, pytrace=False) from None


def _take_chassis(config, testbed, worker: Worker):
    """This worker's chassis: from the flock pool, or a labgrid place (named by the testbed entry,
    or a free one with ``--lg-tags``) acquired on the coordinator."""
    say = lambda line: _say(config, line, yellow=True)  # noqa: E731
    address = coordinator_address(config.getoption("lg_coordinator", None))
    tags = config.getoption("lg_tags")
    try:
        if tags:
            from harness.lab.labgrid.claim import hold_tagged, parse_tags

            if address is None:
                raise pytest.UsageError("--lg-tags needs a labgrid coordinator: --lg-coordinator or LG_COORDINATOR")
            template = testbed.select(config.getoption("chassis"))
            return hold_tagged(address, template, parse_tags(tags), config.getoption("lg_wait"), say)
        pool = ChassisPool(testbed, _pool_settings(config), worker, config.getoption("chassis"))
        claim = pool.claim(say=say)
        if claim.spec.labgrid is None or config.getoption("virtual"):
            return claim
        from harness.lab.labgrid.claim import hold_place

        if address is None:
            claim.release()
            raise pytest.UsageError(
                f"chassis {claim.spec.name} is labgrid place {claim.spec.labgrid.place}: name its coordinator "
                "with --lg-coordinator HOST[:PORT] or LG_COORDINATOR"
            )
        return hold_place(address, claim.spec, config.getoption("lg_wait"), say, inner=claim)
    except (TestbedError, ValueError) as error:
        raise pytest.UsageError(str(error)) from None
    except PoolFull as full:
        pytest.skip(str(full))
    except ChassisUnavailable as none_free:
        pytest.fail(str(none_free), pytrace=False)


def _show_progress(config, opened: LabChassis) -> None:
    """Progress lines (with ``-v``) and the merged transcript counted from the run's start; bars
    when on a terminal."""
    progress = opened.chassis.progress
    progress.started = time.monotonic() - (time.time() - config.stash[STARTED])
    opened.chassis.merged.started = config.stash[STARTED]
    if config.getoption("verbose") > 0:
        progress.say = lambda line: _say(config, line)
        reporter = config.pluginmanager.get_plugin("terminalreporter")
        on_a_terminal = reporter is not None and bool(reporter.isatty())
        progress.bars = on_terminal(on_a_terminal) and not hasattr(config, "workerinput")


@pytest.fixture
def chassis(request, lab):
    """The chassis in its baseline state (MASTER + BACKUP In Sync), recorded for this plan."""
    _check_markers(request, lab)
    if lab.broken:
        pytest.fail(f"chassis {lab.spec.name} is unusable: {lab.broken}", pytrace=False)
    chassis = lab.chassis
    chassis.begin_plan(chassis.progress.event)
    request.node.stash[RECORD] = PlanRecord.begin(chassis, lab.spec.limits, lab.fallback_reason)
    try:
        lab.ensure_baseline()
    except LoginFailed as refused:  # a wrong password: one line and status 2, like an unreachable chassis
        lab.broken = str(refused)
        end_run(request, f"chassis {lab.spec.name}: {refused}")
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
    control = lab.chassis.control
    if request.node.get_closest_marker("msm_power") and (control is None or len(getattr(control, "msms", "AB")) < 2):
        pytest.skip("needs each MSM's power: a virtual chassis, or a labgrid place with power-MSM-A and power-MSM-B")


def _say(config, line: str, **markup) -> None:
    """A line on the terminal, past output capturing (fixtures run captured); an xdist
    worker's terminal is not shown, so a worker writes to its stderr, which is. Testbed
    secrets (an address from ``${VAR}``) are masked: this line is no report part."""
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    capture = config.pluginmanager.get_plugin("capturemanager")
    if reporter is None or capture is None:
        return
    line = mask_text(line, config.stash[TESTBED].secrets)
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


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """A plan that passed fails when a phase took longer than its limit (the defaults, the
    testbed's ``limits:`` over them), in the timeline's lab seconds."""
    result = yield
    record = item.stash.get(RECORD, None)
    if record is not None and record.limits:
        chassis = record.chassis
        chassis.timeline.settle()
        missed = [r for r in check_limits(chassis.timeline, record.limits) if not r.met]
        if missed:
            pytest.fail("phase limits missed (lab seconds): " + "; ".join(map(str, missed)), pytrace=False)
    return result


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    if call.excinfo is not None and call.excinfo.errisinstance(Unreachable):
        item.user_properties.append((UNREACHABLE, str(call.excinfo.value)))
    if call.excinfo is not None and call.excinfo.errisinstance(FallbackSkip):
        item.user_properties.extend(call.excinfo.value.properties())
    record = item.stash.get(RECORD, None)
    if record is not None and call.when == "call":
        item.user_properties.extend(junit_properties(record.chassis))
        if record.fallback:
            item.user_properties.append((FALLBACK, record.fallback))
    outcome = yield
    report = outcome.get_result()
    if record is not None and (call.when == "call" or report.failed):
        _attach_html(item, report, record)


def _attach_html(item, report, record: PlanRecord) -> None:
    html_plugin = item.config.pluginmanager.getplugin("html")
    if html_plugin is None:
        return
    from pytest_html import extras

    body = plan_html(record, item.nodeid)
    if body:
        report.extras = getattr(report, "extras", []) + [extras.html(body)]
