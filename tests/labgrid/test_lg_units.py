"""A place's resources as a chassis's endpoints, and --lg-tags: pure functions."""

from __future__ import annotations

import pytest

pytest.importorskip("labgrid")

from harness.lab.labgrid.claim import parse_tags  # noqa: E402
from harness.lab.labgrid.coordinator import Resource  # noqa: E402
from harness.lab.labgrid.place import PlaceUnusable, place_endpoints, spec_for_place  # noqa: E402
from harness.lab.labgrid.power import PlacePower, PowerFailed  # noqa: E402
from harness.testbed.schema import Credentials, virtual_spec  # noqa: E402


def port(name, protocol="raw", speed=9600, **extra):
    args = {"host": "ts1", "port": 7001 if name == "MSM-A" else 7002, "speed": speed, "protocol": protocol}
    return Resource(name, "NetworkSerialPort", args, dict(extra))


def resources(**changed):
    found = {
        "MSM-A": port("MSM-A"),
        "MSM-B": port("MSM-B", "rfc2217"),
        "management": Resource(
            "management", "NetworkService", {"address": "10.1.2.3", "port": 22, "username": "netops"}, {}
        ),
    }
    found.update(changed)
    return {name: value for name, value in found.items() if value is not None}


def test_consoles_management_and_speed_come_from_the_place():
    endpoints = place_endpoints("lab1", resources())

    assert endpoints.consoles == {"MSM-A": "socket://ts1:7001", "MSM-B": "rfc2217://ts1:7002"}
    assert endpoints.baudrate == 9600 and endpoints.management.host == "10.1.2.3" and endpoints.power == {}
    spec = spec_for_place(virtual_spec("lab1", credentials=Credentials("admin", "pw")), endpoints)
    assert spec.ssh_credentials == Credentials("netops", "pw") and spec.console_credentials == Credentials(
        "admin", "pw"
    )


@pytest.mark.parametrize(
    "changed, said",
    [
        ({"MSM-B": None}, "place lab1 has no resource named 'MSM-B' (it has: MSM-A, management)"),
        ({"MSM-A": port("MSM-A", "telnet")}, "MSM-A speaks 'telnet'; export it as protocol raw or rfc2217"),
        ({"MSM-A": port("MSM-A", speed=115200)}, "MSM-A and MSM-B have different speeds"),
        ({"management": port("MSM-A")}, "management is a NetworkSerialPort; the chassis needs a NetworkService"),
        ({"MSM-A": port("MSM-A", proxy_required=True)}, "MSM-A is reachable only through its exporter host"),
    ],
)
def test_a_place_missing_what_the_chassis_needs_says_so_in_one_line(changed, said):
    with pytest.raises(PlaceUnusable) as error:
        place_endpoints("lab1", resources(**changed))
    assert said in str(error.value) and "\n" not in str(error.value)


def test_power_resources_labgrid_cannot_switch_are_refused_and_one_power_does_not_switch_one_msm():
    gpio = Resource("power-MSM-A", "HttpDigitalOutput", {}, {})
    with pytest.raises(PowerFailed, match="no labgrid power driver switches"):
        PlacePower("lab1", {"MSM-A": gpio})
    whole = PlacePower(
        "lab1", {"power": Resource("power", "NetworkPowerPort", {"model": "gude", "host": "pdu", "index": "1"}, {})}
    )
    assert whole.msms == ()
    with pytest.raises(PowerFailed, match="no power-MSM-A resource .its 'power' resource switches the whole chassis"):
        whole.power("MSM-A", "off")


def test_lg_tags():
    assert parse_tags("model=xcm8810, site=lab2") == {"model": "xcm8810", "site": "lab2"}
    for bad in ("model", "=x", ""):
        with pytest.raises(ValueError, match="--lg-tags"):
            parse_tags(bad)
