"""Secrets under failure: a console reset while the harness types the password, run as a lab
runs it (``hil run`` with ``-l --tb=long``), leaves the password in no output."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from drivers.deadline import Deadline
from drivers.errors import ConnectionLost
from drivers.secret import Secret
from drivers.session import CliSession
from drivers.transcript import Transcript
from drivers.transports.serial import SerialTransport
from tests.security.fake_terminal import FakeTerminalServer
from tests.virtual_chassis.vc_helpers import Emulator

PASSWORD = "Lab-8810-Pa55w0rd"
TOKEN = "Jump-T0ken-from-env"
PLAN = '''
def test_console_login(lab, testbed):
    print("testbed as a plan sees it:", testbed)
    lab.chassis.session("MSM-A")
'''


def lab_testbed(console: str, other_port: int) -> str:
    return f"""
chassis:
  lab1:
    type: real
    management: {{host: "${{HIL_SEC_HOST}}", port: {other_port}}}
    consoles: {{MSM-A: "{console}", MSM-B: "socket://localhost:{other_port}"}}
    credentials: {{username: admin, password: "${{HIL_SEC_PASSWORD}}"}}
    ssh_options: ["-o", "SetEnv=LABTOKEN=${{HIL_SEC_TOKEN}}"]
"""


def test_a_console_reset_while_the_password_is_typed_leaks_it_nowhere(tmp_path):
    (tmp_path / "plans").mkdir()
    (tmp_path / "plans" / "test_reset_plan.py").write_text(PLAN)
    emulator = Emulator("--speed", "100")  # a real SSH server at the management address: it passes the preflight
    try:
        with FakeTerminalServer("reset") as console:
            (tmp_path / "testbed.yaml").write_text(lab_testbed(console.url, emulator.endpoints["ssh"]["port"]))
            done = subprocess.run(
                [sys.executable, "-m", "harness.cli", "run", "--testbed", "testbed.yaml", "--plans", "plans",
                 "--reports", "reports", "--", "-l", "--tb=long", "-vv", "-p", "no:randomly"],
                cwd=tmp_path, capture_output=True, timeout=120,
                env={**os.environ, "HIL_SEC_PASSWORD": PASSWORD, "HIL_SEC_TOKEN": TOKEN, "HIL_SEC_HOST": "127.0.0.1"},
            )
    finally:
        emulator.stop()
    output = done.stdout + done.stderr
    assert done.returncode == 1, output.decode()[-3000:]
    assert b"cannot write to console" in output, "the reset did not hit the password write"
    assert b"Secret('********')" in output, "the traceback did not show the written secret's frame"
    produced = [p for p in (tmp_path / "reports").rglob("*") if p.is_file()]
    assert {"junit.xml", "report.html"} <= {p.name for p in produced}
    for path in produced:
        for value in (PASSWORD, TOKEN):
            assert value.encode() not in path.read_bytes(), f"{value} is in {path}"
    for value in (PASSWORD, TOKEN):
        assert value.encode() not in output, f"{value} is in the output of hil run"
    assert b"SetEnv=LABTOKEN=********" in output, "the masking wall did not mask the ${VAR} value"
    assert b"SSH ********:" in output, "the chassis line on the terminal shows the ${VAR} address"


def test_the_password_write_holds_no_plaintext_in_any_frame():
    """The ConnectionLost of a reset password write: no frame of its traceback has a local
    (argument or variable) whose repr shows the password, and no chained exception is shown."""
    with FakeTerminalServer("reset") as console:
        session = CliSession(SerialTransport(console.url), "admin", PASSWORD, transcript=Transcript(None))
        with pytest.raises(ConnectionLost) as caught:
            session.connect(Deadline(20))
    assert caught.value.__suppress_context__ and caught.value.__cause__ is None
    shown = []
    tb = caught.value.__traceback__
    while tb is not None:
        shown += [repr(value) for value in tb.tb_frame.f_locals.values()]
        tb = tb.tb_next
    assert shown and not [text for text in shown if PASSWORD in text]
    assert session.transcript is not None  # the session was given one
    assert PASSWORD not in session.transcript.text() and "> ********\\r" in session.transcript.text()


def test_a_secret_prints_masked_everywhere():
    secret = Secret(PASSWORD) + "\r"
    for text in (repr(secret), str(secret), f"{secret}", f"{secret!r}", f"{secret:>30}"):
        assert PASSWORD not in text
    assert secret.shown() == "********\r" and Secret("").shown() == ""
    with pytest.raises(TypeError):
        __import__("pickle").dumps(secret)


def test_every_report_part_is_masked():
    """The wall's parts one by one: failure text, captured sections, JUnit properties, HTML extras."""
    from harness.plugin.masking import mask_report

    report = pytest.TestReport(
        "plan.py::test", ("plan.py", 1, "test"), {}, "failed", f"E   data = {PASSWORD!r}", "call",
        sections=[("Captured stdout call", f"typed {PASSWORD}")],
        user_properties=[("seen", f"{TOKEN} at login"), ("count", 3)],
    )
    # pytest-html's attribute, which TestReport does not declare (its hooks set it the same way)
    report.extras = [{"name": "transcript", "content": f"<pre>{TOKEN}</pre>", "format_type": "html"}]  # type: ignore[attr-defined]
    mask_report(report, (PASSWORD, TOKEN))
    shown = repr((str(report.longrepr), report.sections, report.user_properties, report.extras))
    assert PASSWORD not in shown and TOKEN not in shown and shown.count("********") == 4
    assert ("count", 3) in report.user_properties
