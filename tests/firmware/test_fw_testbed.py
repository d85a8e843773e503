"""The testbed's ``firmware`` entry and how the run resolves its images: lab settings, command
line overrides, and images the harness builds for a virtual chassis."""

import pytest
import yaml

from harness.errors import TestbedError
from harness.firmware.images import image_name
from harness.firmware.setup import (
    FirmwareLab,
    FirmwareNotConfigured,
    FirmwareOptions,
    next_release,
    other_release,
    resolve,
)
from harness.firmware.state import FirmwareState, MsmImages
from harness.testbed.firmware import FirmwareSpec
from harness.testbed.schema import load_testbed
from virtual_chassis.model.images import check_image

REAL = {"type": "real", "management": {"host": "10.1.2.3"},
        "consoles": {"MSM-A": "socket://ts1.lab:7001", "MSM-B": "socket://ts1.lab:7002"},
        "credentials": {"username": "admin", "password": ""}}


def lab_spec(tmp_path, firmware, kind="real", environ=None):
    (tmp_path / "images").mkdir(exist_ok=True)
    (tmp_path / "images" / "new.xos").write_bytes(b"opaque release bytes")
    (tmp_path / "images" / "next.xos").write_bytes(b"another release")
    entry = dict(REAL) if kind == "real" else {"type": "virtual"}
    entry["firmware"] = firmware
    path = tmp_path / "testbed.yaml"
    path.write_text(yaml.safe_dump({"chassis": {"lab1": entry}}))
    return load_testbed(path, environ or {}).select("lab1")


def test_a_lab_entry_is_read_with_paths_relative_to_the_testbed(tmp_path):
    spec = lab_spec(tmp_path, {"tftp_address": "${TFTP_HOST}", "image": "images/new.xos", "version": "12.4.3.9",
                              "previous_version": "12.4.2.8", "other_image": "images/next.xos",
                              "other_version": "12.5.1.0", "vr": "VR-Default"},
                   environ={"TFTP_HOST": "10.1.2.50"})
    assert spec.firmware == FirmwareSpec("10.1.2.50", None, "VR-Default", tmp_path / "images" / "new.xos",
                                         "12.4.3.9", "12.4.2.8", tmp_path / "images" / "next.xos", "12.5.1.0")


@pytest.mark.parametrize("firmware, key, words", [
    ({"image": "images/new.xos", "version": "12.4.3.9"}, "firmware.tftp_address", "missing"),
    ({"tftp_address": "10.1.2.50", "image": "images/new.xos"}, "firmware.version", "never reads it"),
    ({"tftp_address": "10.1.2.50", "version": "12.4.3.9"}, "firmware.image", "missing"),
    ({"tftp_address": "10.1.2.50", "image": "images/gone.xos", "version": "12.4.3.9"}, "firmware.image",
     "no such file"),
    ({"tftp_address": "10.1.2.50", "image": "images/new.xos", "version": "12.4"}, "firmware.version", "a.b.c.d"),
    ({"tftp_address": "not an address!", "image": "images/new.xos", "version": "12.4.3.9"},
     "firmware.tftp_address", "not an IP address"),
    ({"tftp_address": "10.1.2.50", "tftp_port": 70000}, "firmware.tftp_port", "out of range"),
    ({"tftp_address": "10.1.2.50", "vr": "no spaces allowed"}, "firmware.vr", "virtual router"),
    ({"tftp_address": "10.1.2.50", "image": "images/new.xos", "version": "12.4.3.9",
      "other_image": "images/next.xos", "other_version": "12.4.5.1"}, "firmware.other_version",
     "same major.minor"),
    ({"tftp_adress": "10.1.2.50"}, "firmware.tftp_adress", "did you mean 'tftp_address'"),
])
def test_every_firmware_mistake_names_the_key_and_the_fix(tmp_path, firmware, key, words):
    with pytest.raises(TestbedError) as caught:
        lab_spec(tmp_path, firmware)
    assert caught.value.key == f"chassis.lab1.{key}" and words in str(caught.value)


def test_a_virtual_chassis_takes_only_a_loopback_address(tmp_path):
    with pytest.raises(TestbedError, match="only on loopback"):
        lab_spec(tmp_path, {"tftp_address": "10.1.2.50"}, kind="virtual")
    assert lab_spec(tmp_path, {"tftp_address": "127.0.0.1"}, kind="virtual").firmware.tftp_address == "127.0.0.1"


def test_a_real_chassis_without_settings_has_nothing_to_validate(tmp_path):
    spec = lab_spec(tmp_path, None)
    with pytest.raises(FirmwareNotConfigured, match="no TFTP address"):
        resolve(spec, virtual=False)
    spec = lab_spec(tmp_path, {"tftp_address": "10.1.2.50"})
    with pytest.raises(FirmwareNotConfigured, match="--image and --image-version"):
        resolve(spec, virtual=False)


def test_the_command_line_overrides_the_testbed(tmp_path):
    spec = lab_spec(tmp_path, {"tftp_address": "10.1.2.50", "image": "images/new.xos", "version": "12.4.3.9"})
    settings = resolve(spec, False, FirmwareOptions(tmp_path / "images" / "next.xos", "12.4.4.1", "10.1.2.51"))
    assert (settings.tftp_address, settings.tftp_port, settings.build) == ("10.1.2.51", 69, False)
    assert settings.spec.image is not None and (settings.spec.image.name, settings.spec.version) == (
        "next.xos", "12.4.4.1")
    with pytest.raises(FirmwareNotConfigured, match="go together"):
        resolve(spec, False, FirmwareOptions(image=tmp_path / "images" / "next.xos"))


def test_a_virtual_stand_in_for_a_lab_chassis_builds_its_own_images(tmp_path):
    spec = lab_spec(tmp_path, {"tftp_address": "10.1.2.50", "image": "images/new.xos", "version": "12.4.3.9"})
    settings = resolve(spec, virtual=True)
    assert (settings.tftp_address, settings.tftp_port, settings.build) == ("127.0.0.1", 0, True)


def test_release_versions_for_built_images():
    assert next_release("12.4.2.8") == "12.4.3.9" and other_release("12.4.2.8") == "12.5.1.0"


def state(primary="12.4.2.8", secondary="12.4.3.9") -> FirmwareState:
    images = MsmImages("MASTER", False, "primary", "primary", primary, secondary)
    return FirmwareState("MSM-A", "MSM-B", {"MSM-A": images, "MSM-B": images})


def test_built_releases_are_real_images_and_never_one_the_chassis_holds(tmp_path):
    lab = FirmwareLab(resolve(lab_spec(tmp_path, None, kind="virtual"), True), tmp_path / "served")
    release = lab.release(state())                       # 12.4.3.9 is already on the chassis
    assert (release.host, release.version, release.vr) == ("127.0.0.1", "12.4.4.10", "VR-Mgmt")
    assert check_image(tmp_path / "served" / release.file).version == "12.4.4.10"
    assert lab.other_release(state()).version == "12.5.1.0"
    assert release.download("secondary", "MSM-B") == \
        f"download image 127.0.0.1 {image_name('12.4.4.10')} vr VR-Mgmt secondary msm B"


def test_a_lab_image_is_served_as_it_is_and_bad_copies_are_made_from_it(tmp_path):
    spec = lab_spec(tmp_path, {"tftp_address": "127.0.0.1", "image": "images/new.xos", "version": "12.4.3.9"})
    lab = FirmwareLab(resolve(spec, False), tmp_path / "served")
    release = lab.release(state())
    served = tmp_path / "served" / "new.xos"
    assert release.file == "new.xos" and served.is_symlink() and served.read_bytes() == b"opaque release bytes"
    assert lab.release(state()) == release              # serving it again keeps the one link
    corrupt = tmp_path / "served" / lab.bad("corrupt", release).file
    assert len(corrupt.read_bytes()) == len(served.read_bytes())
    assert corrupt.read_bytes() != served.read_bytes()
    assert (tmp_path / "served" / lab.bad("truncated", release).file).read_bytes() == b"opaque rel"
    assert not (tmp_path / "served" / lab.bad("missing", release).file).exists()
    with pytest.raises(FirmwareNotConfigured, match="other_image"):
        lab.other_release(state())
