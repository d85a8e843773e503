"""What the firmware plans compare: each MSM's images as ``show switch`` reports them, and the
switch's verdict on an image it was asked to install.

Refusals are recognised by the switch's words (device reference §7), as data: the plans name
the reason, and tolerate a real switch that says less than the emulator (a plain
``Source image bad`` for a corrupt or truncated file).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from harness.parsers import SwitchStatus

PARTITIONS = ("primary", "secondary")

CORRUPT = "corrupt (checksum mismatch)"
TRUNCATED = "truncated"
WRONG_PLATFORM = "wrong platform"
MISSING = "missing on the TFTP server"
BAD_IMAGE = "bad image"
DOWNLOAD_FAILED = "download failed"
INSTALL_FAILED = "install failed"
ACTIVE_PARTITION = "active partition"

#: (pattern in the switch's output, reason), most specific first. ``A.*B`` is written
#: ``^(?>.*?A).*B``: only the first ``A`` of a line is tried (the same lines match), so a line
#: of a thousand ``A`` costs one pass, not one pass per ``A``.
REFUSALS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p, re.IGNORECASE | re.MULTILINE), r)
    for p, r in (
        (r"^(?>.*?Failed to download image).*(?:not found|no such file)", MISSING),
        (r"BootROM is not able to load this type of image", WRONG_PLATFORM),
        (r"^(?>.*?Source image bad).*truncat", TRUNCATED),
        (r"^(?>.*?Source image bad).*(?:checksum|CRC|signature)", CORRUPT),
        (r"Source image bad", BAD_IMAGE),
        (r"active partition", ACTIVE_PARTITION),
        (r"Failed to download image", DOWNLOAD_FAILED),
        (r"Failed to install image", INSTALL_FAILED),
    )
)


@dataclass(frozen=True)
class MsmImages:
    """One MSM's images and role: what a firmware change may (or must not) alter."""

    state: str
    in_sync: bool
    selected: str | None
    booted: str | None
    primary: str | None
    secondary: str | None

    @property
    def booted_version(self) -> str | None:
        return {"primary": self.primary, "secondary": self.secondary}.get(self.booted or "")

    @property
    def inactive(self) -> str:
        """The partition the MSM did not boot from: where a new image goes."""
        return PARTITIONS[1 - PARTITIONS.index(self.booted)] if self.booted in PARTITIONS else "secondary"

    def version_in(self, partition: str) -> str | None:
        return {"primary": self.primary, "secondary": self.secondary}.get(partition)

    def __str__(self) -> str:
        role = f"{self.state}{' (In Sync)' if self.in_sync else ''}" if self.state else "absent"
        return (
            f"{role}, booted {self.booted} {self.booted_version}, selected {self.selected}, "
            f"primary {self.primary}, secondary {self.secondary}"
        )


@dataclass(frozen=True)
class FirmwareState:
    """Both MSMs' images and roles at one moment."""

    master: str | None
    backup: str | None
    msms: dict[str, MsmImages]

    @classmethod
    def of(cls, status: SwitchStatus) -> FirmwareState:
        return cls(
            status.master,
            status.backup,
            {
                slot: MsmImages(
                    m.state, m.in_sync, m.image_selected, m.image_booted, m.primary_version, m.secondary_version
                )
                for slot, m in sorted(status.msms.items())
            },
        )

    def msm(self, slot: str) -> MsmImages:
        return self.msms[slot]

    def changes_since(self, before: FirmwareState) -> list[str]:
        """Every difference from ``before``, one line per MSM and field (empty: nothing changed)."""
        found = []
        for slot, was in before.msms.items():
            now = self.msms.get(slot)
            for name in ("state", "in_sync", "selected", "booted", "primary", "secondary"):
                old, new = getattr(was, name), getattr(now, name) if now else None
                if old != new:
                    found.append(f"{slot} {name.replace('_', ' ')}: {old} -> {new}")
        return found

    def describe(self) -> str:
        return "; ".join(f"{slot}: {images}" for slot, images in self.msms.items())


@dataclass(frozen=True)
class ImageVerdict:
    """Whether the switch took an image; when not, the reason and the line that said so."""

    accepted: bool
    reason: str | None = None
    said: str = ""

    def __str__(self) -> str:
        if self.accepted:
            return "accepted"
        return f"refused: {self.reason}" + (f" ({self.said})" if self.said else "")


def refusal(output: str) -> ImageVerdict | None:
    """The refusal the switch printed in ``output`` (its most specific reason), or None."""
    lines = output.splitlines()
    for pattern, reason in REFUSALS:
        for line in lines:
            if pattern.search(line):
                return ImageVerdict(False, reason, line.strip())
    return None
