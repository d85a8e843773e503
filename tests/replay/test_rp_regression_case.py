"""A recorded failover as a regression case (``tests/replay/cases/failover``, made by ``hil
replay --testbed-out`` from a green run of the failover and checkpointing plans on the
emulator): the plans pass on it with the recorded phases; edited so the old master never comes
back In Sync, the failover plan fails with the verdict a live chassis that never syncs gets."""

from __future__ import annotations

import datetime
import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from harness.lab.chassis import Chassis, ChassisAccess
from harness.procedures.failover import relinquish_primary
from harness.testbed.schema import Credentials
from tests.replay.rp_helpers import run_hil
from tests.replay.rp_runs import HIL, RUN_DEADLINE, child_environment, hil_run
from tests.virtual_chassis.vc_helpers import Emulator

CASE = Path(__file__).resolve().parent / "cases" / "failover"
PLANS = Path(__file__).resolve().parents[2] / "testplans"
#: how the case was recorded: the failover plan's step 3, then the checkpointing plan
SELECTION = ["--plans", str(PLANS / "test_sync_failover.py"), "--", str(PLANS / "test_checkpointing.py")]
SELECTION += ["-k", "test_step3_in_sync_then_failover or test_checkpointing"]
PHASES = {
    "failover sent",
    "old master rebooting",
    "new master answering",
    "management SSH lost",
    "management SSH back",
    "old master at login",
    "backup In Sync",
}
PHASE_LINE = re.compile(
    r"^\+\s+[\d.]+ s  virtual  (?P<phase>[a-zA-Z ]+?)(?: (?:run msm-failover on )?MSM-[AB](?: \(.*\))?)?$", re.M
)


def run_on(testbed: Path, folder: Path, *more: str) -> subprocess.CompletedProcess:
    """``hil run`` of the recorded selection on ``testbed``."""
    return subprocess.run(
        [
            *HIL,
            "run",
            "--testbed",
            str(testbed),
            "--reports",
            str(folder / "reports"),
            *SELECTION[:-2],
            *more,
            *SELECTION[-2:],
        ],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=RUN_DEADLINE,
        env=child_environment(),
        stdin=subprocess.DEVNULL,
    )


def phases_of(output: str) -> list[set[str]]:
    """The phases of each failover in a run's progress lines."""
    failovers: list[set[str]] = []
    for match in PHASE_LINE.finditer(output):
        if match["phase"] == "failover sent":
            failovers.append(set())
        if failovers:
            failovers[-1].add(match["phase"])
    return failovers


@pytest.mark.timeout(300)
def test_the_failover_and_checkpointing_plans_pass_on_the_recorded_failover(tmp_path):
    done = run_on(CASE / "testbed.yaml", tmp_path)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-1500:]
    assert done.stdout.count(" PASSED") == 5
    assert phases_of(done.stdout) == [PHASES, PHASES], done.stdout[-3000:]
    log = (tmp_path / "reports" / "replay-virtual.log").read_text()
    assert "left the recording" not in log, log[-2000:]


def edit_never_in_sync(folder: Path) -> None:
    """After the first ``run msm-failover`` (in lab time over all sessions), every
    ``BACKUP (In Sync)`` reads ``BACKUP``: the old master never comes back In Sync."""
    files = {p: p.read_text().splitlines() for p in folder.glob("*.jsonl")}

    def started(lines: list[str]) -> float:
        return datetime.datetime.fromisoformat(json.loads(lines[0])["started"]).timestamp()

    failover = min(
        started(lines) + entry["t"]
        for lines in files.values()
        for entry in map(json.loads, lines[1:])
        if entry["dir"] == "sent" and entry["data"].startswith("run msm-failover")
    )
    for path, lines in files.items():
        edited = [lines[0]]
        for entry in map(json.loads, lines[1:]):
            if started(lines) + entry["t"] > failover:
                entry["data"] = entry["data"].replace("BACKUP (In Sync)", "BACKUP          ")
            edited.append(json.dumps(entry))
        path.write_text("\n".join(edited) + "\n")


def live_never_in_sync_verdict(tmp_path: Path) -> str:
    """The verdict of the same procedure on a live emulator whose backup never comes back In
    Sync (a bulk checkpoint that takes forever), at the recording's time scale."""
    scale = json.loads((CASE / "virtual-ssh.jsonl").read_text().splitlines()[0])["time_scale"]
    emulator = Emulator("--speed", f"{1 / scale:g}", "--duration", "checkpoint_per_process=100000000")
    ends = emulator.endpoints
    consoles = {msm: ends["consoles"][msm]["tcp"] for msm in ("MSM-A", "MSM-B")}
    access = ChassisAccess(
        "virtual",
        "real",
        ends["ssh"]["host"],
        ends["ssh"]["port"],
        consoles,
        Credentials("admin", ""),
        tmp_path / "known_hosts",
        time_scale=scale,
    )
    chassis = Chassis(access, tmp_path / "live")
    try:
        with pytest.raises(Exception) as failure:
            relinquish_primary(chassis)
        return f"{type(failure.value).__name__}: {failure.value}"
    finally:
        chassis.close()
        emulator.stop()


@pytest.mark.timeout(300)
def test_the_recording_edited_never_in_sync_fails_with_the_live_verdict(tmp_path):
    case = tmp_path / "case"
    shutil.copytree(CASE, case)
    edit_never_in_sync(case)
    done = run_on(case / "testbed.yaml", tmp_path, "-x")
    assert done.returncode == 1, done.stdout[-3000:]
    failed = [c for c in ET.parse(tmp_path / "reports" / "junit.xml").iter("testcase") if c.find("failure") is not None]
    assert [c.get("name") for c in failed] == ["test_step3_in_sync_then_failover"]
    failure = failed[0].find("failure")
    assert failure is not None
    verdict = failure.get("message", "")
    live = live_never_in_sync_verdict(tmp_path)
    assert (
        live
        == "Timeout: chassis virtual: MSM-A back as BACKUP (In Sync) did not happen within 15 s; last seen: MSM-A BACKUP, MSM-B MASTER"
    )
    assert verdict.endswith(live.split(": ", 1)[1]), (verdict, live)
    assert "Timeout" in verdict


@pytest.mark.timeout(300)
def test_a_lab_run_becomes_a_regression_case_in_one_step(tmp_path, capsys):
    """``hil run`` records, ``hil replay --testbed-out`` makes the case, ``hil run`` passes on it."""
    recordings = hil_run(tmp_path, "--", "-k", "test_step3_in_sync_then_failover")
    status, out, _ = run_hil(capsys, "replay", "--testbed-out", str(tmp_path / "case"), *map(str, recordings.iterdir()))
    assert status == 0, out
    assert f"hil run --testbed {tmp_path / 'case' / 'testbed.yaml'}" in out
    assert sorted(p.name for p in (tmp_path / "case").iterdir()) == [
        "testbed.yaml",
        "virtual-MSM-A.jsonl",
        "virtual-MSM-B.jsonl",
        "virtual-ssh.jsonl",
    ]
    again = tmp_path / "again"
    again.mkdir()
    done = subprocess.run(
        [
            *HIL,
            "run",
            "--testbed",
            str(tmp_path / "case" / "testbed.yaml"),
            "--reports",
            "reports",
            "--",
            "-k",
            "test_step3_in_sync_then_failover",
        ],
        cwd=again,
        capture_output=True,
        text=True,
        timeout=RUN_DEADLINE,
        env=child_environment(),
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-1000:]
    assert phases_of(done.stdout) == [PHASES]


def test_the_stored_case_is_what_hil_replay_testbed_out_writes(tmp_path, capsys):
    status, out, _ = run_hil(capsys, "replay", "--testbed-out", str(tmp_path), *map(str, sorted(CASE.glob("*.jsonl"))))
    assert status == 0, out
    assert (tmp_path / "testbed.yaml").read_text() == (CASE / "testbed.yaml").read_text()
    assert sum(p.stat().st_size for p in CASE.iterdir()) < 200_000  # small enough to keep in the repository
