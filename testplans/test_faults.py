"""Fault handling: each fault a lab sees, injected on the virtual chassis, gives its verdict.

Every plan states the verdict (recovered, or failed with a named reason), checks that the
procedure ended before its deadline, and that the transcripts hold everything up to the fault.
Backup down and incompatible software are plans of ``test_sync_failover.py``; power loss of
the master is ``test_unplanned_failover.py``. ``docs/faults.md`` has the whole fault matrix.
"""

import re
import time
from contextlib import contextmanager

import pytest

from drivers.errors import DeviceRebooted, LoginFailed
from harness.errors import ProcedureFailed
from harness.lab.chassis import MSMS, SSH
from harness.procedures.failover import failover, relinquish_primary, synchronize
from harness.procedures.sync import CHECKPOINT_STALLED, backup_in_sync, check_sync, wait_for_status

pytestmark = pytest.mark.virtual_only


@contextmanager
def within(deadline):
    """The block must end (return or raise) before ``deadline``, the procedure's own bound."""
    started = time.monotonic()
    yield
    took = time.monotonic() - started
    assert took < deadline.seconds, f"took {took:.1f} s, beyond the {deadline.seconds:g} s deadline"


@contextmanager
def raises_within(deadline, error, match):
    with within(deadline), pytest.raises(error, match=match) as caught:
        yield caught


def test_stalled_checkpoint_is_not_in_sync_naming_the_process(chassis):
    """A bulk checkpoint stuck at 40 % for fdb: not in sync, fdb named, no failover."""
    backup = check_sync(chassis).backup
    chassis.control.stall_checkpoint("fdb", 40)  # the backup reboots into a stalled checkpoint
    wait_for_status(chassis, lambda s: s.backup == backup, chassis.deadline("boot"), f"{backup} back as BACKUP")
    mark = chassis.transcript_mark(SSH)

    with within(chassis.deadline("in_sync")):
        outcome = relinquish_primary(chassis)

    assert not outcome.completed and outcome.failover is None
    assert outcome.verdict.cause == CHECKPOINT_STALLED
    assert outcome.conclusion == "not in sync: checkpoint of fdb stalled at 40 %; failover not attempted"
    seen = chassis.transcript_since(SSH, mark)
    assert re.search(r"fdb +\d+ +\d+ +0 +\d+ +6 +40% ON  OK", seen), "the stalled row is not in the transcript"


def test_backup_removed_during_synchronize_fails_the_synchronize(chassis):
    """The backup is pulled in the middle of the image copy: synchronize fails, naming it."""
    backup = check_sync(chassis).backup
    chassis.control.remove_backup_during_synchronize()
    mark = chassis.transcript_mark(SSH)

    with raises_within(
        chassis.deadline("synchronize"), ProcedureFailed, rf"{backup} absent \(removed or powered off\)"
    ) as failure:
        synchronize(chassis)

    assert "phase 'backup In Sync'" in str(failure.value) and "deadline" in str(failure.value)
    seen = chassis.transcript_since(SSH, mark)
    assert f"Synchronizing {backup} with" in seen and seen.index("synchronize") < seen.index("Synchronizing")


def test_new_master_in_fail_stops_the_failover_naming_it(chassis):
    """The backup fails while taking over: the procedure stops with the MSM, phase and deadline."""
    before = check_sync(chassis)
    chassis.control.fail_new_master()
    marks = {msm: chassis.transcript_mark(msm) for msm in MSMS}

    with raises_within(chassis.deadline("failover"), ProcedureFailed, f"{before.backup} is in FAIL") as failure:
        failover(chassis)

    assert "phase 'new master answering'" in str(failure.value) and "deadline" in str(failure.value)
    assert "run msm-failover" in chassis.transcript_since(before.master, marks[before.master])
    assert "changed state to FAIL" in chassis.transcript_since(before.backup, marks[before.backup])


def test_console_noise_is_tolerated(chassis):
    """Log lines and line noise in the middle of console output: the procedure still succeeds."""
    chassis.control.console_noise(rate=0.5)
    marks = {msm: chassis.transcript_mark(msm) for msm in MSMS}

    for msm in MSMS:
        assert check_sync(chassis, msm).in_sync
    with within(chassis.deadline("failover")):
        outcome = relinquish_primary(chassis)

    assert outcome.completed, outcome.conclusion
    for msm in MSMS:
        seen = chassis.transcript_since(msm, marks[msm])
        assert re.search(rf"<(Info|Warn|Noti):[\w.]+> {msm}: (Port|Fan|Setting)", seen), f"no noise on {msm}"


def test_ssh_dropped_during_a_command(chassis):
    """A show command cut off is sent again on a new connection; a configuration command is not."""
    chassis.control.drop_ssh("show switch")
    mark = chassis.transcript_mark(SSH)

    with within(chassis.deadline("command")):
        assert check_sync(chassis).in_sync

    seen = chassis.transcript_since(SSH, mark)
    assert "'show switch' cut off (DeviceRebooted); sending it again" in seen
    assert seen.index("SysName:") < seen.index("cut off"), "the output before the drop is not in the transcript"
    chassis.control.drop_ssh("create vlan")
    try:
        with raises_within(chassis.deadline("command"), DeviceRebooted, "dropped the session while running"):
            chassis.run(SSH, "create vlan hil_dropped")
        assert chassis.transcript_since(SSH, mark).count("> create vlan hil_dropped") == 1
    finally:
        chassis.run(SSH, "delete vlan hil_dropped")


def test_wrong_credentials_are_login_failed(chassis):
    """Logins refused: LoginFailed naming the user and what to check, on SSH and console alike."""
    chassis.close()  # log out: every session must log in again
    chassis.control.wrong_credentials()
    mark = chassis.transcript_mark(MSMS[0])

    with raises_within(chassis.deadline("connect"), LoginFailed, "login refused for user 'admin'") as ssh:
        check_sync(chassis)
    with raises_within(
        chassis.deadline("boot"), LoginFailed, "login incorrect for user 'admin'; check the user name and password"
    ) as console:
        chassis.session(MSMS[0])

    assert "Login incorrect" in chassis.transcript_since(MSMS[0], mark)
    password = chassis.access.credentials.password
    if password:
        assert password not in str(ssh.value) + str(console.value)


def test_pending_aaa_after_boot_waits_for_aaa(chassis):
    """After the failover reboot the old master's console is (pending-AAA): the harness waits."""
    old = check_sync(chassis).master
    chassis.control.pending_aaa(seconds=60)
    mark = chassis.transcript_mark(old)

    with within(chassis.deadline("failover")):
        outcome = relinquish_primary(chassis)

    assert outcome.completed, outcome.conclusion
    seen = chassis.transcript_since(old, mark)
    pending = seen.index("(pending-AAA) login:")
    available = seen.index("Authentication Service (AAA) on the master node is now available for login.")
    assert pending < available
    assert "> admin" not in seen[pending:available], "the harness typed a login before AAA was available"
    assert "> admin" in seen[available:]
    assert backup_in_sync(old)(chassis.learn_roles())
