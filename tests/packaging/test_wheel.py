"""A regular (non-editable) install works: the wheel holds every subpackage, the templates and
the plans, and ``hil run`` runs a plan from an empty directory with nothing of the checkout
on its path.

The fresh environment borrows the dependencies of the running one through a plain path line
(which does not activate the editable install's finder), so the test needs no download.
"""

from __future__ import annotations

import os
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


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    _run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out), str(ROOT)], ROOT, 300)
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


def test_hil_run_from_an_empty_directory_with_the_wheel_installed(wheel, tmp_path):
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    site = _run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], tmp_path, 60)
    Path(site.stdout.strip(), "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    _run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps", str(wheel)], tmp_path, 300
    )
    empty = tmp_path / "empty"
    empty.mkdir()
    _run([str(env_dir / "bin" / "hil"), "run", "--", "-k", PLAN], empty, 300)
    reports = empty / "reports"
    assert (reports / "report.html").is_file() and (reports / "junit.xml").is_file()
    where = _run([str(python), "-c", "import harness; print(harness.__file__)"], empty, 60).stdout
    assert str(env_dir) in where, "the plan ran against the checkout, not the installed wheel"
