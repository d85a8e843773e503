"""Fault injection in the model and the endpoints, armed through the control channel's ops."""

import json
import re

import pytest

from drivers.cleaning import clean_output
from tests.virtual_chassis.vc_helpers import Bench, Emulator, RawConsole
from virtual_chassis.cli.login import AAA_AVAILABLE, Accounts, LoginDialog
from virtual_chassis.endpoints.control import ControlServer
from virtual_chassis.model.faults import FAULT_OPS

TOKEN = "t0ken"


class ControlledBench(Bench):
    """A model bench with the control channel's request handler on its chassis."""

    def __init__(self) -> None:
        super().__init__()
        self.control = ControlServer(self.chassis, TOKEN, "XCM8810")


@pytest.fixture
def bench():
    b = ControlledBench()
    yield b
    b.close()


def ask(bench, op, **args):
    answer = bench.control.handle(json.dumps({"token": TOKEN, "op": op, **args}))
    assert answer.pop("ok"), answer["error"]
    return answer


def refused(bench, op, **args):
    answer = bench.control.handle(json.dumps({"token": TOKEN, "op": op, **args}))
    assert answer["ok"] is False
    return answer["error"]


def pct(bench, process):
    return next(r.pct for r in bench.chassis.checkpoint_progress() if r.name == process)


def test_fault_ops_need_the_token_and_good_arguments(bench):
    for op in FAULT_OPS:
        answer = bench.control.handle(json.dumps({"token": "wrong", "op": op, "seconds": 5,
                                                  "process": "vlan"}))
        assert answer == {"ok": False, "error": "wrong or missing token: use the token the emulator printed"}
    assert ask(bench, "status")["faults"] == []
    assert "Unknown process" in refused(bench, "stall_checkpoint", process="nosuch")
    assert "from 0 to 99" in refused(bench, "stall_checkpoint", process="vlan", percent=100)
    assert "Unknown MSM" in refused(bench, "slow_boot", seconds=5, msm="C")
    assert "rate" in refused(bench, "console_noise", rate=0)
    assert "bad arguments" in refused(bench, "slow_boot")
    assert "clear_faults" in refused(bench, "explode")


def test_stalled_checkpoint_never_completes_until_cleared(bench):
    ask(bench, "stall_checkpoint", process="vlan", percent=40)
    bench.wait(lambda: bench.state("B") == "BACKUP", what="MSM-B back as backup")
    bench.run_for(2000)                       # far longer than a whole bulk checkpoint
    assert bench.state("B") == "BACKUP" and pct(bench, "vlan") == 40
    assert pct(bench, "cfgmgr") == 100 and pct(bench, "fdb") == 0   # before and after in order
    assert ask(bench, "status")["faults"] == ["stall_checkpoint"]
    assert ask(bench, "clear_faults") == {"cleared": ["stall_checkpoint"]}
    bench.wait_states("MASTER", "BACKUP (In Sync)")


def test_backup_removed_in_the_middle_of_synchronize(bench):
    ask(bench, "remove_backup_during_synchronize")
    bench.chassis.synchronize("A")
    msm_b = bench.chassis.msm("B")
    bench.wait(lambda: msm_b.state.value == "DOWN" and not msm_b.sync_pending, what="MSM-B removed")
    assert bench.state("B") == "OFF"
    assert ("INIT", "DOWN", "power off") in bench.events("B")
    assert bench.chassis.msm("B").images["secondary"] == "12.4.1.5"  # the copy never finished
    assert ask(bench, "status")["faults"] == []                      # it fired once
    bench.chassis.power("B", "on")
    bench.wait_states("MASTER", "BACKUP (In Sync)")


def test_new_master_fails_during_failover_and_the_old_one_takes_the_role_back(bench):
    ask(bench, "fail_new_master")
    bench.chassis.failover("A")
    assert (bench.state("A"), bench.state("B")) == ("DOWN", "FAIL")
    logs = [n.data["text"] for n in bench.notices if n.kind == "log"]
    assert any("MSM-B changed state to FAIL" in text for text in logs)
    bench.wait_states("MASTER", "FAIL")
    bench.run_for(200)
    assert bench.state("B") == "FAIL"
    ask(bench, "clear_faults")
    bench.wait_states("MASTER", "BACKUP (In Sync)")


def test_old_master_stays_down_after_failover_until_cleared(bench):
    ask(bench, "old_master_stays_down")
    bench.chassis.failover("A")
    bench.run_for(300)
    assert (bench.state("A"), bench.state("B")) == ("DOWN", "MASTER")
    ask(bench, "clear_faults")
    bench.wait_states("BACKUP (In Sync)", "MASTER")


def test_slow_boot_of_one_msm(bench):
    ask(bench, "slow_boot", msm="A", seconds=1e6)
    bench.chassis.failover("A")
    bench.run_for(400)
    assert (bench.state("A"), bench.state("B")) == ("INIT", "MASTER")
    bench.chassis.reboot_msm("B")             # MSM-A is still booting: no takeover possible
    bench.wait(lambda: bench.state("B") == "MASTER" and bench.chassis.msm("B").boot_count == 2,
               what="MSM-B back at its normal speed")
    assert bench.state("A") == "INIT"
    ask(bench, "clear_faults")                # a slow boot in progress starts over at normal speed
    bench.wait_states("BACKUP (In Sync)", "MASTER")


def test_wrong_credentials_refuse_the_right_password_until_cleared(bench):
    accounts = Accounts("admin", "pw", bench.chassis.faults.refuses_logins)
    assert accounts.check("admin", "pw") == "admin"
    ask(bench, "wrong_credentials")
    assert accounts.check("admin", "pw") is None and accounts.check("user", "") is None
    ask(bench, "clear_faults")
    assert accounts.check("admin", "pw") == "admin"


def test_pending_aaa_login_dialog():
    out, logins = bytearray(), []
    dialog = LoginDialog(Accounts(), out.extend, lambda u, p: logins.append(u), pending_aaa=True)
    dialog.start()
    dialog.feed(b"admin\r\r")
    assert out.decode().endswith("Login incorrect\r\n(pending-AAA) login: ")
    assert "Failed to connect to authentication service" in out.decode() and not logins
    out.clear()
    dialog.aaa_available()
    assert out == b"\r\n" + AAA_AVAILABLE + b"\r\nlogin: "
    dialog.feed(b"admin\r\r")
    assert logins == ["admin"]


def test_console_noise_only_between_the_first_and_last_line_break(bench):
    faults = bench.chassis.faults
    ask(bench, "console_noise", msm="A", rate=1.0, seed=3)
    output = "show switch\r\n" + "".join(f"Line {i}:    value {i}\r\n" for i in range(30)) + "XCM8810.2 # "
    noisy = faults.noisy("MSM-A", output.encode())
    assert noisy != output.encode() and faults.noisy("MSM-B", b"a\r\nb\r\nc") == b"a\r\nb\r\nc"
    assert noisy.startswith(b"show switch\r\n") and noisy.endswith(b"\r\nXCM8810.2 # ")
    assert re.search(rb"<(Info|Warn|Noti):\S+> MSM-A: ", noisy)
    text = noisy.decode("utf-8", "replace")
    cleaned = clean_output(text, "show switch")
    assert cleaned.output == clean_output(output, "show switch").output
    assert len(cleaned.log_lines) >= 15


def test_pending_aaa_and_noise_on_a_real_console():
    with Emulator("--speed", "1000") as e:
        control = e.control()
        control.pending_aaa(seconds=300)
        console = RawConsole.tcp(e.console_address("MSM-B"))
        try:
            control.power("MSM-B", "cycle")
            console.expect(r"\(pending-AAA\) login: ")
            console.send("admin\r\r")
            console.expect("Login incorrect")
            console.expect(re.escape(AAA_AVAILABLE.decode()) + r"\r\nlogin: ")
            console.login()
            control.console_noise(msm="MSM-B", rate=1.0)
            out = console.command("show node")
            assert "MSM-B       BACKUP" in out and re.search(r"<\w+:[\w.]+> MSM-B: ", out)
            assert control.clear_faults() == ["console_noise", "pending_aaa"]
            assert "<" not in console.command("show node")
        finally:
            console.close()
