"""The image commands of the virtual chassis: dialogs, progress, partitions, refusals, and the
rule that nothing changes on an MSM when an image is refused or missing. The emulator model
runs on its own loop and really fetches from the harness's TFTP server."""

import pytest

from tests.firmware.fw_helpers import run_until
from tests.virtual_chassis.vc_helpers import Bench, Capture
from virtual_chassis.cli.firmware_commands import INSTALL_QUESTION
from virtual_chassis.cli.outputs import show_version
from virtual_chassis.model.clock import Durations

NEW = "12.4.3.9"


@pytest.fixture
def bench(tftp):
    bench = Bench(speed=10000)
    bench.chassis.firmware.tftp_port = tftp.port
    yield bench
    bench.chassis.firmware.close()
    bench.close()


@pytest.fixture
def master(bench):
    cli = Capture(bench.chassis, "MSM-A")
    cli.start()
    return cli


def finish(bench, cli) -> str:
    run_until(bench.loop, lambda: cli.session.idle, what="the prompt after the job")
    return cli.take()


def download(bench, cli, line: str, answer: str = "y") -> str:
    asked = cli.command(line)
    assert asked.endswith(INSTALL_QUESTION), asked
    return cli.type(answer + "\r") + finish(bench, cli)     # the echoed answer, then the job


def images(bench) -> dict:
    """Everything a refused image must leave as it was, per MSM."""
    return {name: (dict(m.images), m.image_selected, m.image_booted, bench.chassis.display_state(m))
            for name, m in bench.chassis.msms.items()}


def flash_files(bench) -> list:
    fw = bench.chassis.firmware
    return sorted(p.name for m in bench.chassis.msms.values() for p in fw.flash(m).iterdir())


def test_a_download_for_the_backup_passes_through_the_master_and_installs(bench, master, image):
    name = image(NEW)
    out = download(bench, master, f"download image 127.0.0.1 {name} vr VR-Mgmt msm B")
    lines = out.splitlines()
    assert lines[1].startswith("Downloading to MSM-B.") and lines[1].count(".") >= 2
    assert lines[2:7] == ["Installing to secondary partition!", lines[3], "Image installed successfully",
                          "This image will be used only after rebooting the switch!", "XCM8810.2 # "]
    assert lines[3].startswith("Installing to MSM-B.")
    a, b = bench.chassis.msm("A"), bench.chassis.msm("B")
    assert b.images == {"primary": "12.4.2.8", "secondary": NEW} and a.images["secondary"] == "12.4.1.5"
    assert flash_files(bench) == [name], "the master must not keep a file that only passed through"


def test_without_msm_every_msm_that_runs_gets_the_image(bench, master, image):
    out = download(bench, master, f"download image 127.0.0.1 {image(NEW)} secondary")
    assert "Downloading to MSM-A" in out and "Downloading to MSM-B" in out
    assert out.count("Installing to secondary partition!") == 2
    assert {m.images["secondary"] for m in bench.chassis.msms.values()} == {NEW}


def test_the_active_partition_is_refused_before_anything_is_asked(bench, master, image):
    before = images(bench)
    out = master.command(f"download image 127.0.0.1 {image(NEW)} primary msm B")
    assert "Error: Cannot install to the active partition (primary) of MSM-B: a new image goes to the " \
           "inactive partition (secondary)." in out
    assert INSTALL_QUESTION not in out and images(bench) == before


@pytest.mark.parametrize("kind, said", [
    ("corrupt", "Error: Source image bad (checksum mismatch)"),
    ("truncated", "Error: Source image bad (file truncated: "),
    ("wrong platform", "Error: BootROM is not able to load this type of image (M6100 image"),
    ("missing", 'Failed to download image - Error: file not found on TFTP server 127.0.0.1 ("missing.xos")'),
])
def test_a_bad_image_is_refused_and_neither_msm_changes(bench, master, image, tftp, kind, said):
    from harness.firmware.images import corrupt_copy, truncated_copy
    good = tftp.root / image(NEW)
    name = {"corrupt": lambda: corrupt_copy(good, tftp.root / "bad.xos").name,
            "truncated": lambda: truncated_copy(good, tftp.root / "bad.xos").name,
            "wrong platform": lambda: image(NEW, platform="M6100"),
            "missing": lambda: "missing.xos"}[kind]()
    before = images(bench)
    out = download(bench, master, f"download image 127.0.0.1 {name} vr VR-Mgmt")
    assert said in out, out
    assert ("Error: Failed to install image" in out) == (kind != "missing")
    assert "Installing" not in out and images(bench) == before and flash_files(bench) == []
    assert not bench.chassis.firmware.busy


def test_answer_n_downloads_only_and_install_image_installs_later(bench, master, image):
    name = image(NEW)
    out = download(bench, master, f"download image 127.0.0.1 {name} msm B", answer="n")
    assert f"Image {name} downloaded successfully; install it with install image {name}" in out
    assert bench.chassis.msm("B").images["secondary"] == "12.4.1.5"
    assert "File other.xos not found on MSM-B" in master.command("install image other.xos msm B")
    master.command(f"install image {name} msm B")
    out = finish(bench, master)
    assert "Installing to MSM-B" in out and "Image installed successfully" in out
    assert bench.chassis.msm("B").images["secondary"] == NEW


def test_enter_at_the_question_cancels(bench, master, image):
    out = download(bench, master, f"download image 127.0.0.1 {image(NEW)}", answer="")
    assert out.rstrip().endswith("#") and "Downloading" not in out and flash_files(bench) == []


def test_use_image_selects_the_next_boot_for_one_or_both_msms(bench, master):
    master.command("use image secondary")
    assert {m.image_selected for m in bench.chassis.msms.values()} == {"secondary"}
    master.command("use image partition primary msm A")
    selected = (bench.chassis.msm("A").image_selected, bench.chassis.msm("B").image_selected)
    assert selected == ("primary", "secondary")
    assert "Image Selected:   primary                      secondary" in master.command("show switch")


def test_one_download_at_a_time(bench, master, image):
    name = image(NEW)
    master.command(f"download image 127.0.0.1 {name} msm B")
    master.type("y\r")
    other = Capture(bench.chassis, "MSM-A")
    other.start()
    assert "Error: a save or download is in progress - please try again later" in \
        other.command(f"download image 127.0.0.1 {name} msm B")
    assert "Image installed successfully" in finish(bench, master)


def test_a_backup_reboot_during_the_download_installs_nothing(bench, master, image):
    master.command(f"download image 127.0.0.1 {image(NEW)} msm B")
    master.type("y\r")
    bench.chassis.reboot_msm("B")
    out = finish(bench, master)
    assert "Failed to download image - Error: MSM-B went down during the transfer" in out
    assert bench.chassis.msm("B").images["secondary"] == "12.4.1.5" and flash_files(bench) == []


def test_the_image_commands_are_for_the_master(bench, image):
    backup = Capture(bench.chassis, "MSM-B")
    backup.start()
    for line in (f"download image 127.0.0.1 {image(NEW)}", "install image x.xos", "use image secondary"):
        assert "Error: This command can only be executed on Master." in backup.command(line)


@pytest.mark.parametrize("line, said", [
    ("download image 127.0.0.1 x.xos vr VR-Nope", 'Virtual router "VR-Nope" does not exist'),
    ("download image 127.0.0.1 x.xos block-size 4", "Invalid block-size 4: use 8 to 65464 bytes."),
    ("download image 127.0.0.1 x.xos msm C", "Invalid input detected"),
])
def test_bad_arguments_are_refused(master, line, said):
    assert said in master.command(line)


def test_the_installed_image_boots_after_use_image_and_a_reboot(bench, master, image):
    download(bench, master, f"download image 127.0.0.1 {image(NEW)} msm B")
    master.command("use image secondary msm B")
    bench.chassis.reboot_msm("B")
    bench.wait_states("MASTER", "BACKUP (In Sync)")
    b = bench.chassis.msm("B")
    assert (b.image_booted, b.booted_version) == ("secondary", NEW)
    version = show_version(bench.chassis, bench.chassis.msm("A"))
    assert f"IMG: {NEW}" in next(line for line in version if line.startswith("MSM-B"))
    assert "IMG: 12.4.2.8" in next(line for line in version if line.startswith("MSM-A"))


def test_a_finished_job_tells_an_exec_session(bench, image):
    done = []
    cli = Capture(bench.chassis, "MSM-A", interactive=False, echo=False)
    cli.session.after_job = lambda: done.append(cli.session.idle)
    cli.command(f"download image 127.0.0.1 {image(NEW)} msm B")
    cli.type("y\r")
    finish(bench, cli)
    assert done == [True]


def test_the_image_durations_can_be_overridden_like_the_others():
    names = Durations.names()
    assert {"image_download", "image_relay", "image_install"} <= set(names)
    assert Durations().with_overrides({"image_install": 1}).image_install == 1.0


def test_the_emulator_command_line_names_the_tftp_port():
    from virtual_chassis.__main__ import chassis_options, parse_args
    assert chassis_options(parse_args(["--tftp-port", "6969"]))[0].tftp_port == 6969
    assert chassis_options(parse_args([]))[0].tftp_port == 69
