"""Per-endpoint logins and labgrid places in the testbed: what is accepted, and the one-line
errors for what is not."""

from __future__ import annotations

import pytest

from harness.errors import TestbedError
from harness.lab.chassis import ChassisAccess
from harness.testbed.schema import Credentials, load_testbed

REAL = "    type: real\n    management: {host: 10.1.2.3}\n    consoles: {MSM-A: socket://ts:7001, MSM-B: socket://ts:7002}\n"


def load(tmp_path, body: str, environ=None):
    path = tmp_path / "testbed.yaml"
    path.write_text("chassis:\n  lab1:\n" + body)
    return load_testbed(path, environ or {}).select("lab1")


def test_ssh_and_console_logins_override_the_chassis_login(tmp_path):
    spec = load(
        tmp_path,
        REAL + "    credentials:\n      username: admin\n      password: ${PW}\n"
        '      ssh: {username: netops, password: "${SSH_PW}"}\n      console: {username: root}\n',
        {"PW": "chassis-secret", "SSH_PW": "ssh-secret"},
    )

    assert spec.ssh_credentials == Credentials("netops", "ssh-secret")
    assert spec.console_credentials == Credentials("root", "chassis-secret")  # no password: the chassis's
    assert "secret" not in repr(spec)
    access = ChassisAccess(
        "lab1", "real", "h", 22, {}, spec.ssh_credentials, tmp_path, console_credentials=spec.console_credentials
    )
    assert access.login("ssh").username == "netops" and access.login("MSM-B").username == "root"


def test_without_overrides_every_endpoint_uses_the_chassis_login(tmp_path):
    spec = load(tmp_path, REAL + "    credentials: {username: admin, password: x}\n")

    assert spec.ssh_credentials == spec.console_credentials == Credentials("admin", "x")


def test_a_labgrid_place_needs_no_addresses(tmp_path):
    spec = load(tmp_path, "    type: real\n    labgrid: {place: lab-8810-1}\n    credentials: {username: admin}\n")

    assert spec.labgrid is not None and spec.labgrid.place == "lab-8810-1"
    assert spec.management is None and spec.consoles == {}


@pytest.mark.parametrize(
    "body, key, problem",
    [
        (REAL + "    credentials: {username: admin, sssh: {username: a}}\n", "credentials.sssh", "did you mean 'ssh'?"),
        (REAL + "    credentials: {username: admin, console: root}\n", "credentials.console", "expected a mapping"),
        (REAL + "    credentials: {username: admin, ssh: {password: x}}\n", "credentials.ssh.username", "missing"),
        (REAL + "    credentials: {username: admin, ssh: {username: ''}}\n", "credentials.ssh.username", "empty"),
        (
            REAL + "    labgrid: {place: x}\n    credentials: {username: a}\n",
            "lab1.management",
            "given by the labgrid place",
        ),
        ("    type: real\n    labgrid: {}\n    credentials: {username: a}\n", "labgrid.place", "missing"),
        (
            "    type: real\n    labgrid: {place: 'a b'}\n    credentials: {username: a}\n",
            "labgrid.place",
            "not a labgrid place",
        ),
        ("    type: virtual\n    labgrid: {place: x}\n", "lab1.labgrid", "not used by a virtual chassis"),
    ],
)
def test_bad_logins_and_places_get_one_line_naming_the_key(tmp_path, body, key, problem):
    with pytest.raises(TestbedError) as error:
        load(tmp_path, body)

    message = str(error.value)
    assert key in message and problem in message and "\n" not in message
