"""A release too old to synchronize: the lowest release, the control op, the CLI's refusal."""

import json

import pytest

from tests.virtual_chassis import test_vc_faults as faults
from tests.virtual_chassis.vc_helpers import Bench, Capture, Emulator
from virtual_chassis.model.chassis import SYNC_MIN_RELEASE
from virtual_chassis.model.config import Refusal

TOKEN = faults.TOKEN
bench = faults.bench  # a chassis model with its control channel


def ask(control, op, **args):
    return control.handle(json.dumps({"token": TOKEN, "op": op, **args}))


def test_the_control_op_boots_a_release_below_the_lowest_and_status_names_the_lowest(bench):
    answer = ask(bench.control, "release_without_sync", msm="MSM-B")
    assert answer["ok"] and answer["msm"] == "MSM-B" and answer["sync_min_release"] == SYNC_MIN_RELEASE
    assert bench.chassis.cannot_synchronize(answer["version"])
    bench.wait_states("MASTER", "BACKUP")
    assert bench.chassis.msm("B").booted_version == answer["version"]
    assert ask(bench.control, "status")["sync_min_release"] == SYNC_MIN_RELEASE


def test_the_control_op_refuses_a_release_that_can_synchronize(bench):
    answer = ask(bench.control, "release_without_sync", msm="MSM-B", version="12.3.4.2")
    assert answer == {"ok": False, "error": "12.3.4.2 supports synchronize (the lowest release that does is 11.5)."}
    assert bench.chassis.msm("B").booted_version == "12.4.2.8"


def test_synchronize_with_an_old_backup_is_one_error_line_and_changes_nothing():
    b = Bench(versions=("12.4.2.8", "10.6.1.3"))
    try:
        c = Capture(b.chassis)
        c.start()
        c.command("create vlan x")  # unsaved: refused before the save question
        out = c.command("synchronize")
        assert (
            "Error: MSM-B runs 10.6.1.3, which does not support synchronize (release 11.5 or later needed).\r\n" in out
        )
        assert "Do you want" not in out and "Saving" not in out
        assert b.state("B") == "BACKUP" and b.chassis.msm("B").images["primary"] == "10.6.1.3"
        with pytest.raises(Refusal, match="MSM-B runs 10.6.1.3"):
            b.chassis.synchronize("A")
    finally:
        b.close()


def test_an_old_master_refuses_too_and_a_supporting_pair_synchronizes():
    b = Bench(versions=("10.6.1.3", "12.4.2.8"), sync_min_release="10.0")
    try:
        assert b.chassis.sync_refusal() is None
        b.chassis.synchronize("A")
        b.wait_states("MASTER", "BACKUP (In Sync)")
    finally:
        b.close()
    b = Bench(versions=("10.6.1.3", "12.4.2.8"))
    try:
        assert b.chassis.sync_refusal() == (
            "MSM-A runs 10.6.1.3, which does not support synchronize (release 11.5 or later needed)."
        )
    finally:
        b.close()


def test_the_lowest_release_is_an_emulator_option():
    with Emulator("--speed", "1000", "--version-b", "11.9.1.1", "--sync-min-release", "12.0") as emulator:
        control = emulator.control()
        assert control.status()["sync_min_release"] == "12.0"
        assert control.release_without_sync("MSM-B", "11.9.1.1")["version"] == "11.9.1.1"
