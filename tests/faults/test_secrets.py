"""No secret in any output: a full run with a known non-empty password, then every file it
produced (reports, transcripts, JUnit, HTML, emulator log, known_hosts) and everything it
printed are searched for the password."""

import os
import subprocess
import sys

SECRET = "Hil-s3cret-Pa55w0rd"
TESTBED = """
chassis:
  vsecret:
    type: virtual
    credentials: {username: admin, password: "${HIL_TEST_SECRET}"}
    virtual: {speed: 100}
"""
PLANS = "step3 or wrong_credentials or ssh_dropped"


def test_the_password_appears_in_no_output_of_a_full_run(tmp_path):
    (tmp_path / "testbed.yaml").write_text(TESTBED)
    done = subprocess.run([sys.executable, "-m", "harness.cli", "run", "--testbed", "testbed.yaml",
                           "--reports", "reports", "--", "-k", PLANS],
                          cwd=tmp_path, capture_output=True, timeout=300,
                          env={**os.environ, "HIL_TEST_SECRET": SECRET})
    assert done.returncode == 0, done.stdout.decode()[-3000:]
    produced = [p for p in tmp_path.rglob("*") if p.is_file() and p.name != "testbed.yaml"]
    names = {p.relative_to(tmp_path / "reports").as_posix() for p in produced}
    assert {"report.html", "junit.xml", "virtual-vsecret.log",
            "transcripts/vsecret-ssh.log", "transcripts/vsecret-MSM-A.log",
            "transcripts/vsecret-MSM-B.log"} <= names, names
    for path in produced:
        assert SECRET.encode() not in path.read_bytes(), f"the password is in {path}"
    assert SECRET.encode() not in done.stdout + done.stderr
    typed = (tmp_path / "reports" / "transcripts" / "vsecret-MSM-A.log").read_text()
    assert "> ********\\r" in typed, "the password was never typed (masked) on the console"
