"""A password-asking jump host never gets the switch's password.

The jump host is a real ProxyCommand under the real OpenSSH client: like ``ssh -W`` to a jump
host without a key, it asks ``jump@bastion's password:`` on the terminal (``/dev/tty``) and
records whatever is typed. The harness ends the connect with one line instead of answering.
"""

from __future__ import annotations

import sys
import textwrap
import time
from pathlib import Path

import pytest

from drivers.deadline import Deadline
from drivers.errors import ConnectionFailed
from drivers.transcript import Transcript
from drivers.transports.ssh import SshTransport
from harness.lab.chassis import SSH, Chassis, ChassisAccess
from harness.testbed.schema import Credentials

PASSWORD = "Switch-Adm1n-Pw"
TOKEN = "jump-token-from-env"
JUMP = textwrap.dedent("""
    import os, select, sys
    out = open(sys.argv[1], "ab", buffering=0)
    out.write(b"asked\\n")
    tty = os.open("/dev/tty", os.O_RDWR)
    os.write(tty, sys.argv[2].encode())
    got = b""
    while select.select([tty], [], [], 10)[0]:
        chunk = os.read(tty, 100)
        if not chunk:
            break
        got += chunk
        out.write(b"typed: " + chunk + b"\\n")
        if b"\\r" in got or b"\\n" in got:
            break
    sys.exit(1)
""")


@pytest.fixture
def jump(tmp_path):
    script = tmp_path / "jump.py"
    script.write_text(JUMP)
    record = tmp_path / "jump-received.log"

    def options(prompt: str) -> list[str]:
        return ["-o", f"ProxyCommand={sys.executable} {script} {record} \"{prompt}\""]
    return options, record


@pytest.mark.parametrize("prompt", ["jump@bastion's password: ", "Enter passphrase for key '/k/id_ed25519': "])
def test_a_jump_host_asking_for_a_secret_ends_the_connect_and_gets_nothing(jump, prompt):
    options, record = jump
    transcript = Transcript(None)
    ssh = SshTransport("10.77.0.1", 22, "admin", PASSWORD, ssh_options=options(prompt), transcript=transcript)
    with pytest.raises(ConnectionFailed) as failed:
        ssh.open(Deadline(20))
    message = str(failed.value)
    assert "not the switch's login" in message and "give the jump host a key or an agent" in message
    assert len(message.splitlines()) == 1 and PASSWORD not in message
    received = record.read_bytes()
    assert received.startswith(b"asked"), "the jump host never asked"
    assert PASSWORD.encode() not in received and b"typed" not in received
    assert PASSWORD not in transcript.text()


def test_the_switch_prompt_through_a_jump_host_is_answered(jump, tmp_path):
    """Its own prompt (``admin@<switch>'s password:``) is the switch's: the password goes."""
    options, record = jump
    transcript = Transcript(None)
    ssh = SshTransport("10.77.0.1", 22, "admin", PASSWORD, ssh_options=options("admin@10.77.0.1's password: "),
                       transcript=transcript)
    try:
        ssh.open(Deadline(20))  # the fake jump host ends after the line: how ssh ends is not the point
    except ConnectionFailed:
        pass
    deadline = Deadline(10)
    while PASSWORD.encode() not in record.read_bytes() and not deadline.expired:
        time.sleep(0.02)  # the fake jump host records what it read
    ssh.close()
    assert PASSWORD.encode() in record.read_bytes(), transcript.text()


def test_ssh_option_values_from_the_environment_are_masked_in_the_transcript(jump, tmp_path):
    options, _ = jump
    access = ChassisAccess("lab1", "real", "10.77.0.1", 22, {}, Credentials("admin", PASSWORD),
                           tmp_path / "known_hosts", (*options("password: "), "-o", f"SetEnv=T={TOKEN}"),
                           secrets=(TOKEN,))
    chassis = Chassis(access, tmp_path / "transcripts")
    with pytest.raises(ConnectionFailed):
        chassis.session(SSH)
    text = Path(chassis.transcript_path(SSH)).read_text()
    assert "SetEnv=T=********" in text and TOKEN not in text and PASSWORD not in text
