"""XCM8800 image files as the virtual chassis knows them, and the checks the real switch makes.

A real ``.xos`` file is opaque to the harness; the emulator's images carry what the switch
checks in a small header, followed by the payload (padding of a realistic size)::

    offset  size  field
    0       8     magic  b"NGXCMIMG"
    8       16    platform, ASCII, NUL-padded (``XCM8800``)
    24      16    version ``a.b.c.d``, ASCII, NUL-padded
    40      8     payload length in bytes, unsigned big-endian
    48      32    SHA-256 of the payload
    80      176   reserved (zero)
    256     ...   payload

:func:`check_image` refuses what the switch refuses, with its messages (§7 of the device
reference): not an image or a bad checksum -> ``Source image bad``, another platform ->
``BootROM is not able to load this type of image``, a short file -> truncated.
:func:`build_image` writes such a file (the harness reaches it through :mod:`virtual_chassis.api`),
so the format is written and read in this one module.
"""

from __future__ import annotations

import hashlib
import random
import re
import struct
from dataclasses import dataclass
from pathlib import Path

MAGIC = b"NGXCMIMG"
HEADER = struct.Struct(">8s16s16sQ32s176x")
PLATFORM = "XCM8800"
_CHUNK = 1 << 20
_VERSION = re.compile(r"^\d+\.\d+\.\d+\.\d+$")

#: The switch's words for each refusal (the text after ``Error: ``), as data.
REFUSALS = {
    "not an image": "Source image bad (not an XCM8800 image file)",
    "wrong platform": "BootROM is not able to load this type of image ({platform} image, this switch runs {ours})",
    "truncated": "Source image bad (file truncated: {got} of {want} bytes)",
    "checksum": "Source image bad (checksum mismatch)",
    "trailing data": "Source image bad ({extra} bytes after the image)",
}
INSTALL_FAILED = "Failed to install image"


@dataclass(frozen=True)
class ImageInfo:
    """A checked image: what it is for and what it carries."""

    platform: str
    version: str
    payload_length: int
    sha256: str

    @property
    def size(self) -> int:
        """Bytes in the whole file."""
        return HEADER.size + self.payload_length


class ImageRefused(Exception):
    """The switch refuses the image; ``kind`` is a key of ``REFUSALS``, ``str()`` the message."""

    def __init__(self, kind: str, **details):
        self.kind = kind
        super().__init__(REFUSALS[kind].format(ours=PLATFORM, **details))


def check_image(path: str | Path, platform: str = PLATFORM) -> ImageInfo:
    """Read and check an image file; raise :class:`ImageRefused` as the switch would refuse it."""
    with open(path, "rb") as f:
        header = f.read(HEADER.size)
        if len(header) < len(MAGIC) or not header.startswith(MAGIC):
            raise ImageRefused("not an image")
        if len(header) < HEADER.size:
            raise ImageRefused("truncated", got=len(header), want=HEADER.size)
        info = parse_header(header)
        if info.platform != platform:
            raise ImageRefused("wrong platform", platform=info.platform or "unknown")
        digest, got = _digest(f, info.payload_length)
    if got < info.payload_length:
        raise ImageRefused("truncated", got=HEADER.size + got, want=info.size)
    if got > info.payload_length:
        raise ImageRefused("trailing data", extra=got - info.payload_length)
    if digest != info.sha256:
        raise ImageRefused("checksum")
    return info


def parse_header(header: bytes) -> ImageInfo:
    """The header fields of an image (no payload check); a malformed header is not an image."""
    magic, platform, version, length, digest = HEADER.unpack(header[: HEADER.size])
    try:
        platform_text = platform.rstrip(b"\0").decode("ascii")
        version_text = version.rstrip(b"\0").decode("ascii")
    except UnicodeDecodeError:
        raise ImageRefused("not an image") from None
    if magic != MAGIC or not _VERSION.match(version_text):
        raise ImageRefused("not an image")
    return ImageInfo(platform_text, version_text, length, digest.hex())


def _digest(f, length: int) -> tuple[str, int]:
    """SHA-256 of the first ``length`` payload bytes and how many payload bytes the file has."""
    sha, got = hashlib.sha256(), 0
    while True:
        chunk = f.read(_CHUNK)
        if not chunk:
            return sha.hexdigest(), got
        sha.update(chunk[: max(0, length - got)])
        got += len(chunk)


def build_image(
    path: str | Path, version: str, platform: str = PLATFORM, size: int = 0, seed: int | str | None = None
) -> Path:
    """Write an image carrying ``version`` for ``platform`` with ``size`` payload bytes (random,
    reproducible from ``seed``, by default from platform and version); ``ValueError`` on a bad
    version, platform or size."""
    encoded = platform.encode("ascii", "replace")
    if not _VERSION.match(version):
        raise ValueError(f"version {version!r} is not a.b.c.d (four numbers, like 12.4.3.9)")
    if not platform or len(encoded) > 16:
        raise ValueError(f"platform {platform!r} must be 1 to 16 ASCII characters, e.g. {PLATFORM}")
    if size < 0:
        raise ValueError(f"size {size} must not be negative")
    path = Path(path)
    rng = random.Random(seed if seed is not None else f"{platform} {version}")
    sha = hashlib.sha256()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as f:
        f.write(b"\0" * HEADER.size)
        left = size
        while left:
            chunk = rng.randbytes(min(_CHUNK, left))
            sha.update(chunk)
            f.write(chunk)
            left -= len(chunk)
        f.seek(0)
        f.write(HEADER.pack(MAGIC, encoded, version.encode(), size, sha.digest()))
    return path
