"""A dependency that warns or prints at import time (as cryptography 51 did inside asyncssh)
changes neither the emulator's JSON line nor the banner a person reads: the noise goes to the
emulator's log, once. The noise is real: an import hook, loaded by ``sitecustomize`` from
``PYTHONPATH``, fires when the emulator imports asyncssh."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from drivers.deadline import Deadline

NOISY_SITE = '''
import importlib.abc, os, sys, warnings

class Noisy(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "asyncssh":
            sys.meta_path.remove(self)
            warnings.warn("NOISE-WARNING: this algorithm is deprecated", UserWarning)
            warnings.warn("NOISE-WARNING: this algorithm is deprecated", UserWarning)  # again, another line
            print("NOISE-PRINT from a dependency")
            os.write(1, b"NOISE-FD1 from a dependency's C code\\n")
        return None

sys.meta_path.insert(0, Noisy())
'''


def _noisy_env(tmp_path: Path) -> dict[str, str]:
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(NOISY_SITE)
    return {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(site), os.environ.get("PYTHONPATH")]))}


def _start(argv: list[str], tmp_path: Path) -> tuple[subprocess.Popen, dict, list[str]]:
    """Start ``argv``; its JSON line and the banner lines up to the control channel's."""
    child = subprocess.Popen(argv, cwd=tmp_path, env=_noisy_env(tmp_path), stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert child.stdout is not None and child.stderr is not None
    endpoints = json.loads(child.stdout.readline())
    banner = [child.stderr.readline()]
    while "control channel" not in banner[-1] and banner[-1]:
        banner.append(child.stderr.readline())
    return child, endpoints, banner


def _stop(child: subprocess.Popen) -> tuple[str, str]:
    child.send_signal(signal.SIGINT)
    assert child.wait(Deadline(15).remaining()) in (0, -signal.SIGINT)
    assert child.stdout is not None and child.stderr is not None
    return child.stdout.read(), child.stderr.read()  # after what readline() buffered, not around it


def test_noise_at_import_goes_to_the_log_once_never_before_the_json_line(tmp_path):
    log = tmp_path / "emulator.log"
    argv = [sys.executable, "-m", "virtual_chassis", "--speed", "1000", "--log", str(log)]
    child, endpoints, banner = _start(argv, tmp_path)
    rest_out, rest_err = _stop(child)
    assert set(endpoints) >= {"name", "ssh", "consoles", "control", "username"}
    assert banner[0].startswith(f"virtual chassis {endpoints['name']} is up"), banner
    assert "NOISE" not in "".join(banner) + rest_err + rest_out
    text = log.read_text()
    assert text.count("NOISE-WARNING") == 1, text
    assert "NOISE-PRINT" in text and "NOISE-FD1" in text


def test_without_a_log_the_noise_is_on_stderr_and_the_json_line_still_first(tmp_path):
    argv = [sys.executable, "-m", "virtual_chassis", "--speed", "1000"]
    child, endpoints, banner = _start(argv, tmp_path)
    rest_out, rest_err = _stop(child)
    assert endpoints["username"] == "admin" and "NOISE" not in rest_out
    everything = "".join(banner) + rest_err
    assert everything.count("NOISE-WARNING") == 1 and "NOISE-PRINT" in everything


def test_hil_virtual_shows_the_banner_alone_and_names_its_log(tmp_path):
    child, endpoints, banner = _start([sys.executable, "-m", "harness.cli", "virtual", "--", "--speed", "1000"],
                                      tmp_path)
    rest_out, rest_err = _stop(child)
    assert banner[0].startswith(f"virtual chassis {endpoints['name']} is up"), banner
    assert "NOISE" not in "".join(banner) + rest_err + rest_out
    log = tmp_path / "reports" / "virtual.log"
    assert f"log            : {Path('reports') / 'virtual.log'}" in rest_err
    assert log.read_text().count("NOISE-WARNING") == 1
