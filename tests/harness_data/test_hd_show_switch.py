"""``show switch``: the contract sample and its variants."""

from __future__ import annotations

import pytest

from harness.errors import ParseError
from harness.parsers import MsmStatus, SwitchStatus, parse_show_switch
from tests.harness_data.hd_samples import (
    LOG_A,
    SHOW_SWITCH,
    on_the_wire,
    show_switch,
    with_logs,
    without_trailing_blanks,
)


def test_contract_sample():
    status = parse_show_switch(SHOW_SWITCH)
    assert isinstance(status, SwitchStatus)
    assert (status.sysname, status.system_type) == ("XCM8810", "XCM8810")
    assert (status.config_selected, status.config_booted) == ("primary.cfg", "primary.cfg")
    assert status.msms == {
        "MSM-A": MsmStatus("MSM-A", "MASTER", False, True, "primary", "primary", "12.4.2.8",
                           "12.4.1.5"),
        "MSM-B": MsmStatus("MSM-B", "BACKUP", True, False, "primary", "primary", "12.4.2.8",
                           "12.4.1.5"),
    }
    assert (status.master, status.backup, status.current) == ("MSM-A", "MSM-B", "MSM-A")
    assert status.msm("MSM-B").booted_version == "12.4.2.8"
    assert status.fields["Boot Count"] == "12" and status.fields["SysLocation"] == ""
    assert status.fields["Timezone"].endswith("name is UTC.")


def test_the_sample_really_has_the_contract_geometry():
    lines = SHOW_SWITCH.splitlines()
    slot = next(line for line in lines if line.startswith("Slot:"))
    assert slot.index("MSM-A") == 18 and slot.index("MSM-B") == 47 and len(slot) == 71


@pytest.mark.parametrize("variant", [
    lambda t: t.replace("\n", "\r\n"),
    without_trailing_blanks,
    lambda t: on_the_wire(t, "show switch"),
    lambda t: on_the_wire(t, "show switch detail", n=7, sysname="lab-8810"),
    lambda t: "* XCM8810.4 # sh sw\r\n" + t.replace("\n", "\r\n") + "* XCM8810.5 # ",
    lambda t: with_logs(t, every=2),
    lambda t: with_logs(t.replace("\n", "\r\n"), every=1),
    lambda t: t.replace("\n", "\n\n"),
    lambda t: t.replace("(In Sync)        \n", "(In Sync)        " + LOG_A + "\n", 1),
    lambda t: "\x1b[2K" + t,
], ids=["crlf", "no-trailing-blanks", "prompt-and-echo", "detail-echo", "star-prompt",
        "logs", "logs-crlf-every-line", "blank-lines", "log-glued-to-a-line", "ansi"])
def test_variants_parse_the_same(variant):
    assert parse_show_switch(variant(SHOW_SWITCH)) == parse_show_switch(SHOW_SWITCH)


def test_pager_prompt_erased_with_carriage_return_and_blanks():
    lines = SHOW_SWITCH.splitlines()
    erase = "\r" + " " * 60 + "\r"
    paged = "\r\n".join(lines[:24]) + "\r\nPress <SPACE> to continue or <Q> to quit:" + erase \
        + "\r\n".join(lines[24:]) + "\r\n"
    assert parse_show_switch(paged) == parse_show_switch(SHOW_SWITCH)


@pytest.mark.parametrize("spelling", ["BACKUP (InSync)", "BACKUP (In Sync)", "BACKUP(InSync)",
                                      "BACKUP (in sync)"])
def test_both_in_sync_spellings(spelling):
    status = parse_show_switch(show_switch(b_state=spelling))
    assert status.msm("B").state == "BACKUP" and status.msm("B").in_sync


def test_bare_backup_is_not_in_sync():
    status = parse_show_switch(show_switch(b_state="BACKUP"))
    assert status.backup == "MSM-B" and not status.msm("MSM-B").in_sync


def test_a_qualifier_other_than_in_sync_is_not_in_sync():
    assert not parse_show_switch(show_switch(b_state="BACKUP (Not In Sync)")).msm("B").in_sync


@pytest.mark.parametrize("state", ["DOWN", "INIT", "STANDBY", "FAIL"])
def test_backup_in_another_state(state):
    status = parse_show_switch(show_switch(b_state=state))
    assert status.msm("MSM-B").state == state and status.backup is None
    assert status.master == "MSM-A"


@pytest.mark.parametrize("slot_names", [True, False], ids=["slot-name-kept", "all-blank"])
def test_backup_column_empty_means_absent(slot_names):
    text = show_switch(b_present=False, slot_names=slot_names)
    for variant in (text, without_trailing_blanks(text)):
        status = parse_show_switch(variant)
        absent = status.msm("MSM-B")
        assert absent == MsmStatus("MSM-B", "") and not absent.present
        assert absent.booted_version is None
        assert status.master == "MSM-A" and status.backup is None


def test_master_column_empty_after_a_failover_and_power_off():
    text = show_switch(a_present=False, b_state="MASTER", current="B", slot_names=False)
    status = parse_show_switch(without_trailing_blanks(text))
    assert (status.master, status.backup, status.current) == ("MSM-B", None, "MSM-B")
    assert not status.msm("A").present


def test_session_on_the_backup_marks_the_backup_column():
    status = parse_show_switch(show_switch(current="B"))
    assert status.current == "MSM-B" and status.master == "MSM-A"
    assert status.msm("a").current is False and status.msm("msm-b").current is True


def test_different_versions_per_msm():
    status = parse_show_switch(show_switch(b_versions=("12.3.1.2", "12.4.2.8"),
                                           b_state="BACKUP"))
    assert status.msm("MSM-A").booted_version == "12.4.2.8"
    assert status.msm("MSM-B").booted_version == "12.3.1.2"
    assert status.msm("MSM-B").secondary_version == "12.4.2.8"


def test_columns_follow_the_underline_not_fixed_offsets():
    """A wider label field (underline moved right by 4) still slices the right columns."""
    shifted = "\n".join(
        (line[:18] + "    " + line[18:]) if line[:1] in " SCIP" and len(line) > 18 else line
        for line in SHOW_SWITCH.splitlines())
    status = parse_show_switch(shifted)
    assert status.msm("MSM-B").state == "BACKUP" and status.msm("MSM-B").in_sync
    assert status.msm("MSM-A").current and status.msm("MSM-A").primary_version == "12.4.2.8"


def test_without_underline_the_contract_geometry_is_used():
    text = "\n".join(line for line in SHOW_SWITCH.splitlines() if "-----" not in line)
    assert parse_show_switch(text) == parse_show_switch(SHOW_SWITCH)


def test_without_underline_and_slot_names_falls_back_to_18_and_47():
    text = "\n".join(line for line in show_switch(b_present=False, slot_names=False).splitlines()
                     if "-----" not in line)
    status = parse_show_switch(text)
    assert status.master == "MSM-A" and not status.msm("MSM-B").present


def test_only_the_essential_labels_are_required():
    essential = ("SysName:", "Slot:", "    ---", "Current State:", "Image ", "Primary ver:",
                 "Secondary ver:", "Config ")
    short = "\n".join(line for line in SHOW_SWITCH.splitlines() if line.startswith(essential))
    status = parse_show_switch(short)
    assert status.system_type == "" and status.msms == parse_show_switch(SHOW_SWITCH).msms


@pytest.mark.parametrize("label", ["Slot", "Current State", "Image Selected", "Image Booted",
                                   "Primary ver", "Secondary ver"])
def test_an_essential_label_missing(label):
    text = "\n".join(line for line in SHOW_SWITCH.splitlines() if not line.startswith(label))
    assert label in _error(text).reason


@pytest.mark.parametrize("label", ["SysName", "Config Selected", "Config Booted", "System Type"])
def test_labels_the_procedure_does_not_need_may_be_missing(label):
    text = "\n".join(line for line in SHOW_SWITCH.splitlines() if not line.startswith(label))
    status = parse_show_switch(text)
    assert label not in status.fields and status.msms == parse_show_switch(SHOW_SWITCH).msms


def test_msm_lookup_of_unknown_slots():
    status = parse_show_switch(SHOW_SWITCH)
    assert not any(status.msm(slot).present for slot in ("MSM-C", None, ""))


# -- not show switch output -------------------------------------------------------------


def _error(text) -> ParseError:
    with pytest.raises(ParseError) as caught:
        parse_show_switch(text)
    assert caught.value.command == "show switch"
    assert "show switch" in str(caught.value)
    return caught.value


@pytest.mark.parametrize("text, line", [
    ("Error: This command can only be executed on Master.\n",
     "Error: This command can only be executed on Master."),
    ("show swtch\n     ^\n%% Invalid input detected at '^' marker.\n",
     "%% Invalid input detected at '^' marker."),
])
def test_device_errors(text, line):
    error = _error(text)
    assert error.line == line and "error instead of output" in error.reason


@pytest.mark.parametrize("text", ["", "\r\n\r\n", "XCM8810.3 # show switch\r\nXCM8810.4 # "])
def test_empty_output(text):
    assert _error(text).reason == "the output is empty"


def test_garbage_line():
    error = _error(SHOW_SWITCH.replace("Boot Count:", "Boot Count is"))
    assert error.line.startswith("Boot Count is")


def test_truncated_output_names_what_is_missing():
    truncated = "\n".join(SHOW_SWITCH.splitlines()[:21])
    assert "Image Selected" in _error(truncated).reason


def test_two_outputs_run_together():
    assert "appears twice" in _error(SHOW_SWITCH + SHOW_SWITCH).reason


def test_the_wrong_commands_output():
    from tests.harness_data.hd_samples import SHOW_NODE, SHOW_VERSION
    _error(SHOW_NODE)
    assert "Current State" in _error(SHOW_VERSION).reason


def test_an_unknown_state_word():
    assert "not a node state" in _error(show_switch(b_state="backup?")).reason


def test_two_star_columns():
    text = SHOW_SWITCH.replace("MSM-B   ", "MSM-B * ", 1)
    assert "more than one slot" in _error(text).reason


def test_long_lines_are_truncated_in_the_message():
    error = _error("x" * 500 + "\n")
    assert len(str(error)) < 400 and error.line == "x" * 500


@pytest.mark.parametrize("value", [None, 42, ["show switch"]])
def test_not_text(value):
    assert "expected text" in _error(value).reason


def test_bytes_are_decoded():
    assert parse_show_switch(SHOW_SWITCH.encode()) == parse_show_switch(SHOW_SWITCH)
