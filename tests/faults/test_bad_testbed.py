"""Bad testbed files: ``hil`` exits 2 with one line naming the file, the key and the fix."""

import os
import subprocess
import sys

import pytest

REAL = """
chassis:
  lab1:
    type: real
    management: {{host: 10.1.2.3}}
    consoles: {{{consoles}}}
    credentials: {{username: admin, password: "{password}"}}
{more}"""
GOOD_CONSOLES = "MSM-A: socket://ts1:7001, MSM-B: socket://ts1:7002"


def real_testbed(consoles=GOOD_CONSOLES, password="", more=""):
    return REAL.format(consoles=consoles, password=password, more=more)


CASES = {
    "invalid YAML": ("chassis:\n  lab1: {type: real\n", "(yaml): invalid YAML at line 3",
                     "fix the YAML there"),
    "unknown key": (real_testbed(more="    fallbak: virtual\n"), "chassis.lab1.fallbak: unknown key (did you mean 'fallback'?)",
                    "the keys allowed here are"),
    "missing console URL": (real_testbed(consoles="MSM-A: socket://ts1:7001"), "chassis.lab1.consoles.MSM-B: missing",
                            "add MSM-B: <url>"),
    "unsupported URL scheme": (real_testbed(consoles="MSM-A: socket://ts1:7001, MSM-B: telnet://ts1:7002"),
                               "chassis.lab1.consoles.MSM-B: unsupported console URL scheme 'telnet'",
                               "socket://host:port for a raw TCP console"),
    "unset ${ENV}": (real_testbed(password="${HIL_NOT_SET_ANYWHERE}"),
                     "chassis.lab1.credentials.password: environment variable HIL_NOT_SET_ANYWHERE is not set",
                     "export HIL_NOT_SET_ANYWHERE before the run"),
    "two chassis on one console": (real_testbed() + "  lab2:\n    type: real\n    management: {host: 10.1.2.4}\n"
                                   "    consoles: {MSM-A: socket://TS1:7001, MSM-B: /dev/ttyUSB0}\n"
                                   "    credentials: {username: admin}\n",
                                   "chassis.lab2.consoles.MSM-A: the same console as chassis.lab1.consoles.MSM-A",
                                   "give each its own console"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_hil_exits_2_with_one_line_naming_file_key_and_fix(tmp_path, case):
    text, problem, fix = CASES[case]
    (tmp_path / "testbed.yaml").write_text(text)
    env = {k: v for k, v in os.environ.items() if k != "HIL_NOT_SET_ANYWHERE"}
    done = subprocess.run([sys.executable, "-m", "harness.cli", "run", "--testbed", "testbed.yaml"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("hil: testbed.yaml: "), done.stderr
    assert problem in lines[0] and fix in lines[0], lines[0]
    assert not (tmp_path / "reports").exists(), "a broken testbed must stop the run before anything starts"
