"""ssh -G resolution: aliases, jump hosts and proxy commands as OpenSSH sees them (real client)."""

from __future__ import annotations

import pytest

from drivers.errors import ConnectionFailed
from drivers.transports.ssh_config import parse_config, resolve


def test_an_alias_of_the_users_config_resolves_to_its_hostname_and_port(tmp_path):
    config = tmp_path / "config"
    config.write_text("Host lab-8810\n  HostName 127.0.0.1\n  Port 2222\n")
    target = resolve("lab-8810", options=["-F", str(config)])
    assert (target.hostname, target.port, target.via_proxy) == ("127.0.0.1", 2222, False)


def test_two_spellings_of_one_address_share_an_identity():
    assert resolve("localhost", 2222).identity() == resolve("127.0.0.1", 2222).identity()


def test_one_private_address_behind_two_jump_hosts_gives_two_identities():
    first = resolve("10.0.0.5", 22, ["-o", "ProxyJump=jump1.example"])
    second = resolve("10.0.0.5", 22, ["-o", "ProxyJump=jump2.example"])
    assert first.via_proxy and first.identity() != second.identity()
    assert "jump1.example" in first.identity()


def test_a_proxy_command_is_kept():
    target = resolve("switch", 22, ["-o", "ProxyCommand=nc -X 5 -x proxy:1080 %h %p"])
    assert target.proxy_command.startswith("nc ") and target.hostname == "switch"


def test_a_bad_option_is_one_clear_error():
    with pytest.raises(ConnectionFailed, match="OpenSSH cannot use the address"):
        resolve("switch", 22, ["-o", "NoSuchOption=1"])


def test_parse_config_reads_none_as_empty():
    target = parse_config("hostname 10.1.2.3\nport 22\nproxyjump none\nproxycommand none\n")
    assert (target.hostname, target.port, target.proxy_jump, target.proxy_command) == ("10.1.2.3", 22, "", "")
