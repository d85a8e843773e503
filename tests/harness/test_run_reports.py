"""A run of plans through plain pytest, as a lab engineer reads it: the same reports as ``hil
run`` in the reports folder (title, header, picture, merged transcript, limits, JUnit), progress
with elapsed time, a banner for a fallback, one line for an unreachable chassis or a typo."""

import html
import json
import re
import xml.etree.ElementTree as ET

import pytest

from tests.harness.test_plugin import UNREACHABLE
from tests.virtual_chassis.vc_helpers import Emulator

pytest_plugins = ["pytester"]

FAILOVER_PLAN = """
from harness.procedures.failover import failover

def test_failover(chassis, record_property):
    record_property("plan note", "kept")
    assert failover(chassis).new_master == "MSM-B"
"""

TESTBED = """
chassis:
  vc1:
    type: virtual
    limits: {{old master boot: {boot}, old master back: 86400}}
"""


def run(pytester, *args):
    return pytester.runpytest_subprocess("-p", "no:cacheprovider", f"--lock-dir={pytester.path / 'locks'}", *args)


def group_in(pattern: str, text: str) -> str:
    """Group 1 of ``pattern`` in ``text``; fails the test when ``text`` does not hold it."""
    match = re.search(pattern, text)
    assert match is not None, f"no {pattern!r} in: {text[-2000:]}"
    return match[1]


def plan_extras(report: str) -> str:
    """The HTML the plugin attached to the plans (pytest-html keeps it in a JSON blob)."""
    blob = json.loads(html.unescape(group_in(r'data-jsonblob="([^"]*)"', report)))
    return "".join(e.get("content", "") for runs in blob["tests"].values() for r in runs for e in r.get("extras", []))


def test_plain_pytest_writes_the_reports_of_hil_run_into_its_reports_folder(pytester):
    pytester.makepyfile(FAILOVER_PLAN)
    pytester.makefile(".yaml", testbed=TESTBED.format(boot=86400))
    out = pytester.path / "out"
    (out / "transcripts").mkdir(parents=True)
    (out / "transcripts" / "old-chassis.log").write_text("an earlier run\n")
    (out / "junit.xml").write_text("stale")
    (out / "notes.txt").write_text("a person's file\n")
    before = {p.name for p in pytester.path.iterdir()}

    result = run(pytester, "--testbed=testbed.yaml", f"--hil-workdir={out}", "-v", "-W", "error::pytest.PytestWarning")

    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines([
        "+ * s  vc1  failover sent run msm-failover on MSM-A",
        "+ * s  vc1  old master at login MSM-A (old master boot 95.0 s)",
        "+ * s  vc1  backup In Sync MSM-A (old master back *)",
    ])
    pytesters_own = {"stdout", "stderr", "runpytest-0", "runpytest-current", "locks", ".cache"}  # .cache: HOME is here
    assert {p.name for p in pytester.path.iterdir()} - before - pytesters_own == set(), "a stray file in the folder"
    assert (out / "notes.txt").exists(), "the run removed a file it does not own"
    assert sorted(p.name for p in (out / "transcripts").iterdir()) == ["vc1-MSM-A.log", "vc1-MSM-B.log", "vc1-ssh.log", "vc1.log"]
    merged = (out / "transcripts" / "vc1.log").read_text()
    sources = {group_in(r"^\S+ \S+ \+\s*\S+ (\S+)", line) for line in merged.splitlines()}
    assert {"SSH", "MSM-A", "MSM-B", "phase"} <= sources
    assert re.search(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} \+\s+\d+\.\d{3} MSM-A +\| Rebooting", merged, re.M)

    names = [p.get("name") for p in ET.parse(out / "junit.xml").iter("property")]
    assert len(names) == len(set(names)), names
    assert "plan note" in names and "phase takeover offset (s)" not in names
    assert {"phase failover sent offset (s)", "phase takeover duration (s)", "phase backup In Sync offset (s)"} <= set(names)

    report = (out / "report.html").read_text()
    assert "<title id=\"head-title\">xcm8800-hil: vc1</title>" in report
    for row in ("<th>chassis</th><td>vc1</td>", "<th>backend</th><td>vc1: virtual (speed 1000)</td>",
                "<th>MSM software</th><td>MSM-A 12.4.2.8; MSM-B 12.4.2.8</td>", "<th>testbed file</th><td>testbed.yaml</td>"):
        assert row in html.unescape(report), row
    assert "hil-banner" not in html.unescape(report)
    extras = plan_extras(report)
    assert "<svg" in extras and "data-lane='SSH'" in extras and "data-phase='management SSH back'" in extras
    assert "<details class='hil-transcript'>" in extras and "id='p-" in extras
    assert "<td>old master boot</td>" in extras and "<td>met</td>" in extras
    # one meaning per figure: the old master's boot (rebooting -> login:) is the same number in
    # the terminal, the Timeline table, the Limits table, JUnit and the picture; on a virtual
    # chassis it is the emulator's clock (shutdown 5 s + boot 90 s), not host time x speed
    junit = {p.get("name"): p.get("value") for p in ET.parse(out / "junit.xml").iter("property")}
    assert junit["phase old master boot duration (s)"] == "95.000"
    assert "<td>old master boot 95.0 s</td>" in extras  # Timeline: the row of the event that ends it
    assert "<td>old master boot</td><td>95.0</td>" in extras  # Limits
    assert "old master boot 95.0 s" in group_in(r"<text class='durations'[^>]*>([^<]*)<", extras)  # picture


def test_a_phase_over_its_limit_fails_the_plan_and_shows_missed(pytester):
    pytester.makepyfile(FAILOVER_PLAN)
    pytester.makefile(".yaml", testbed=TESTBED.format(boot=1))
    result = run(pytester, "--testbed=testbed.yaml", f"--hil-workdir={pytester.path / 'out'}")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*phase limits missed (lab seconds): old master boot: * s of 1 s allowed: MISSED*"])
    assert "<td>MISSED</td>" in plan_extras((pytester.path / "out" / "report.html").read_text())



SLOW_BOOT_PLAN = """
from harness.procedures.failover import failover

def test_failover_with_a_slow_boot(chassis):
    chassis.control.slow_boot(1200, "MSM-A")  # twice the 600 s a boot may take
    assert failover(chassis).new_master == "MSM-B"
"""


def test_a_boot_at_twice_its_limit_fails_by_default(pytester):
    """No ``limits:`` in the testbed: every phase is still checked against its default."""
    pytester.makepyfile(SLOW_BOOT_PLAN)
    result = run(pytester, f"--hil-workdir={pytester.path / 'out'}")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*phase limits missed (lab seconds): old master boot: 1205.0 s of 600 s allowed: MISSED*"])


REAL = """
chassis:
  lab1:
    type: real
    management: {{host: 127.0.0.1, port: {ssh}}}
    consoles: {{MSM-A: "socket://127.0.0.1:{a}", MSM-B: "socket://127.0.0.1:{b}"}}
    known_hosts: known_hosts
    credentials: {{username: admin, password: wrong-one}}
"""

PLANS = """
def test_one(chassis):
    pass

def test_two(chassis):
    pass
"""


@pytest.mark.parametrize("fallback, outcome", [("virtual", {"passed": 2}), ("skip", {"skipped": 2})])
def test_a_fallback_run_says_so_in_the_report_and_the_summary(pytester, free_port, fallback, outcome):
    pytester.makepyfile(PLANS)
    pytester.makefile(".yaml", testbed=UNREACHABLE.format(port=free_port(), port2=free_port(), fallback=fallback))
    result = run(pytester, "--testbed=testbed.yaml", f"--hil-workdir={pytester.path / 'out'}")
    result.assert_outcomes(**outcome)
    result.stdout.fnmatch_lines([f"xcm8800-hil: chassis lab1 was NOT tested on the named hardware: *fallback: {fallback}*"])
    report = (pytester.path / "out" / "report.html").read_text()
    assert "hil-banner" in report and "chassis lab1 was NOT tested on the named hardware" in html.unescape(report)


@pytest.mark.parametrize("fallback", ["virtual", "skip"])
def test_require_hardware_never_starts_an_emulator_one_line_and_status_2(pytester, free_port, fallback):
    pytester.makepyfile(PLANS)
    pytester.makefile(".yaml", testbed=UNREACHABLE.format(port=free_port(), port2=free_port(), fallback=fallback))
    out = pytester.path / "out"
    result = run(pytester, "--testbed=testbed.yaml", f"--hil-workdir={out}", "--require-hardware")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    text = result.stdout.str() + result.stderr.str()
    said = [line for line in text.splitlines() if "--require-hardware: the named hardware must be used" in line]
    assert len(said) == 1 and "is unreachable" in said[0], text
    assert "Traceback" not in text and "def " not in text
    assert not list(out.glob("virtual-*.log")), "an emulator was started"


def test_a_refused_login_is_one_line_and_a_usage_exit(pytester, tmp_path):
    """A wrong password ends the run like an unreachable chassis: one line, status 2."""
    emulator = Emulator("--speed", "1000", "--password", "the-chassis-one")
    try:
        pytester.makepyfile(PLANS)
        pytester.makefile(".yaml", testbed=REAL.format(ssh=emulator.endpoints["ssh"]["port"],
                                                       a=emulator.console_address("MSM-A")[1],
                                                       b=emulator.console_address("MSM-B")[1]))
        result = run(pytester, "--testbed=testbed.yaml", f"--hil-workdir={pytester.path / 'out'}")
    finally:
        emulator.stop()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    text = result.stdout.str() + result.stderr.str()
    said = [line for line in text.splitlines() if "xcm8800-hil: chassis lab1:" in line]
    assert len(said) == 1 and "refused" in said[0].lower(), text
    assert "Traceback" not in text and "def " not in text and "wrong-one" not in text


def test_an_unreachable_chassis_is_one_line_and_a_usage_exit(pytester, free_port):
    pytester.makepyfile(PLANS)
    pytester.makefile(".yaml", testbed=UNREACHABLE.format(port=free_port(), port2=free_port(), fallback="fail"))
    result = run(pytester, "--testbed=testbed.yaml", f"--hil-workdir={pytester.path / 'out'}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    text = result.stdout.str() + result.stderr.str()
    assert len(re.findall(r"management SSH 127\.0\.0\.1:\d+ is unreachable", text)) == 1, text
    assert "Traceback" not in text and "def " not in text


def test_a_chassis_typo_is_one_line_before_any_plan(pytester):
    pytester.makepyfile(PLANS)
    pytester.makefile(".yaml", testbed="chassis:\n  vc1: {type: virtual}\n")
    result = run(pytester, "--testbed=testbed.yaml", "--chassis=vc2")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*chassis.vc2: no chassis named 'vc2'*choose one of: vc1*"])
    assert "Traceback" not in result.stderr.str() + result.stdout.str()


def test_an_unreachable_chassis_under_xdist_is_one_line_per_worker_and_a_usage_exit(pytester, free_port):
    pytester.makepyfile(PLANS)
    pytester.makefile(".yaml", testbed=UNREACHABLE.format(port=free_port(), port2=free_port(), fallback="fail"))
    result = run(pytester, "--testbed=testbed.yaml", f"--hil-workdir={pytester.path / 'out'}", "-n", "2")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    text = result.stdout.str() + result.stderr.str()
    assert "Traceback" not in text and "INTERNALERROR" not in text, text
    assert 1 <= len(re.findall(r"^chassis lab1: management SSH 127\.0\.0\.1:\d+ is unreachable", text, re.M)) <= 2


LEFTOVER_PLANS = """
from harness.lab.chassis import SSH
from testplans.plan_helpers import vlans_on


def test_1_a_killed_run_left_its_test_vlan(chassis):
    chassis.run(SSH, "create vlan hil_v1", check=True)


def test_2_a_plan_with_a_test_vlan(chassis, vlan):
    assert vlans_on(chassis, SSH).get(vlan[0]) == vlan[1]


def test_3_no_test_vlan_is_left(chassis):
    assert not [n for n in vlans_on(chassis, SSH) if n.startswith("hil_v")]
"""


def test_a_test_vlan_left_by_a_killed_run_is_cleaned_before_the_plan_not_fatal(pytester):
    """A killed run left ``hil_v1``: the next plan that makes its VLAN deletes it first."""
    pytester.makeconftest("from testplans.conftest import vlan  # noqa: F401\n")
    pytester.makepyfile(LEFTOVER_PLANS)
    result = run(pytester, f"--hil-workdir={pytester.path / 'out'}", "-p", "no:randomly")
    result.assert_outcomes(passed=3)


BACKUP_ON_ANOTHER_BUILD = """
from harness.procedures.sync import backup_in_sync, wait_for_status


def test_backup_on_another_build(chassis):
    chassis.control.set_version("MSM-B", "12.4.2.9")
    wait_for_status(chassis, lambda s: s.msm("MSM-B").booted_version == "12.4.2.9" and backup_in_sync("MSM-B")(s),
                    chassis.deadline("in_sync"), "MSM-B In Sync on 12.4.2.9")
"""

FIRMWARE_MODULE = """
import pytest
from harness.procedures.sync import backup_in_sync, wait_for_status

pytestmark = pytest.mark.usefixtures("release_restored")


def test_master_on_another_build(chassis):
    chassis.control.set_version("MSM-A", "12.4.2.9")
    wait_for_status(chassis, lambda s: s.msm("MSM-A").booted_version == "12.4.2.9" and backup_in_sync("MSM-A")(s),
                    chassis.deadline("in_sync"), "MSM-A In Sync on 12.4.2.9")
"""


@pytest.mark.parametrize("accept", [False, True])
def test_a_chassis_the_firmware_plans_cannot_put_back_fails_the_run_unless_accepted(pytester, accept):
    """The MSMs started on different builds: the restore cannot put that back; the run fails
    (status 1) saying what it is left on, unless --accept-left-on."""
    pytester.makepyfile(test_1=BACKUP_ON_ANOTHER_BUILD, test_2=FIRMWARE_MODULE)
    args = ["--accept-left-on"] if accept else []
    result = run(pytester, f"--hil-workdir={pytester.path / 'out'}", "-p", "no:randomly", *args)
    result.assert_outcomes(passed=2)
    assert result.ret == (pytest.ExitCode.OK if accept else pytest.ExitCode.TESTS_FAILED)
    said = [line for line in result.stdout.lines if "xcm8800-hil: chassis virtual: left on 12.4.2.9" in line]
    assert len(said) == 1 and "(started on MSM-A 12.4.2.8, MSM-B 12.4.2.9)" in said[0], result.stdout.str()
    assert ("the run fails" in said[0]) != accept and ("--accept-left-on accepts it" in said[0]) != accept


DIGEST_PLANS = """
import pytest


def test_one(chassis):
    pass


def test_two(chassis):
    pass


@pytest.mark.hardware_only
def test_on_hardware(chassis):
    pass
"""


def test_a_run_ends_with_a_digest_of_what_ran_where_and_what_was_skipped_and_why(pytester):
    pytester.makepyfile(DIGEST_PLANS)
    result = run(pytester, f"--hil-workdir={pytester.path / 'out'}")
    result.assert_outcomes(passed=2, skipped=1)
    result.stdout.fnmatch_lines([
        "*xcm8800-hil digest*",
        "xcm8800-hil: ran on virtual (virtual): 2 plans (2 passed)",
        "xcm8800-hil: skipped 1: meaningful only on a real chassis (test_on_hardware)",
    ])
