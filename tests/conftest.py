"""Suite-wide settings: no test of the harness may run longer than its deadline, and the runs a
test starts (``hil``, pytester) are runs of their own, also when the suite runs under xdist."""

import compileall
import os
from pathlib import Path

import pytest

from tests import checkout

ROOT = Path(__file__).resolve().parent.parent
FOUND_AS = pytest.StashKey[dict]()
TEST_DEADLINE = 120   # seconds; a hang fails the test instead of stalling CI


def pytest_configure(config):
    """Byte-compile the project once, before any worker starts: the suite starts some hundred
    child interpreters (emulators, ``hil`` runs), and where ``PYTHONDONTWRITEBYTECODE`` is set
    each of them compiled every module it imports again (~0.1 s of CPU per child)."""
    if not hasattr(config, "workerinput"):
        for package in ("harness", "drivers", "virtual_chassis", "testplans", "bench"):
            compileall.compile_dir(ROOT / package, quiet=1)
        found = checkout.snapshot(ROOT)
        if found is not None:
            config.stash[FOUND_AS] = found
    _hypothesis_keeps_its_examples_outside_the_checkout()


def _hypothesis_keeps_its_examples_outside_the_checkout() -> None:
    """Hypothesis's folder would be ``.hypothesis/`` in the working directory (the checkout)."""
    import tempfile

    from hypothesis import settings
    from hypothesis.configuration import set_hypothesis_home_dir
    from hypothesis.database import DirectoryBasedExampleDatabase

    folder = Path(tempfile.gettempdir()) / f"xcm8800-hil-hypothesis-{os.getuid()}"
    set_hypothesis_home_dir(folder)  # its other files too (newer releases keep more than examples)
    settings.register_profile("suite", database=DirectoryBasedExampleDatabase(folder / "examples"))
    settings.load_profile("suite")


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session, exitstatus):
    """The suite leaves the checkout as it found it (tests/checkout.py): a tracked file deleted or
    changed, or a new file outside reports/, fails the run and is named."""
    before = session.config.stash.get(FOUND_AS, None)
    after = checkout.snapshot(ROOT) if before is not None else None
    if before is None or after is None:
        return
    changed = checkout.changes(before, after)
    if changed:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        write = reporter.write_line if reporter else _print_line
        write(f"the suite changed the checkout {ROOT} (it must leave it as it found it):", red=True)
        for line in changed:
            write(f"  {line}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def _print_line(line: str, **markup: bool) -> None:
    """``write_line`` for a run without the terminal reporter (``-p no:terminal``): no colours."""
    print(line)


@pytest.hookimpl(tryfirst=True)
def pytest_xdist_auto_num_workers(config):
    """``-n auto`` for this suite: two workers per core (at most 16). Most of its time is spent
    waiting on child processes (emulators, ``hil`` runs, labgrid) and deadlines, so one worker
    per core leaves cores idle; measured on 2 cores: 129 s with 2 workers, 94-113 s with 4.
    ``PYTEST_XDIST_AUTO_NUM_WORKERS`` still decides when it is set."""
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None
    return min(16, 2 * len(os.sched_getaffinity(0)))


#: Modules whose tests each run the harness whole (``hil run``, ``hil soak``, a labgrid lab, a
#: wheel in a fresh environment); so are the tests that use ``pytester``. Marked ``e2e``.
E2E_MODULES = {
    "tests/harness/test_cli.py", "tests/harness/test_run_reports.py", "tests/harness/test_plugin.py",
    "tests/labgrid/test_lg_lab.py", "tests/packaging/test_wheel.py", "tests/security/test_sec_signals.py",
    "tests/security/test_sec_lifetimes.py", "tests/faults/test_emulator_crash.py", "tests/faults/test_secrets.py",
    "tests/procedures/test_soak_runs.py", "tests/harness/test_models.py", "tests/replay/test_rp_regression_case.py",
    "tests/replay/test_rp_session_ends.py", "tests/replay/test_rp_parity.py", "tests/security/test_sec_interrupt_xdist.py",
    "tests/security/test_sec_leftovers.py", "tests/security/test_sec_locks.py", "tests/security/test_sec_unreachable.py",
}


def pytest_collection_modifyitems(config, items):
    timeouts = config.pluginmanager.hasplugin("timeout")
    for item in items:
        if timeouts and item.get_closest_marker("timeout") is None:
            item.add_marker(pytest.mark.timeout(TEST_DEADLINE))
        if item.nodeid.split("::")[0] in E2E_MODULES or "pytester" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(autouse=True)
def _child_runs_are_runs_of_their_own(monkeypatch):
    """A ``hil`` or pytester run started by a test must not inherit this xdist worker's
    ``PYTEST_XDIST_*`` variables (they describe this process, not the child), and needs neither
    the Hypothesis plugin nor labgrid's own pytest plugin (no plan uses them, as ``hil run``
    knows; they cost each child ~1 s and ~0.8 s of CPU to import). This suite's own processes
    still load both, so the harness's plugin is seen to live beside them."""
    for name in [name for name in os.environ if name.startswith("PYTEST_XDIST_")]:
        monkeypatch.delenv(name)
    addopts = os.environ.get("PYTEST_ADDOPTS", "")
    monkeypatch.setenv("PYTEST_ADDOPTS", f"{addopts} -p no:hypothesispytest -p no:labgrid".strip())
