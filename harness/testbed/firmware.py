"""The ``firmware:`` entry of a testbed chassis: where the TFTP server binds, which images.

::

    firmware:
      tftp_address: 10.1.2.50        # the test host's address the chassis reaches (required, real)
      tftp_port: 69                  # optional; the switch always asks port 69
      vr: VR-Mgmt                    # optional; the virtual router download image uses
      image: images/xcm8800-12.4.3.9.xos   # the release to validate (relative to the testbed file)
      version: 12.4.3.9              # the version that image carries (never read from the file)
      previous_version: 12.4.2.8     # optional: what a rollback must bring back
      other_image: images/xcm8800-12.5.1.0.xos   # optional: another major.minor (not hitless)
      other_version: 12.5.1.0
      start_image: images/xcm8800-12.4.2.8.xos   # optional: the release the chassis runs before
      start_version: 12.4.2.8        # the plans, so they can put it back (both partitions)

On a virtual chassis every key is optional: without ``image`` the harness builds the images it
needs, and the address must be loopback (the emulator only reaches this host there).
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn, Protocol

from harness.errors import ParseError
from harness.parsers.version import Version, compatible

KEYS = (
    "tftp_address",
    "tftp_port",
    "vr",
    "image",
    "version",
    "previous_version",
    "other_image",
    "other_version",
    "start_image",
    "start_version",
)
DEFAULT_VR = "VR-Mgmt"
LOOPBACK = "127.0.0.1"
_HOST = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*\.?$")
_VR = re.compile(r"^[A-Za-z][\w-]{0,31}$")


@dataclass(frozen=True)
class FirmwareSpec:
    """Image settings of one chassis; ``None`` fields were not given."""

    tftp_address: str | None = None
    tftp_port: int | None = None
    vr: str = DEFAULT_VR
    image: Path | None = None
    version: str | None = None
    previous_version: str | None = None
    other_image: Path | None = None
    other_version: str | None = None
    start_image: Path | None = None  # the release the chassis ran before the plans: to put it back
    start_version: str | None = None


def is_loopback(address: str) -> bool:
    """True for 127.0.0.0/8, ::1 and ``localhost``."""
    if address.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def read_firmware(reader, node: Any, key: str, kind: str) -> FirmwareSpec | None:
    """Check and build the ``firmware`` entry; ``reader`` is the testbed's ``_Reader``."""
    if node is None:
        return None
    node = reader.mapping(node, key, "write it like {tftp_address: 10.1.2.50, image: ..., version: ...}")
    reader.keys(node, key, KEYS)
    address = _address(reader, node, key, kind)
    port = node.get("tftp_port")
    port = None if port is None else int(reader.number(node, "tftp_port", key, 69, True, 1, 65535))
    vr = reader.string(node, "vr", key, DEFAULT_VR)
    if not _VR.match(vr):
        reader.fail(f"{key}.vr", f"{node['vr']!r} is not a virtual router name", "write VR-Mgmt or VR-Default")
    image, version = _image(reader, node, key, "image", "version")
    other_image, other_version = _image(reader, node, key, "other_image", "other_version")
    if version and other_version and compatible(version, other_version):
        reader.fail(
            f"{key}.other_version",
            f"{other_version} has the same major.minor as {version}",
            "other_image is for the not-hitless plan: give an image of another major.minor",
        )
    start_image, start_version = _image(reader, node, key, "start_image", "start_version")
    previous = _version(reader, node, key, "previous_version")
    return FirmwareSpec(
        address, port, vr, image, version, previous, other_image, other_version, start_image, start_version
    )


def _address(reader, node: dict, key: str, kind: str) -> str | None:
    fix = "give the test host's IP address (or name) on the chassis's management network"
    text = reader.string(node, "tftp_address", key, fix=fix if kind == "real" else None)
    if text is None:
        return None
    if not _is_host(text):
        reader.fail(f"{key}.tftp_address", "not an IP address or host name", fix)
    if kind == "virtual" and not is_loopback(text):
        reader.fail(
            f"{key}.tftp_address",
            "a virtual chassis reaches the test host only on loopback",
            f"use {LOOPBACK}, or leave the key out",
        )
    return text


def _is_host(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
        return True
    except ValueError:
        return bool(_HOST.match(text))


def _image(reader, node: dict, key: str, file_key: str, version_key: str) -> tuple[Path | None, str | None]:
    text = reader.string(node, file_key, key)
    version = _version(reader, node, key, version_key)
    if text is None and version is None:
        return None, None
    if text is None:
        reader.fail(f"{key}.{file_key}", "missing", f"name the image file that carries {version_key} {version}")
    if version is None:
        reader.fail(
            f"{key}.{version_key}",
            "missing",
            f"give the version {file_key} carries (a.b.c.d): the harness never reads it from the file",
        )
    path = Path(text).expanduser()
    path = path if path.is_absolute() else reader.path.parent / path
    if not path.is_file():
        reader.fail(f"{key}.{file_key}", f"no such file {path}", "copy the image there or correct the path")
    return path, version


class _Reader(Protocol):
    """What :func:`_version` uses of the testbed's reader."""

    def string(self, node: dict, name: str, key: str) -> str | None: ...

    def fail(self, key: str, problem: str, fix: str) -> NoReturn: ...


def _version(reader: _Reader, node: dict, key: str, name: str) -> str | None:
    text = reader.string(node, name, key)
    if text is None:
        return None
    try:
        return str(Version.parse(text))
    except ParseError:
        reader.fail(
            f"{key}.{name}",
            f"{node[name]!r} is not a version a.b.c.d",
            "write four numbers separated by dots, like 12.4.3.9",
        )
