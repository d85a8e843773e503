"""The two chassis of the NETGEAR 8800 family as the emulator models them: what differs between
an XCM8806 and an XCM8810 is data, kept here, and nothing else of the model depends on it.

Both hold two MSMs, MSM-A and MSM-B [NG]. The BD-8806 the XCM8806 is built on has six slots (the
MSMs in 3 and 4) and the BD-8810 ten (the MSMs in 5 and 6) [EX, presumed identical for NETGEAR]:
four and eight I/O slots. ``show version`` numbers the I/O slots Slot-1.. in order [INF: the
numbering and which slots hold a module are our choice]. The power supply bays (6 on the 8810,
3 on the 8806) are [INF] as well.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Hardware:
    """One chassis model: its name (``System Type``), I/O slots and modules, power supplies."""

    model: str
    io_slots: int
    io_modules: dict[int, str]  # slot -> part, serial and revision of the module it holds
    psu_bays: int
    psus: dict[int, str]  # bay -> description of the power supply in it


_PSUS = {1: "Internal Power Supply PS 2336 0904G-00222", 2: "Internal Power Supply PS 2336 0904G-00223"}

MODELS = {
    "XCM8810": Hardware(
        "XCM8810",
        io_slots=8,
        io_modules={1: "800134-00-07 0801G-00103 Rev 7.0", 3: "800135-00-04 0812G-00377 Rev 4.0"},
        psu_bays=6,
        psus=_PSUS,
    ),
    "XCM8806": Hardware(
        "XCM8806",
        io_slots=4,
        io_modules={1: "800134-00-07 0801G-00181 Rev 7.0", 2: "800135-00-04 0812G-00402 Rev 4.0"},
        psu_bays=3,
        psus=_PSUS,
    ),
}
DEFAULT_MODEL = "XCM8810"
