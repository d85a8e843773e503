"""A changed SSH host key stops the connection with a clear message: the harness's known_hosts
pins the key of a virtual chassis, which is then restarted on the same port with a new key."""

import socket

import pytest

from drivers.errors import HostKeyChanged
from harness.lab.chassis import SSH, Chassis, ChassisAccess
from harness.testbed.schema import Credentials
from tests.virtual_chassis.vc_helpers import Emulator


def chassis_on(port, tmp_path, ssh_options=()):
    access = ChassisAccess("vkey", "virtual", "127.0.0.1", port, {}, Credentials("admin", ""),
                           tmp_path / "known_hosts", ssh_options, time_scale=0.001)
    return Chassis(access, tmp_path / "transcripts")


@pytest.mark.parametrize("alias", [None, "xcm8800-hil-virtual-lab"])
def test_a_restarted_emulator_with_a_new_host_key_is_refused(tmp_path, alias):
    options = ("-o", f"HostKeyAlias={alias}") if alias else ()
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]                   # free now; both emulators take it in turn
    # the emulator keeps its key per chassis name: a second key folder is a re-keyed switch
    with Emulator("--speed", "1000", "--ssh-port", str(port), "--host-key-dir", str(tmp_path / "keys-1")):
        first = chassis_on(port, tmp_path, options)
        assert first.show_switch().master == "MSM-A"
        first.close()
    assert "ssh-ed25519" in (tmp_path / "known_hosts").read_text()     # pinned on first use

    with Emulator("--speed", "1000", "--ssh-port", str(port), "--host-key-dir", str(tmp_path / "keys-2")):
        second = chassis_on(port, tmp_path, options)
        mark = second.transcript_mark(SSH)
        with pytest.raises(HostKeyChanged) as changed:
            second.run(SSH, "show switch")
        second.close()
    message = str(changed.value)
    assert f"the host key differs from the one recorded in {tmp_path / 'known_hosts'}" in message
    entry = alias or f"[127.0.0.1]:{port}"  # a virtual chassis's key is pinned under its alias
    assert f"ssh-keygen -R '{entry}'" in message and "someone may be in the middle" in message
    assert "> show switch" not in second.transcript_since(SSH, mark), "a command went to the new key"
