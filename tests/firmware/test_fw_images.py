"""Image files: the harness builds them, the emulator checks them as the switch does, and the
harness names the reason of every refusal the switch prints."""

import hashlib

import pytest

from harness.errors import HilError
from harness.firmware.images import ImageError, build_image, corrupt_copy, image_name, parse_size, truncated_copy
from harness.firmware.state import (
    BAD_IMAGE,
    CORRUPT,
    DOWNLOAD_FAILED,
    MISSING,
    TRUNCATED,
    WRONG_PLATFORM,
    FirmwareState,
    ImageVerdict,
    refusal,
)
from harness.parsers import parse_show_switch
from virtual_chassis.model.images import HEADER, MAGIC, ImageRefused, check_image


def refused(path) -> ImageRefused:
    with pytest.raises(ImageRefused) as caught:
        check_image(path)
    return caught.value


def test_a_built_image_passes_the_switch_checks(tmp_path):
    path = build_image(tmp_path / image_name("12.4.3.9"), "12.4.3.9", size=5000)
    info = check_image(path)
    assert (info.platform, info.version, info.payload_length) == ("XCM8800", "12.4.3.9", 5000)
    assert path.name == "xcm8800-12.4.3.9.xos" and path.stat().st_size == HEADER.size + 5000 == info.size
    assert info.sha256 == hashlib.sha256(path.read_bytes()[HEADER.size:]).hexdigest()


def test_the_same_version_builds_the_same_bytes_and_another_differs(tmp_path):
    a = build_image(tmp_path / "a", "12.4.3.9", size=3000).read_bytes()
    assert build_image(tmp_path / "b", "12.4.3.9", size=3000).read_bytes() == a
    assert build_image(tmp_path / "c", "12.4.3.10", size=3000).read_bytes()[HEADER.size:] != a[HEADER.size:]


def test_a_corrupt_copy_fails_the_checksum(tmp_path):
    good = build_image(tmp_path / "good.xos", "12.4.3.9", size=4096)
    bad = corrupt_copy(good, tmp_path / "bad.xos")
    assert bad.stat().st_size == good.stat().st_size and bad.read_bytes() != good.read_bytes()
    error = refused(bad)
    assert error.kind == "checksum" and str(error) == "Source image bad (checksum mismatch)"


def test_a_truncated_copy_is_refused_with_both_sizes(tmp_path):
    good = build_image(tmp_path / "good.xos", "12.4.3.9", size=4096)
    error = refused(truncated_copy(good, tmp_path / "half.xos"))
    total = HEADER.size + 4096
    assert error.kind == "truncated" and f"{total // 2} of {total} bytes" in str(error)


def test_a_file_cut_inside_the_header_is_truncated(tmp_path):
    good = build_image(tmp_path / "good.xos", "12.4.3.9", size=100)
    short = tmp_path / "short.xos"
    short.write_bytes(good.read_bytes()[:100])
    assert refused(short).kind == "truncated"


def test_another_platform_is_refused_by_the_bootrom(tmp_path):
    error = refused(build_image(tmp_path / "m.xos", "12.4.3.9", platform="M6100", size=10))
    assert error.kind == "wrong platform"
    assert str(error).startswith("BootROM is not able to load this type of image (M6100 image")


@pytest.mark.parametrize("content", [b"", b"MZ\x90\x00 not an image at all" * 20, MAGIC + b"\xff" * 300])
def test_anything_else_is_not_an_image(tmp_path, content):
    path = tmp_path / "other.xos"
    path.write_bytes(content)
    error = refused(path)
    assert error.kind == "not an image" and str(error).startswith("Source image bad")


def test_bytes_after_the_payload_are_refused(tmp_path):
    path = build_image(tmp_path / "a.xos", "12.4.3.9", size=10)
    path.write_bytes(path.read_bytes() + b"extra")
    assert refused(path).kind == "trailing data"


@pytest.mark.parametrize("version, platform, size", [("12.4", "XCM8800", 1), ("12.4.3.9", "", 1),
                                                     ("12.4.3.9", "X" * 17, 1), ("12.4.3.9", "XCM8800", -1)])
def test_the_builder_refuses_what_it_cannot_write(tmp_path, version, platform, size):
    with pytest.raises(ImageError) as caught:
        build_image(tmp_path / "x.xos", version, platform, size)
    assert isinstance(caught.value, HilError) and not (tmp_path / "x.xos").exists()


def test_bad_copies_of_a_missing_file_say_what_to_check(tmp_path):
    with pytest.raises(ImageError, match="check that the image file exists"):
        corrupt_copy(tmp_path / "nope.xos", tmp_path / "bad.xos")


@pytest.mark.parametrize("text, size", [("262144", 262144), ("256K", 262144), ("32M", 32 << 20),
                                        ("1G", 1 << 30), ("2 MiB", 2 << 20)])
def test_sizes_read_with_units(text, size):
    assert parse_size(text) == size


def test_a_size_that_is_not_one_is_refused():
    with pytest.raises(ImageError, match="256K"):
        parse_size("lots")


# --- the harness names the reason the switch gave ------------------------------------------------

def emulator_says(path) -> str:
    """What the virtual chassis prints for a refused image (its own message table)."""
    return f"Downloading to MSM-A....\nError: {refused(path)}\nError: Failed to install image"


def refusal_in(output: str) -> ImageVerdict:
    """The refusal a test expects ``output`` to hold (fails the test when there is none)."""
    verdict = refusal(output)
    assert verdict is not None, f"no refusal found in {output!r}"
    return verdict


def test_the_emulators_refusals_get_their_specific_reason(tmp_path):
    good = build_image(tmp_path / "good.xos", "12.4.3.9", size=2048)
    cases = {CORRUPT: corrupt_copy(good, tmp_path / "c.xos"), TRUNCATED: truncated_copy(good, tmp_path / "t.xos"),
             WRONG_PLATFORM: build_image(tmp_path / "w.xos", "12.4.3.9", platform="M6100", size=1)}
    for reason, path in cases.items():
        verdict = refusal_in(emulator_says(path))
        assert (verdict.accepted, verdict.reason) == (False, reason), verdict
        assert verdict.said.startswith("Error: ")


@pytest.mark.parametrize("output, reason", [
    ('Failed to download image - Error: file not found on TFTP server 10.1.2.50 ("x.xos")', MISSING),
    ("Failed to download image - Error: TFTP server 10.1.2.50 did not answer (timeout)", DOWNLOAD_FAILED),
    ("Error: Source image bad", BAD_IMAGE),                  # what a real switch may say, and no more
    ("Downloading to MSM-B....\nBootROM is not able to load this type of image", WRONG_PLATFORM),
])
def test_real_switch_wordings_are_recognised(output, reason):
    assert refusal_in(output).reason == reason


def test_a_successful_install_is_no_refusal():
    assert refusal("Downloading to MSM-A....\nInstalling to secondary partition!\n"
                   "Image installed successfully") is None


SWITCH = """SysName:          XCM8810
Slot:             MSM-A *                      MSM-B
                  ------------------------     ------------------------
Current State:    MASTER                       {state}
Image Selected:   primary                      {selected}
Image Booted:     primary                      primary
Primary ver:      12.4.2.8                     12.4.2.8
Secondary ver:    12.4.1.5                     {secondary}
Config Selected:  primary.cfg
Config Booted:    primary.cfg
"""


def state(state="BACKUP (In Sync)", selected="primary", secondary="12.4.1.5") -> FirmwareState:
    return FirmwareState.of(parse_show_switch(SWITCH.format(state=state, selected=selected, secondary=secondary)))


def test_firmware_state_names_every_change_and_nothing_else():
    before = state()
    assert state().changes_since(before) == []
    after = state(state="BACKUP", selected="secondary", secondary="12.4.3.9")
    assert after.changes_since(before) == ["MSM-B in sync: True -> False", "MSM-B selected: primary -> secondary",
                                           "MSM-B secondary: 12.4.1.5 -> 12.4.3.9"]
    assert before.msm("MSM-B").inactive == "secondary" and before.msm("MSM-B").booted_version == "12.4.2.8"
