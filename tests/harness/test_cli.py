"""``hil`` end to end against the virtual chassis: run, check, failover, virtual, bad testbeds."""

import json
import re
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

import pytest

from drivers.deadline import Deadline

HIL = [sys.executable, "-m", "harness.cli"]


def hil(*args, cwd, timeout=120):
    return subprocess.run([*HIL, *args], cwd=cwd, capture_output=True, text=True, timeout=timeout)


def _child(element: ET.Element, tag: str) -> ET.Element:
    """``element``'s child ``tag`` (fails the test when it has none)."""
    found = element.find(tag)
    assert found is not None, f"<{element.tag}> has no <{tag}>"
    return found


def _attr(element: ET.Element, name: str) -> str:
    """``element``'s attribute ``name`` (fails the test when it has none)."""
    value = element.get(name)
    assert value is not None, f"<{element.tag}> has no {name}="
    return value


def test_hil_run_passes_every_plan_and_writes_the_three_outputs(tmp_path):
    done = hil("run", "--reports", str(tmp_path / "reports"), cwd=tmp_path, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    reports = tmp_path / "reports"
    root = ET.parse(reports / "junit.xml").getroot()
    suite = root if root.tag == "testsuite" else _child(root, "testsuite")
    assert int(_attr(suite, "tests")) >= 8 and suite.get("failures") == suite.get("errors") == "0"
    skipped = [c.get("classname") for c in suite.iter("testcase") if c.find("skipped") is not None]
    assert skipped == ["testplans.test_soak"] * 2, skipped  # the soak runs only when asked
    assert "Timeline" in (reports / "report.html").read_text()
    names = {p.name for p in (reports / "transcripts").iterdir()}
    assert {"virtual-ssh.log", "virtual-MSM-A.log", "virtual-MSM-B.log", "virtual.log"} <= names
    # progress with the time since the run began; heartbeats during long waits
    assert re.search(r"^\+\s+\d+\.\d s  virtual  failover sent run msm-failover on MSM-A$", done.stdout, re.M)
    assert re.search(r"^\+\s+\d+\.\d s  virtual  waiting \d+ s of \d+ s for .*; last seen: ", done.stdout, re.M)
    # reports/ holds one run: the built images are links into the cache, the release is restored
    served = list((reports / "tftp" / "virtual").iterdir())
    assert served and all(p.is_symlink() for p in served)
    assert "chassis virtual: put back on 12.4.2.8" in done.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reports"], "a stray file next to the reports"


def test_hil_check_shows_roles_and_sync_over_every_endpoint(tmp_path):
    done = hil("check", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    for where in ("ssh", "MSM-A", "MSM-B"):
        assert f"ok    {where}" in done.stdout
    assert "verdict: in sync: MSM-A MASTER, MSM-B BACKUP (In Sync)" in done.stdout


def test_hil_failover_runs_the_procedure_and_writes_junit(tmp_path):
    junit = tmp_path / "failover.xml"
    done = hil("failover", "--junit", str(junit), cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "failover done: MSM-B is MASTER, MSM-A is BACKUP (In Sync)" in done.stdout
    cases = [c.get("name") for c in ET.parse(junit).iter("testcase")]
    assert cases == ["show switch: are the nodes in sync", "run failover"]
    props = {p.get("name"): p.get("value") for p in ET.parse(junit).iter("property")}
    assert {"phase management SSH back offset (s)", "phase SSH outage duration (s)"} <= set(props)
    # one figure, one meaning: the old master's boot (rebooting -> login:) on the emulator's clock,
    # the emulator's shutdown 5 s + boot 90 s whatever the host's load, on the terminal and in JUnit
    assert "old master at login MSM-A (old master boot 95.0 s)" in done.stdout
    assert props["phase old master boot duration (s)"] == "95.000"


@pytest.mark.parametrize("text, expected", [
    ("chassis: [unclosed", "testbed.yaml: (yaml)"),
    ("chassis:\n  lab1:\n    type: virtual\n    speeed: 3\n", "chassis.lab1"),
])
def test_a_broken_testbed_exits_2_with_one_clear_line(tmp_path, text, expected):
    (tmp_path / "testbed.yaml").write_text(text)
    for command in ("run", "check", "failover"):
        done = hil(command, "--testbed", "testbed.yaml", cwd=tmp_path)
        assert done.returncode == 2, done.stderr
        assert done.stderr.startswith("hil: ") and expected in done.stderr
        assert len(done.stderr.strip().splitlines()) == 1


def test_hil_virtual_prints_the_json_line_and_how_to_reach_it(tmp_path):
    child = subprocess.Popen([*HIL, "virtual", "--", "--speed", "1000"], cwd=tmp_path,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None and child.stderr is not None  # Popen(stdout=PIPE, stderr=PIPE)
        endpoints = json.loads(child.stdout.readline())
        assert set(endpoints) >= {"name", "ssh", "consoles", "control", "username"}
        person = [child.stderr.readline()]
        while person[-1] and "control channel" not in person[-1]:
            person.append(child.stderr.readline())
        line = {words.split(":")[0].strip(): words for words in person}  # each line by what it names
        assert f"ssh -p {endpoints['ssh']['port']} admin@127.0.0.1" in line["management SSH"]
        assert "-m serial.tools.miniterm socket://127.0.0.1:" in line["MSM-A console"]
        assert "miniterm /dev/pts/" in line["MSM-B console"]
        assert "telnet" not in "".join(person) and "picocom" not in "".join(person)
    finally:
        child.send_signal(signal.SIGINT)
        assert child.wait(Deadline(15).remaining()) in (0, -signal.SIGINT)


def test_hil_run_n2_gives_each_worker_a_virtual_chassis_of_its_own(tmp_path):
    plans = tmp_path / "plans"
    plans.mkdir()
    (plans / "test_spread.py").write_text(
        "import pytest\n"
        "@pytest.mark.parametrize('number', range(4))\n"
        "def test_show_switch(chassis, number):\n"
        "    assert chassis.show_switch().master == 'MSM-A'\n")
    done = hil("run", "-n", "2", "--plans", str(plans), "--reports", str(tmp_path / "reports"), cwd=tmp_path)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "4 passed" in done.stdout
    names = {p.name for p in (tmp_path / "reports" / "transcripts").iterdir()}
    assert names and names <= {"virtual-gw0-ssh.log", "virtual-gw1-ssh.log", "virtual-gw0.log", "virtual-gw1.log"}, names


def test_hil_says_its_version_and_bare_hil_prints_help(tmp_path):
    version = hil("--version", cwd=tmp_path)
    assert version.returncode == 0 and re.fullmatch(r"hil \d+\.\d+\.\d+\n", version.stdout)
    bare = hil(cwd=tmp_path)
    assert bare.returncode == 0 and "usage: hil" in bare.stdout and "hil: run the plans" in bare.stdout
    assert all(command in bare.stdout for command in ("run", "virtual", "check", "failover", "soak", "replay"))


def test_hil_virtual_help_lists_the_emulators_options_and_run_help_the_pool(tmp_path):
    virtual = hil("virtual", "--help", cwd=tmp_path)
    assert virtual.returncode == 0, virtual.stderr
    for option in ("--speed", "--version-a", "--tftp-port", "--baud"):
        assert option in virtual.stdout
    run = hil("run", "--help", cwd=tmp_path)
    assert "Run the test plans" in run.stdout and "Exit status" in run.stdout
    for option in ("--lock-dir", "--pool-wait", "--pool-full", "-n N", "--require-hardware"):
        assert option in run.stdout


CHECKED = """chassis:
  lab1:
    type: real
    management: {{host: 127.0.0.1, port: {ssh}}}
    consoles: {{MSM-A: "socket://127.0.0.1:{a}", MSM-B: "socket://127.0.0.1:{b}"}}
    known_hosts: known_hosts
    credentials: {{username: admin, password: {password}}}
"""


def _checked(tmp_path, emulator, password):
    (tmp_path / "tb.yaml").write_text(CHECKED.format(
        ssh=emulator.endpoints["ssh"]["port"], a=emulator.console_address("MSM-A")[1],
        b=emulator.console_address("MSM-B")[1], password=password))
    done = hil("check", "--testbed", "tb.yaml", "--timeout", "10", "--json", cwd=tmp_path)
    return done, json.loads(done.stdout.strip().splitlines()[-1])


def test_hil_check_exit_statuses_a_ci_can_gate_on(tmp_path):
    """0 in sync; 3 reachable but not in sync; 2 unusable (a refused login on every endpoint,
    each one tried); ``--json`` says the same."""
    from tests.virtual_chassis.vc_helpers import Emulator
    from virtual_chassis.api import ControlClient

    emulator = Emulator("--speed", "1000", "--password", "pw")
    try:
        done, seen = _checked(tmp_path, emulator, "pw")
        assert done.returncode == 0, done.stdout + done.stderr
        assert (seen["status"], seen["exit"]) == ("in sync", 0)
        assert all(e["ok"] for e in seen["chassis"][0]["endpoints"].values())

        control = emulator.endpoints["control"]
        control = ControlClient(control["host"], control["port"], control["token"])
        control.set_version("MSM-B", "12.3.4.2")  # another major.minor: no checkpointing
        deadline = Deadline(30)
        while control.status()["msms"]["MSM-B"]["display"] != "BACKUP" or control.status()["msms"]["MSM-B"][
                "booted_version"] != "12.3.4.2":
            assert not deadline.expired, control.status()["msms"]
            time.sleep(0.05)
        done, seen = _checked(tmp_path, emulator, "pw")
        assert done.returncode == 3, done.stdout + done.stderr
        assert seen["status"] == "not in sync"
        assert seen["chassis"][0]["verdict"].startswith("not in sync: incompatible software"), seen

        done, seen = _checked(tmp_path, emulator, "wrong")
        assert done.returncode == 2, done.stdout + done.stderr
        endpoints = seen["chassis"][0]["endpoints"]
        assert sorted(endpoints) == ["MSM-A", "MSM-B", "ssh"], endpoints  # every endpoint tried
        assert not any(e["ok"] for e in endpoints.values())
        assert all(("login refused" in e["detail"] or "login incorrect" in e["detail"]) for e in endpoints.values()), endpoints
        assert "Traceback" not in done.stderr and "wrong" not in done.stdout.replace("wrong)", "")
    finally:
        emulator.stop()


def test_hil_check_tries_every_endpoint_of_an_unreachable_chassis(tmp_path, free_port):
    (tmp_path / "tb.yaml").write_text(CHECKED.format(ssh=free_port(), a=free_port(), b=free_port(), password="x"))
    done = hil("check", "--testbed", "tb.yaml", "--timeout", "3", cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    for where in ("ssh", "MSM-A", "MSM-B"):
        assert f"FAIL  {where}" in done.stdout, done.stdout
    assert "hil check: unusable (exit 2)" in done.stdout
    help_text = hil("check", "--help", cwd=tmp_path).stdout
    assert "0 every chassis in sync" in help_text and "3 reachable but not in sync" in help_text
    assert "2 unusable" in help_text and "--json" in help_text


def test_hil_failover_with_a_refused_login_is_one_line_and_status_2(tmp_path):
    from tests.virtual_chassis.vc_helpers import Emulator

    emulator = Emulator("--speed", "1000", "--password", "pw")
    try:
        (tmp_path / "tb.yaml").write_text(CHECKED.format(
            ssh=emulator.endpoints["ssh"]["port"], a=emulator.console_address("MSM-A")[1],
            b=emulator.console_address("MSM-B")[1], password="wrong"))
        done = hil("failover", "--testbed", "tb.yaml", "--junit", "out/j.xml", cwd=tmp_path)
    finally:
        emulator.stop()
    assert done.returncode == 2, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("hil: ") and "login refused" in lines[0], done.stderr
