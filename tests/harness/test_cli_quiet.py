"""A dependency that warns when hil imports it does not reach the person or a parser of hil's
one-line errors: the warning goes to the warnings log, once. The warning is real: an import hook
loaded by ``sitecustomize`` from ``PYTHONPATH`` fires when hil imports PyYAML."""

from __future__ import annotations

import os
import subprocess
import sys

NOISY_SITE = '''
import importlib.abc, sys, warnings

class Noisy(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "yaml":
            sys.meta_path.remove(self)
            warnings.warn("NOISE-WARNING: this loader is deprecated", UserWarning)
            warnings.warn("NOISE-WARNING: this loader is deprecated", UserWarning)
        return None

sys.meta_path.insert(0, Noisy())
'''


def test_a_warning_at_import_leaves_hil_s_error_one_line_and_goes_to_the_log(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(NOISY_SITE)
    (tmp_path / "testbed.yaml").write_text("chassis: [unclosed")
    env = {**os.environ, "PYTHONPATH": str(site), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    done = subprocess.run([sys.executable, "-m", "harness.cli", "run", "--testbed", "testbed.yaml"], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.startswith("hil: testbed.yaml: (yaml)") and len(done.stderr.splitlines()) == 1, done.stderr
    log = (tmp_path / "cache" / "xcm8800-hil" / "warnings.log").read_text()
    assert log.count("NOISE-WARNING") == 1, log
