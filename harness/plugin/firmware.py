"""pytest wiring of the firmware plans: options ``--image``, ``--image-version``,
``--tftp-address``, the session fixture ``firmware`` (a TFTP server and the images it serves) and
the module fixture ``release_restored`` (the chassis back on its release after the plans).

Loaded by :mod:`harness.plugin`; the logic is in :mod:`harness.firmware.setup`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.errors import HilError
from harness.firmware.restore import Restored, restore_chassis
from harness.firmware.setup import FirmwareLab, FirmwareNotConfigured, FirmwareOptions, resolve
from harness.parsers.version import Version
from harness.procedures.upgrade import firmware_state

OPTIONS = pytest.StashKey[FirmwareOptions]()


def pytest_addoption(parser):
    group = parser.getgroup("xcm8800-hil")
    group.addoption(
        "--image", metavar="FILE", type=Path, help="image file to validate (overrides the testbed's firmware.image)"
    )
    group.addoption(
        "--image-version",
        metavar="A.B.C.D",
        help="the version that image carries (the harness never reads it from the file)",
    )
    group.addoption(
        "--tftp-address", metavar="ADDRESS", help="this host's address the chassis reaches; the TFTP server binds to it"
    )
    group.addoption(
        "--accept-left-on",
        action="store_true",
        help="do not fail the run when the firmware plans cannot put the chassis back as they found it",
    )


def pytest_configure(config):
    image, version = config.getoption("image"), config.getoption("image_version")
    if (image is None) != (version is None):
        raise pytest.UsageError("--image and --image-version go together: name the file and the version it carries")
    if image is not None and not image.is_file():
        raise pytest.UsageError(f"--image {image}: no such file; give the path of the image to validate")
    try:
        version = str(Version.parse(version)) if version is not None else None
    except HilError:
        raise pytest.UsageError(f"--image-version {version!r} is not a version a.b.c.d") from None
    config.stash[OPTIONS] = FirmwareOptions(image, version, config.getoption("tftp_address"))


@pytest.fixture(scope="session")
def firmware(pytestconfig, lab):
    """The images of this run, served over TFTP to the chassis until the run ends."""
    try:
        settings = resolve(lab.spec, lab.chassis.is_virtual, pytestconfig.stash[OPTIONS])
    except FirmwareNotConfigured as why:
        pytest.skip(str(why))
    from harness.plugin import reports_folder

    folder = reports_folder(pytestconfig) / "tftp" / lab.spec.name
    served = FirmwareLab(settings, folder, lab.chassis.control if lab.chassis.is_virtual else None)
    try:
        served.start()
    except HilError as error:
        pytest.fail(f"chassis {lab.spec.name}: {error}", pytrace=False)
    yield served
    served.stop()


@pytest.fixture(scope="module")
def release_restored(pytestconfig, lab, firmware):
    """After a module of firmware plans: the chassis back as they found it (release booted, both
    partitions, selected image), or the run fails saying what it was left on (unless
    ``--accept-left-on``)."""
    try:
        lab.ensure_baseline()  # an earlier plan may have left the backup down
        started = firmware_state(lab.chassis)
    except HilError as error:
        pytest.fail(
            f"chassis {lab.spec.name}: cannot read its release before the firmware plans: {error}", pytrace=False
        )
    yield
    from harness.plugin import _say

    try:
        restored = restore_chassis(lab.chassis, started, firmware.image_of)
    except HilError as error:
        restored = Restored(False, f"left as it is: restoring {started.describe()} failed: {error}")
    if restored is None:
        return
    line = f"chassis {lab.spec.name}: {restored.message}"
    _say(pytestconfig, line, yellow=not restored.back)
    summary = pytestconfig.pluginmanager.get_plugin("xcm8800-hil-summary")
    if summary is not None and not restored.back:
        summary.run.left_on[lab.spec.name] = restored.message
