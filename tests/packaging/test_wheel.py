"""A regular (non-editable) install works: the wheel holds every subpackage, the templates and
the plans, and ``hil run`` runs a plan from an empty directory with nothing of the checkout
on its path.

The fresh environment borrows the dependencies of the running one through a plain path line
(which does not activate the editable install's finder), so the test needs no download.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PLAN = "test_step1_show_switch_confirms_the_nodes_are_in_sync"


def _run(argv: list[str], cwd: Path, timeout: float) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "PYTHONPATH", "VIRTUAL_ENV"))}
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{' '.join(argv)}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


def _working_tree_copy(into: Path) -> Path:
    """The checkout's files as they are (tracked and new, not ignored): a wheel built in place
    would leave build/ and egg-info in the checkout."""
    listed = subprocess.run(["git", "ls-files", "-z", "-co", "--exclude-standard"], cwd=ROOT, capture_output=True,
                            check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        if (ROOT / name).is_file():
            (into / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, into / name)
    return into


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    source = _working_tree_copy(tmp_path_factory.mktemp("source"))
    _run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out), str(source)], source, 300)
    (built,) = out.glob("xcm8800_hil-*.whl")
    return built


def test_the_wheel_holds_every_package_the_templates_and_the_plans(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    for folder in ROOT.joinpath("harness"), ROOT.joinpath("drivers"), ROOT.joinpath("virtual_chassis"):
        for module in folder.rglob("*.py"):
            assert str(module.relative_to(ROOT)) in names
    templates = sorted(p.name for p in ROOT.joinpath("harness", "parsers", "templates").glob("*.textfsm"))
    assert templates and all(f"harness/parsers/templates/{t}" in names for t in templates)
    assert "testplans/test_sync_failover.py" in names and "testplans/conftest.py" in names


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """A fresh environment with the wheel installed; its ``bin`` folder."""
    env_dir = tmp_path_factory.mktemp("venv")
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    site = _run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], env_dir, 60)
    Path(site.stdout.strip(), "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    _run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps", str(wheel)], env_dir, 300
    )
    return env_dir / "bin"


def test_hil_run_from_an_empty_directory_with_the_wheel_installed(installed, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    done = _run([str(installed / "hil"), "run", "--", "-k", PLAN], empty, 300)
    assert "PytestAssertRewriteWarning" not in done.stdout + done.stderr
    reports = empty / "reports"
    assert (reports / "report.html").is_file() and (reports / "junit.xml").is_file()
    where = _run([str(installed / "python"), "-c", "import harness; print(harness.__file__)"], empty, 60).stdout
    assert str(installed.parent) in where, "the plan ran against the checkout, not the installed wheel"


def test_plain_pytest_names_the_installed_plans_with_pyargs(installed, tmp_path):
    (tmp_path / "lab.yaml").write_text("chassis:\n  lab1:\n    type: virtual\n")
    pytest_ = [str(installed / "python"), "-m", "pytest", "-p", "no:cacheprovider", "--testbed", "lab.yaml"]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "PYTHONPATH", "VIRTUAL_ENV"))}
    nothing = subprocess.run(pytest_, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert nothing.returncode == pytest.ExitCode.NO_TESTS_COLLECTED
    assert "pytest --pyargs testplans --testbed FILE" in nothing.stdout, nothing.stdout[-2000:]
    # what it names collects the installed plans (hil run, above, runs them from the same wheel)
    done = _run([*pytest_, "--pyargs", "testplans", "--collect-only", "-q"], tmp_path, 120)
    assert f"test_sync_failover.py::{PLAN}" in done.stdout and "PytestAssertRewriteWarning" not in done.stderr
