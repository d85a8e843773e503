"""The lock (constraints.txt) and pyproject.toml agree, and every documented install uses the lock:
the README's two Quick start commands, ``.ci/run`` (the second one word for word) and the
benchmarks' install line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.packaging.lockfile import mismatches, read_lock

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = (ROOT / "pyproject.toml").read_text()
LOCK = (ROOT / "constraints.txt").read_text()


def test_the_lock_pins_exactly_what_pyproject_requires():
    assert mismatches(PYPROJECT, LOCK) == []


def test_a_dependency_added_to_pyproject_only_is_named_in_one_line():
    grown = PYPROJECT.replace('    "pyserial>=3.5",', '    "pyserial>=3.5",\n    "scrapli>=2024.1",')
    (problem,) = mismatches(grown, LOCK)
    assert problem.startswith("scrapli: ") and "does not pin it" in problem and "\n" not in problem


def test_a_pin_added_to_the_lock_only_is_named_in_one_line():
    (problem,) = mismatches(PYPROJECT, LOCK + "scrapli==2025.1.30  # via pyproject.toml\n")
    assert problem.startswith("scrapli: ") and "no longer requires it" in problem


def test_a_pin_nothing_needs_and_a_pin_outside_the_range_are_named():
    stray = mismatches(PYPROJECT, LOCK + "leftover==1.0  # via nothing-pinned\n")
    assert [p.split(":")[0] for p in stray] == ["leftover"]
    old = re.sub(r"(?m)^asyncssh==\S+", "asyncssh==2.0.0", LOCK)
    (problem,) = mismatches(PYPROJECT, old)
    assert problem.startswith("asyncssh: constraints.txt pins 2.0.0, outside")


def test_a_line_that_is_not_a_pin_is_refused_with_its_number():
    with pytest.raises(ValueError, match=r"line 2: 'asyncssh>=2' is not NAME==VERSION"):
        read_lock("# header\nasyncssh>=2\n")


def test_every_documented_install_uses_the_lock():
    readme = (ROOT / "README.md").read_text()
    quick = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = [line for line in quick.splitlines() if line.startswith("python3 -m venv")]
    assert len(commands) == 2 and all("pip install -q -c constraints.txt -e " in c for c in commands), commands
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert commands[1] in ci, "the last command of .ci/run is the README's second command, word for word"
    assert all("-c constraints.txt" in line for line in ci if "pip install" in line)
    assert "-c constraints.txt" in (ROOT / "bench" / "README.md").read_text()
