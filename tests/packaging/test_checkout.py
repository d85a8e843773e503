"""The guard that fails the suite when it changed the checkout (tests/checkout.py), on a real
git repository: what it must catch and what it must let pass."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.checkout import changes, snapshot


def _repo(path: Path) -> Path:
    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=path, check=True, capture_output=True)

    (path / "reports").mkdir()
    (path / "reports" / "README.md").write_text("what a run writes here\n")
    (path / "harness.py").write_text("x = 1\n")
    (path / ".gitignore").write_text("__pycache__/\n/reports/*\n!/reports/README.md\nbuild/\n")
    git("init", "-q")
    git("add", "-A")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "start")
    return path


def test_a_deleted_readme_a_changed_file_and_new_files_are_each_named(tmp_path):
    repo = _repo(tmp_path)
    before = snapshot(repo)
    assert before is not None
    (repo / "reports" / "README.md").unlink()
    (repo / "harness.py").write_text("x = 2\n")
    (repo / "stray.txt").write_text("left by a test\n")
    (repo / "build").mkdir()
    (repo / "build" / "lib.txt").write_text("an in-place wheel build\n")
    after = snapshot(repo)
    assert after is not None
    assert changes(before, after) == [
        "build/: new (ignored)", "harness.py: changed", "reports/README.md: deleted", "stray.txt: new"]


def test_run_outputs_and_byte_code_are_not_changes(tmp_path):
    repo = _repo(tmp_path)
    before = snapshot(repo)
    assert before is not None
    (repo / "reports" / "junit.xml").write_text("<testsuites/>\n")
    (repo / "__pycache__").mkdir()
    (repo / "__pycache__" / "harness.cpython-311.pyc").write_bytes(b"\0")
    after = snapshot(repo)
    assert after is not None and changes(before, after) == []


def test_outside_a_checkout_there_is_nothing_to_compare(tmp_path):
    assert snapshot(tmp_path) is None
