"""``constraints.txt``: the one resolved set of versions every run of the project installs.

pyproject.toml keeps ranges (the wheel must not pin its users); the lock pins the project's own
runs (the README's two commands, ``.ci/run``, the benchmarks) so that a dependency's new release
cannot turn a fresh machine red. Each pin says which pins need it (``# via ...``), and the
project's own requirements say ``# via pyproject.toml``, so a lock that no longer matches
pyproject.toml is found without a download.

``python -m tests.packaging.lockfile test bench`` run inside a fresh environment of
``.[test,bench]`` prints the lock for that environment (``.ci/lock`` does exactly that); :func:`mismatches` compares a lock
with pyproject.toml.
"""

from __future__ import annotations

import re
import sys
import tomllib
from importlib import metadata

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

PROJECT = "xcm8800-hil"
#: Installers' own packages, which a venv brings and a lock leaves to it.
TOOLS = {"pip", "setuptools", "wheel"}
HEADER = """\
# The one resolved set of versions for every run of the project: the README's two commands,
# .ci/run and the benchmarks install with `pip install -c constraints.txt ...`.
# pyproject.toml keeps ranges for the wheel's users; this file pins the project's own runs.
# Made by `bash .ci/lock` (the newest versions pip resolves for .[test,bench]); run it after a
# change of dependencies in pyproject.toml, or to take new releases, then run the suite.
# tests/packaging/test_lock.py fails while this file and pyproject.toml disagree.
"""
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)\s*(?:#\s*via\s+(.*))?$")


def project_requirements(pyproject_text: str) -> dict[str, Requirement]:
    """Every requirement of pyproject.toml (runtime and every extra) by canonical name; the
    project's own extras (``xcm8800-hil[labgrid]``) are left out."""
    project = tomllib.loads(pyproject_text)["project"]
    lines = list(project.get("dependencies", []))
    for extra in project.get("optional-dependencies", {}).values():
        lines += extra
    wanted = (Requirement(line) for line in lines)
    return {canonicalize_name(r.name): r for r in wanted if canonicalize_name(r.name) != PROJECT}


def read_lock(lock_text: str) -> dict[str, tuple[str, set[str]]]:
    """``{name: (version, via)}`` of a lock; a line that is not a pin raises ValueError."""
    pins: dict[str, tuple[str, set[str]]] = {}
    for number, line in enumerate(lock_text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = PIN.match(line.strip())
        if match is None:
            raise ValueError(f"constraints.txt line {number}: {line.strip()!r} is not NAME==VERSION  # via ...")
        name, version, via = match.groups()
        pins[canonicalize_name(name)] = (version, {v.strip() for v in (via or "").split(",") if v.strip()})
    return pins


def mismatches(pyproject_text: str, lock_text: str) -> list[str]:
    """One line per disagreement between pyproject.toml and the lock, naming the package."""
    wanted, pins = project_requirements(pyproject_text), read_lock(lock_text)
    problems = [f"{name}: pyproject.toml requires it and constraints.txt does not pin it; run .ci/lock"
                for name in sorted(set(wanted) - set(pins))]
    for name, (version, via) in sorted(pins.items()):
        if name in wanted and not wanted[name].specifier.contains(version, prereleases=True):
            problems.append(f"{name}: constraints.txt pins {version}, outside pyproject.toml's "
                            f"{wanted[name].specifier}; run .ci/lock")
        if "pyproject.toml" in via and name not in wanted:
            problems.append(f"{name}: constraints.txt pins it for pyproject.toml, which no longer requires it; "
                            "run .ci/lock")
        if not via or not via <= set(pins) | {"pyproject.toml"}:
            problems.append(f"{name}: constraints.txt pins it, but nothing pinned or in pyproject.toml needs it "
                            f"(via {', '.join(sorted(via)) or 'nothing'}); run .ci/lock")
    return problems


def _needed_by(installed: dict[str, metadata.Distribution], extras: set[str]) -> dict[str, set[str]]:
    """For each name reached from the project with ``extras``, the names whose requirements
    (with the extras asked of them) brought it in: the walk pip's resolver made."""
    needed: dict[str, set[str]] = {}
    todo, seen = [(PROJECT, frozenset(extras))], set()
    while todo:
        name, asked = todo.pop()
        if (name, asked) in seen or name not in installed:
            continue
        seen.add((name, asked))
        for line in installed[name].requires or []:
            requirement = Requirement(line)
            marker = requirement.marker
            if marker is None or any(marker.evaluate({"extra": e}) for e in ["", *asked]):
                target = canonicalize_name(requirement.name)
                if target != name:
                    needed.setdefault(target, set()).add(name)
                todo.append((target, frozenset(requirement.extras)))
    return needed


def lock_of_this_environment(pyproject_text: str, extras: set[str]) -> str:
    """The lock of the running environment, which holds the project with ``extras``."""
    installed: dict[str, metadata.Distribution] = {
        canonicalize_name(d.metadata["Name"]): d for d in metadata.distributions()}
    needed = _needed_by(installed, extras)
    lines = [HEADER]
    for name in sorted(set(needed) - TOOLS - {PROJECT}):
        via = sorted(needed[name] - {PROJECT}) + (["pyproject.toml"] if PROJECT in needed[name] else [])
        lines.append(f"{name}=={installed[name].version}  # via {', '.join(via)}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    with open("pyproject.toml", encoding="utf-8") as pyproject:
        sys.stdout.write(lock_of_this_environment(pyproject.read(), set(sys.argv[1:])))
