"""Suite-wide settings: no test of the harness may run longer than its deadline, and the runs a
test starts (``hil``, pytester) are runs of their own, also when the suite runs under xdist."""

import compileall
import os
from pathlib import Path

import pytest

TEST_DEADLINE = 120   # seconds; a hang fails the test instead of stalling CI


def pytest_configure(config):
    """Byte-compile the project once, before any worker starts: the suite starts some hundred
    child interpreters (emulators, ``hil`` runs), and where ``PYTHONDONTWRITEBYTECODE`` is set
    each of them compiled every module it imports again (~0.1 s of CPU per child)."""
    if not hasattr(config, "workerinput"):
        root = Path(__file__).resolve().parent.parent
        for package in ("harness", "drivers", "virtual_chassis", "testplans", "bench"):
            compileall.compile_dir(root / package, quiet=1)


@pytest.hookimpl(tryfirst=True)
def pytest_xdist_auto_num_workers(config):
    """``-n auto`` for this suite: two workers per core (at most 16). Most of its time is spent
    waiting on child processes (emulators, ``hil`` runs, labgrid) and deadlines, so one worker
    per core leaves cores idle; measured on 2 cores: 129 s with 2 workers, 94-113 s with 4.
    ``PYTEST_XDIST_AUTO_NUM_WORKERS`` still decides when it is set."""
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None
    return min(16, 2 * len(os.sched_getaffinity(0)))


def pytest_collection_modifyitems(config, items):
    if config.pluginmanager.hasplugin("timeout"):
        for item in items:
            if item.get_closest_marker("timeout") is None:
                item.add_marker(pytest.mark.timeout(TEST_DEADLINE))


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
