"""Step 1's verdict from parsed ``show switch`` output: in sync, or the manual's three reasons."""

import pytest

from harness.parsers import parse_show_switch
from harness.procedures.sync import BACKUP_DOWN, CHECKPOINTING_NOT_DONE, INCOMPATIBLE_SOFTWARE, judge


def show_switch(state_b: str, version_b: str = "12.4.2.8") -> str:
    def col(text: str) -> str:
        return f"{text:<24}"

    def b(text: str) -> str:
        return text if state_b else ""

    return "\n".join([
        "SysName:          XCM8810",
        "",
        f"Slot:             {col('MSM-A *')}     {col('MSM-B')}",
        f"                  {'-' * 24}     {'-' * 24}",
        f"Current State:    {col('MASTER')}     {col(state_b)}",
        "",
        f"Image Selected:   {col('primary')}     {col(b('primary'))}",
        f"Image Booted:     {col('primary')}     {col(b('primary'))}",
        f"Primary ver:      {col('12.4.2.8')}     {col(b(version_b))}",
        f"Secondary ver:    {col('12.4.1.5')}     {col(b('12.4.1.5'))}",
        "",
        "Config Selected:  primary.cfg",
        "Config Booted:    primary.cfg",
    ])


def no_lag():
    raise AssertionError("the checkpoint lag is only asked for when checkpointing is the cause")


@pytest.mark.parametrize("spelling", ["BACKUP (In Sync)", "BACKUP (InSync)"])
def test_in_sync_in_both_spellings(spelling):
    verdict = judge(parse_show_switch(show_switch(spelling)), no_lag)
    assert verdict.in_sync and verdict.identical_software
    assert (verdict.master, verdict.backup) == ("MSM-A", "MSM-B")
    assert str(verdict) == "in sync: MSM-A MASTER, MSM-B BACKUP (In Sync)"


@pytest.mark.parametrize("state, shown", [("", "absent or powered off"), ("DOWN", "DOWN"),
                                          ("INIT", "INIT"), ("FAIL", "FAIL")])
def test_backup_down(state, shown):
    verdict = judge(parse_show_switch(show_switch(state)), no_lag)
    assert not verdict.in_sync and verdict.cause == BACKUP_DOWN
    assert str(verdict) == f"not in sync: backup down: MSM-B is {shown}"


def test_incompatible_software_names_both_releases():
    verdict = judge(parse_show_switch(show_switch("BACKUP", "12.3.4.2")), no_lag)
    assert verdict.cause == INCOMPATIBLE_SOFTWARE and not verdict.identical_software
    assert "MSM-A runs 12.4.2.8, MSM-B runs 12.3.4.2" in str(verdict)


def test_checkpointing_not_done_names_the_stalled_process():
    verdict = judge(parse_show_switch(show_switch("BACKUP")), lambda: "checkpoint of vlan at 40 %")
    assert verdict.cause == CHECKPOINTING_NOT_DONE
    assert str(verdict) == "not in sync: checkpointing not done: checkpoint of vlan at 40 %"
