"""The preflight reaches management SSH the way OpenSSH does: the system ssh, against the
emulator's real SSH server, through an ssh_config alias and a jump host."""

from __future__ import annotations

import pytest

from harness.lab.reach import ssh_unreachable
from tests.virtual_chassis.vc_helpers import Emulator


@pytest.fixture(scope="module")
def ssh_port():
    emulator = Emulator("--speed", "1000")
    yield int(emulator.endpoints["ssh"]["port"])
    emulator.stop()


@pytest.fixture
def ssh_config(tmp_path, ssh_port):
    """An ssh_config with an alias of the emulator and a host reached through it as jump host;
    host keys are checked against an empty file, as for a jump host never visited."""
    path = tmp_path / "ssh_config"
    path.write_text(
        f"Host lab-alias\n  HostName 127.0.0.1\n  Port {ssh_port}\n"
        "Host behind-jump\n  HostName 127.0.0.1\n  ProxyJump lab-alias\n"
        f"Host *\n  UserKnownHostsFile {tmp_path / 'known_hosts'}\n  StrictHostKeyChecking yes\n"
    )
    return path


def test_an_address_that_answers_is_reachable(ssh_port):
    assert ssh_unreachable("127.0.0.1", ssh_port, (), 5) is None


def test_an_ssh_config_alias_is_reachable_where_a_direct_connection_is_not(ssh_config, ssh_port):
    assert ssh_unreachable("lab-alias", ssh_port, ("-F", str(ssh_config)), 5) is None


def test_a_jump_hosts_unknown_host_key_is_named_in_one_line(ssh_config, ssh_port):
    problem = ssh_unreachable("behind-jump", ssh_port, ("-F", str(ssh_config)), 5)

    assert problem is not None and "\n" not in problem
    assert problem.startswith("the host key of jump host lab-alias is not known to OpenSSH; run 'ssh lab-alias' once")


def test_a_closed_port_and_an_unknown_name_say_what_ssh_said(free_port):
    closed = ssh_unreachable("127.0.0.1", free_port(), (), 5)
    unknown = ssh_unreachable("no-such-host.invalid", 22, (), 5)

    assert closed is not None and unknown is not None
    assert "is unreachable (ssh: connect to host 127.0.0.1 port" in closed and "Connection refused" in closed
    assert "Could not resolve hostname no-such-host.invalid" in unknown
