"""The images a run serves to one chassis over TFTP, and where the chassis finds them.

Settings come from the testbed's ``firmware`` entry, overridden by the command line (``--image``,
``--image-version``, ``--tftp-address``). A real chassis needs them; the harness never looks
inside its ``.xos`` files. A virtual chassis without its own settings gets images the harness
builds, versions chosen from what the chassis runs, served on loopback.

Bad images for the refusal plans are made from the release image (corrupt, truncated), built
(another platform) or left out (missing on the server), so they work on a real chassis too.

Images the harness builds live in a cache (:data:`harness.reporting.folder.IMAGE_CACHE`), made
once and linked into the served folder, so the reports folder holds links, not megabytes.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, replace
from pathlib import Path

from harness.errors import HilError
from harness.firmware.images import build_image, corrupt_copy, image_name, truncated_copy
from harness.firmware.state import FirmwareState
from harness.firmware.tftp import TFTP_PORT, TftpServer
from harness.parsers.version import Version
from harness.procedures.upgrade import ImageSource
from harness.reporting.folder import IMAGE_CACHE
from harness.testbed.firmware import DEFAULT_VR, LOOPBACK, FirmwareSpec
from harness.testbed.schema import ChassisSpec

VIRTUAL_IMAGE_SIZE = 256 * 1024  # payload of the images built for a virtual chassis (TFTP: 512 blocks)
FOREIGN_PLATFORM = "M6100"  # another NETGEAR chassis: its images are not for an 8800
BAD_KINDS = ("corrupt", "truncated", "wrong platform", "missing")


class FirmwareNotConfigured(HilError):
    """The testbed names no image (or TFTP address) a plan needs."""


@dataclass(frozen=True)
class FirmwareOptions:
    """Command-line overrides of the testbed's firmware settings."""

    image: Path | None = None
    version: str | None = None
    tftp_address: str | None = None


@dataclass(frozen=True)
class FirmwareSettings:
    """Resolved settings; ``build`` means the harness makes the images (virtual chassis)."""

    tftp_address: str
    tftp_port: int
    spec: FirmwareSpec
    build: bool


def resolve(spec: ChassisSpec, virtual: bool, options: FirmwareOptions = FirmwareOptions()) -> FirmwareSettings:
    """The settings for this run; a real chassis without image or address raises
    :class:`FirmwareNotConfigured` naming the missing key."""
    own = spec.firmware if (spec.is_virtual or not virtual) else None  # a stand-in ignores lab images
    given = own or FirmwareSpec()
    if options.image is not None or options.version is not None:
        if options.image is None or options.version is None:
            raise FirmwareNotConfigured(
                "--image and --image-version go together: name the file and the version it carries"
            )
        given = replace(given, image=Path(options.image), version=str(Version.parse(options.version)))
    if options.tftp_address:
        given = replace(given, tftp_address=options.tftp_address)
    if virtual:
        return FirmwareSettings(given.tftp_address or LOOPBACK, given.tftp_port or 0, given, build=given.image is None)
    where = f"chassis {spec.name}"
    if given.tftp_address is None:
        raise FirmwareNotConfigured(
            f"{where}: no TFTP address; add firmware: {{tftp_address: <this host's "
            "address on the management network>}} to the testbed, or --tftp-address"
        )
    if given.image is None:
        raise FirmwareNotConfigured(
            f"{where}: no image to validate; add firmware: {{image: <file>, version: "
            "a.b.c.d}} to the testbed, or pass --image and --image-version"
        )
    return FirmwareSettings(given.tftp_address, given.tftp_port or TFTP_PORT, given, build=False)


def next_release(running: str) -> str:
    """A later release the running one can checkpoint to (same major.minor)."""
    v = Version.parse(running)
    return f"{v.major}.{v.minor}.{v.patch + 1}.{v.build + 1}"


def other_release(running: str) -> str:
    """The first build of the next minor release (another major.minor: not hitless)."""
    v = Version.parse(running)
    return f"{v.major}.{v.minor + 1}.1.0"


class FirmwareLab:
    """A folder of images served over TFTP to one chassis; ``control`` tells a virtual one the port."""

    def __init__(self, settings: FirmwareSettings, folder: Path, control=None, cache: Path = IMAGE_CACHE):
        self.settings = settings
        self.folder = Path(folder)
        self.cache = Path(cache)
        self.control = control
        self.server = TftpServer(self.folder, settings.tftp_address, settings.tftp_port)
        self.folder.mkdir(parents=True, exist_ok=True)

    def start(self) -> FirmwareLab:
        """Serve the folder; a virtual chassis learns the port through its control channel."""
        self.server.start()
        if self.control is not None:
            self.control.tftp(self.server.port)
        return self

    def stop(self) -> None:
        self.server.stop()

    @property
    def vr(self) -> str:
        return self.settings.spec.vr or DEFAULT_VR

    @property
    def previous_version(self) -> str | None:
        return self.settings.spec.previous_version

    def release(self, state: FirmwareState) -> ImageSource:
        """The release to validate: the testbed's image, or (built) a later build of what the
        master runs that is on neither MSM yet."""
        spec = self.settings.spec
        if self.settings.build:
            return self._built(_absent(next_release(_running(state)), state))
        if spec.image is None or spec.version is None:  # the testbed reader gives both, or builds
            raise FirmwareNotConfigured(
                "the testbed names no image to validate; add firmware: {image: <file>, version: a.b.c.d}"
            )
        return self._served(spec.image, spec.version)

    def other_release(self, state: FirmwareState) -> ImageSource:
        """An image of another major.minor than the master runs (the not-hitless upgrade)."""
        spec = self.settings.spec
        if self.settings.build:
            return self._built(_absent(other_release(_running(state)), state))
        if spec.other_image is None or spec.other_version is None:
            raise FirmwareNotConfigured(
                "the testbed names no image of another major.minor release; add "
                "firmware: {other_image: <file>, other_version: a.b.c.d}"
            )
        return self._served(spec.other_image, spec.other_version)

    def image_of(self, version: str) -> ImageSource | None:
        """An image of ``version`` to serve: a built one, or one the testbed names (``start_image``,
        ``image``, ``other_image``) that carries it; None when the harness has none."""
        if self.settings.build:
            return self._built(version)
        spec = self.settings.spec
        named = (
            (spec.start_image, spec.start_version),
            (spec.image, spec.version),
            (spec.other_image, spec.other_version),
        )
        return next((self._served(image, v) for image, v in named if image is not None and v == version), None)

    def bad(self, kind: str, base: ImageSource) -> ImageSource:
        """A bad image made from ``base``: ``corrupt``, ``truncated``, ``wrong platform``, ``missing``."""
        source = self.folder / base.file
        if kind == "corrupt":
            return self._made(f"corrupt-{base.file}", base.version, lambda path: corrupt_copy(source, path))
        if kind == "truncated":
            return self._made(f"truncated-{base.file}", base.version, lambda path: truncated_copy(source, path))
        if kind == "wrong platform":
            name = image_name(base.version, FOREIGN_PLATFORM)
            build = lambda path: build_image(path, base.version, FOREIGN_PLATFORM, VIRTUAL_IMAGE_SIZE)  # noqa: E731
            return self._made(name, base.version, build)
        if kind == "missing":
            (self.folder / f"missing-{base.file}").unlink(missing_ok=True)
            return self._source(f"missing-{base.file}", base.version)
        raise ValueError(f"unknown bad image kind {kind!r}; use one of {', '.join(BAD_KINDS)}")

    def _built(self, version: str) -> ImageSource:
        name = image_name(version)
        return self._made(name, version, lambda path: build_image(path, version, size=VIRTUAL_IMAGE_SIZE))

    def _made(self, name: str, version: str, make) -> ImageSource:
        """``make(path)`` an image: into the cache (linked here) when the harness builds the
        images, else (made from a lab's release) into the served folder for this run."""
        if not self.settings.build:
            make(self.folder / name)
            return self._source(name, version)
        cached = self.cache / name
        if not _intact(cached):  # missing, or damaged since it was built: built again
            self.cache.mkdir(parents=True, exist_ok=True)
            partial = self.cache / f".{name}.{os.getpid()}.partial"
            make(partial)
            _seal(partial, cached)
            os.replace(partial, cached)  # whole or not at all, also with several workers
        _link(self.folder / name, cached)
        return self._source(name, version)

    def _served(self, image: Path, version: str) -> ImageSource:
        """Put the lab's file in the served folder as a link: the release is served as it is."""
        _link(self.folder / image.name, image)
        return self._source(image.name, version)

    def _source(self, file: str, version: str) -> ImageSource:
        self.server.check()  # a dead server: its own verdict before the plan blames an image
        return ImageSource(self.settings.tftp_address, file, version, self.vr, self.server.check)


def _digest(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _seal(built: Path, cached: Path) -> None:
    """Write the SHA-256 of a built image next to where it is cached (``<name>.sha256``)."""
    seal = cached.with_name(cached.name + ".sha256")
    partial = seal.with_name(f".{seal.name}.{os.getpid()}.partial")
    partial.write_text(_digest(built) + "\n")
    os.replace(partial, seal)


def _intact(cached: Path) -> bool:
    """Is the cached image there and still what was built (its SHA-256 as sealed)? A damaged
    one failed every firmware plan of every run, blamed on the release."""
    try:
        return cached.is_file() and cached.with_name(cached.name + ".sha256").read_text().strip() == _digest(cached)
    except OSError:
        return False


def _link(link: Path, target: Path) -> None:
    """``link`` points at ``target`` (made or corrected)."""
    if not (link.is_symlink() and Path(os.readlink(link)) == target.resolve()):
        link.unlink(missing_ok=True)
        link.symlink_to(target.resolve())


def _running(state: FirmwareState) -> str:
    """What the master runs; an image of a later release is built from it."""
    version = state.msm(state.master).booted_version if state.master else None
    if not version:
        raise HilError(f"no MSM runs as master with a known release ({state.describe()}); no image can follow it")
    return version


def _absent(version: str, state: FirmwareState) -> str:
    """``version``, or the next build after it that neither MSM holds in a partition."""
    present = {v for m in state.msms.values() for v in (m.primary, m.secondary)}
    while version in present:
        version = next_release(version)
    return version
