"""Image files the harness makes: emulator images, and bad copies of any image for the plans.

A lab never builds a real ``.xos`` file. An emulator image is a small header (magic, platform,
version ``a.b.c.d``, payload length, SHA-256 of the payload) followed by the payload, padding of
a realistic size; its format is written and read in one place, the emulator
(``virtual_chassis.api.build_image``), which checks it the way the switch checks a real image.

The bad copies treat any image as opaque bytes, so they work on a real ``.xos`` file too:
:func:`corrupt_copy` flips bytes in the middle, :func:`truncated_copy` keeps the first half.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from harness.errors import HilError, ParseError
from harness.parsers.version import Version
from virtual_chassis.api import PLATFORM
from virtual_chassis.api import build_image as emulator_image

#: Payload bytes of ``hil image build`` by default: the order of size of a 12.x core image.
DEFAULT_SIZE = 32 * 1024 * 1024
_SIZE = re.compile(r"^\s*(\d+)\s*([KMG]?)i?B?\s*$", re.IGNORECASE)


class ImageError(HilError):
    """An image cannot be built or copied as asked."""


def image_name(version: str, platform: str = PLATFORM) -> str:
    """The file name the harness gives an image: ``xcm8800-12.4.3.9.xos``."""
    return f"{platform.lower()}-{version}.xos"


def parse_size(text: str) -> int:
    """``262144``, ``256K``, ``32M`` or ``1G`` as a number of bytes."""
    found = _SIZE.match(str(text))
    if found is None:
        raise ImageError(f"size {text!r} is not a number of bytes; write it like 262144, 256K or 32M")
    return int(found[1]) * 1024 ** " KMG".index((found[2] or " ").upper())


def build_image(
    path: str | Path, version: str, platform: str = PLATFORM, size: int = DEFAULT_SIZE, seed: int | None = None
) -> Path:
    """Write an emulator image carrying ``version`` for ``platform`` with ``size`` payload bytes."""
    try:
        version = str(Version.parse(version))
    except ParseError:
        raise ImageError(f"version {version!r} is not a.b.c.d (four numbers, like 12.4.3.9)") from None
    encoded = platform.encode("ascii", "replace")
    if not platform or len(encoded) > 16:
        raise ImageError(f"platform {platform!r} must be 1 to 16 ASCII characters, e.g. {PLATFORM}")
    if size < 0:
        raise ImageError(f"size {size} must not be negative")
    return emulator_image(path, version, platform, size, seed)


def corrupt_copy(source: str | Path, target: str | Path, count: int = 16) -> Path:
    """A copy of ``source`` with ``count`` bytes in the middle inverted (same size)."""
    target = _copy(source, target)
    size = target.stat().st_size
    if size == 0:
        raise ImageError(f"{source} is empty: there is nothing to corrupt")
    with open(target, "r+b") as f:
        f.seek(max(0, size // 2 - count // 2))
        at = f.tell()
        original = f.read(count)
        f.seek(at)
        f.write(bytes(b ^ 0xFF for b in original))
    return target


def truncated_copy(source: str | Path, target: str | Path) -> Path:
    """The first half of ``source``."""
    target = _copy(source, target)
    with open(target, "r+b") as f:
        f.truncate(target.stat().st_size // 2)
    return target


def _copy(source: str | Path, target: str | Path) -> Path:
    target = Path(target)
    try:
        shutil.copyfile(source, target)
    except OSError as failure:
        raise ImageError(
            f"cannot copy {source} to {target} ({failure.strerror or failure}); "
            "check that the image file exists and the folder is writable"
        ) from None
    return target
