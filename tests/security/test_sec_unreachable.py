"""A ``${VAR}`` secret in ``ssh_options`` (a jump host's token on a ProxyCommand) stays off the
"unreachable" line of every command that preflights a real chassis.

The ProxyCommand is real: OpenSSH runs it, it fails (it prints its command line, as a wrapper
script or ``sh`` does for a command that is not found), and the chassis is unreachable.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

TOKEN = "Jump-Pr0xy-T0ken-xyz"
#: Prints what it was started with on stderr (as ``sh: 1: <command>: not found`` does), then fails.
JUMP = (
    "import sys; sys.stderr.write('jump: cannot reach bastion with ' + ' '.join(sys.argv[1:]) + chr(10)); sys.exit(255)"
)

TESTBED = """
chassis:
  lab1:
    type: real
    management: {{host: 10.77.0.9, port: 22}}
    consoles: {{MSM-A: "socket://127.0.0.1:9", MSM-B: "socket://127.0.0.1:11"}}
    credentials: {{username: admin, password: "Sw1tch-Pa55"}}
    ssh_options: ["-o", "ProxyCommand={python} {jump} --token ${{HIL_JUMP_TOKEN}} %h %p"]
"""

COMMANDS = {
    "check": ["check", "--testbed", "testbed.yaml"],
    "run": ["run", "--testbed", "testbed.yaml", "--reports", "reports"],
    "soak": ["soak", "--testbed", "testbed.yaml", "--reports", "reports", "--cycles", "1"],
    "failover": ["failover", "--testbed", "testbed.yaml", "--junit", "reports/failover-junit.xml"],
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_proxy_command_secret_is_masked_on_the_unreachable_line(tmp_path, command):
    jump = tmp_path / "jump.py"
    jump.write_text(JUMP)
    (tmp_path / "testbed.yaml").write_text(TESTBED.format(python=sys.executable, jump=jump))
    done = subprocess.run(
        [sys.executable, "-m", "harness.cli", *COMMANDS[command]],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "HIL_JUMP_TOKEN": TOKEN},
    )
    output = done.stdout + done.stderr
    assert done.returncode != 0, output
    assert "unreachable" in output.lower(), output
    assert TOKEN not in output, output
    assert "--token ********" in output, output  # the line still says which way ssh went
    for path in (tmp_path / "reports").rglob("*") if (tmp_path / "reports").exists() else ():
        if path.is_file():
            assert TOKEN.encode() not in path.read_bytes(), path
