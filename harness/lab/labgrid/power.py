"""A place's power resources driven by labgrid's own power drivers: ``power(msm, on|off)``.

The same interface as the virtual chassis's control channel, so the power-loss procedure has one
code path. Each resource gets the driver labgrid's client uses for it (``labgrid-client power``).
"""

from __future__ import annotations

from labgrid import Target, target_factory

from harness.errors import ChassisUnavailable
from harness.lab.labgrid.coordinator import Resource
from harness.lab.labgrid.place import CHASSIS_POWER
from harness.testbed.schema import MSMS

#: labgrid power resource -> the labgrid driver that switches it (as ``labgrid-client power`` picks).
DRIVERS = {
    "NetworkPowerPort": "NetworkPowerDriver",
    "PDUDaemonPort": "PDUDaemonDriver",
    "TasmotaPowerPort": "TasmotaPowerDriver",
    "NetworkUSBPowerPort": "USBPowerDriver",
    "NetworkSiSPMPowerPort": "SiSPMPowerDriver",
    "NetworkYKUSHPowerPort": "YKUSHPowerDriver",
}
ACTIONS = ("on", "off")


class PowerFailed(ChassisUnavailable):
    """A power resource could not be switched."""


class PlacePower:
    """Power of a place's MSMs (``power-MSM-A``, ``power-MSM-B``) or whole chassis (``power``)."""

    def __init__(self, place: str, resources: dict[str, Resource]):
        self.place = place
        self.resources = dict(resources)
        for resource in self.resources.values():
            if resource.cls not in DRIVERS:
                raise PowerFailed(
                    f"place {place}: {resource.name} is a {resource.cls}, which no labgrid power driver "
                    f"switches; use one of {', '.join(sorted(DRIVERS))}"
                )

    @property
    def msms(self) -> tuple[str, ...]:
        """The MSMs whose power can be switched one at a time."""
        return tuple(msm for msm in MSMS if msm in self.resources)

    def power(self, msm: str, action: str) -> dict:
        """Switch ``msm``'s power ``on`` or ``off``."""
        if action not in ACTIONS:
            raise ValueError(f"power action must be one of {ACTIONS}, not {action!r}")
        resource = self.resources.get(msm)
        if resource is None:
            whole = " (its 'power' resource switches the whole chassis)" if CHASSIS_POWER in self.resources else ""
            raise PowerFailed(
                f"place {self.place} has no power-{msm} resource{whole}; export one per MSM to switch {msm} alone"
            )
        target = Target(f"{self.place}-{resource.name}")
        port = target_factory.make_resource(target, resource.cls, resource.name, dict(resource.args))
        port.extra = resource.extra
        driver = target_factory.make_driver(target, DRIVERS[resource.cls], None, {})
        try:
            target.activate(driver)
            getattr(driver, action)()
        except Exception as error:  # drivers raise requests, subprocess and labgrid errors alike
            raise PowerFailed(  # the error itself may quote a PDU URL with its password: not shown
                f"place {self.place}: switching {resource.name} {action} failed ({type(error).__name__}); "
                f"try it by hand: labgrid-client -p {self.place} power {action} --name {resource.name}"
            ) from None
        finally:
            target.cleanup()
        return {"ok": True}
