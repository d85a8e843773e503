"""A labgrid place's resources as the endpoints of a chassis.

By name in the place: ``MSM-A`` and ``MSM-B`` (``NetworkSerialPort``: ``raw`` is a
``socket://`` console, ``rfc2217`` an ``rfc2217://`` one, ``speed`` the baud rate),
``management`` (``NetworkService``: address, port, username) and optionally power:
``power-MSM-A`` and ``power-MSM-B``, or one ``power`` for the whole chassis.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from harness.errors import ChassisUnavailable
from harness.lab.labgrid.coordinator import Resource
from harness.testbed.schema import MSMS, ChassisSpec, Credentials, SshAddress

SCHEMES = {"raw": "socket", "rfc2217": "rfc2217"}
CHASSIS_POWER = "power"


class PlaceUnusable(ChassisUnavailable):
    """A place lacks a resource the chassis needs, or has one of the wrong kind."""


@dataclass(frozen=True)
class PlaceEndpoints:
    """What a place says about its chassis."""

    consoles: dict[str, str]
    baudrate: int
    management: SshAddress
    username: str
    power: dict[str, Resource]  # "MSM-A", "MSM-B" and/or "power"


def place_endpoints(place: str, resources: dict[str, Resource]) -> PlaceEndpoints:
    """The endpoints of the chassis the place ``place`` holds; ``PlaceUnusable`` says what is missing."""
    consoles, speeds = {}, set()
    for msm in MSMS:
        port = _resource(place, resources, msm, "NetworkSerialPort")
        scheme = SCHEMES.get(str(port.args.get("protocol", "rfc2217")))
        if scheme is None:
            raise PlaceUnusable(
                f"place {place}: {msm} speaks {port.args.get('protocol')!r}; export it as protocol raw or rfc2217"
            )
        consoles[msm] = f"{scheme}://{port.args['host']}:{port.args['port']}"
        speeds.add(int(port.args.get("speed", 115200)))
    if len(speeds) > 1:
        raise PlaceUnusable(f"place {place}: MSM-A and MSM-B have different speeds; give both the chassis's baud rate")
    service = _resource(place, resources, "management", "NetworkService")
    power = {msm: resources[f"power-{msm}"] for msm in MSMS if f"power-{msm}" in resources}
    if CHASSIS_POWER in resources:
        power[CHASSIS_POWER] = resources[CHASSIS_POWER]
    return PlaceEndpoints(
        consoles,
        speeds.pop(),
        SshAddress(str(service.args["address"]), int(service.args.get("port", 22))),
        str(service.args.get("username", "")),
        power,
    )


def _resource(place: str, resources: dict[str, Resource], name: str, cls: str) -> Resource:
    resource = resources.get(name)
    if resource is None:
        raise PlaceUnusable(
            f"place {place} has no resource named {name!r} (it has: {', '.join(sorted(resources)) or 'none'}); "
            f"export a {cls} called {name} and match it to the place"
        )
    if resource.cls != cls:
        raise PlaceUnusable(f"place {place}: {name} is a {resource.cls}; the chassis needs a {cls} there")
    if resource.extra.get("proxy_required"):
        raise PlaceUnusable(
            f"place {place}: {name} is reachable only through its exporter host (proxy_required); "
            "export an address the test host reaches directly"
        )
    return resource


def spec_for_place(spec: ChassisSpec, endpoints: PlaceEndpoints) -> ChassisSpec:
    """The testbed entry ``spec`` completed with the place's consoles and management address; the
    SSH login is the place's ``management`` username unless the testbed gives ``credentials.ssh``."""
    ssh_login = spec.ssh_login
    if ssh_login is None and endpoints.username:
        ssh_login = Credentials(endpoints.username, spec.credentials.password)
    return replace(
        spec,
        management=endpoints.management,
        consoles=dict(endpoints.consoles),
        baudrate=endpoints.baudrate,
        ssh_login=ssh_login,
    )
