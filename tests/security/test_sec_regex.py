"""Every regex that sees device text is linear in it: 1 MB of adversarial text within a bound.

Two attacks: each pattern of the modules that read what a device (or OpenSSH in front of it)
prints gets 1 MB texts built to make a backtracking pattern go quadratic (long runs of blanks
after a keyword, a keyword repeated, an unfinished escape...); and the real OpenSSH client is
given a 1 MB line while it connects (a ProxyCommand that prints it on the terminal, as a jump
host or a banner may), in a child process so that a pattern that backtracks is stopped.
"""

from __future__ import annotations

import importlib
import re
import subprocess
import sys
import textwrap
import time

import pytest

#: Modules whose patterns see text from a device or from OpenSSH.
MODULES = (
    "drivers.prompt",
    "drivers.cleaning",
    "drivers.transcript",
    "drivers.transports.ssh",
    "drivers.dialogs",
    "harness.parsers.switch",
    "harness.parsers._text",
    "harness.parsers.node",
    "harness.parsers.version",
    "harness.reporting.excerpt",
    "harness.reporting.merged",
    "harness.firmware.state",
)
SIZE = 1 << 20
#: Seconds one pattern may take over 1 MB (a linear scan takes milliseconds; a quadratic one hours).
BOUND = 2.0


def _fill(head: str, unit: str, tail: str = "x") -> str:
    return head + unit * ((SIZE - len(head) - len(tail)) // len(unit)) + tail


ADVERSARIAL = {
    "password repeated": _fill("", "password"),
    "password for repeated": _fill("", "password for "),
    "blanks after a word": _fill("a", " "),
    "blanks after Rebooting": _fill("Rebooting", " "),
    "dots after BootROM": _fill("BootROM 1", ".", "\n"),
    "label and blanks": _fill("Label", " ", ""),
    "dotted counter": _fill("a", ".1"),
    "unfinished escape": _fill("\x1b[", "0"),
    "log line without end": _fill("01/01/2000 00:00:00.00 <Warn:", "b"),
    "download failures": _fill("", "Failed to download image "),
    "bad images": _fill("", "Source image bad "),
    "pager and blanks": _fill("Press <SPACE> to continue or <Q> to quit:", " "),
    "line ends": _fill("", "\r\n"),
    "colons": _fill("a", ": "),
}


def _patterns() -> list[tuple[str, re.Pattern]]:
    found = []
    for name in MODULES:
        module = importlib.import_module(name)
        for attr, value in vars(module).items():
            if isinstance(value, re.Pattern):
                found.append((f"{name}.{attr}", value))
            elif isinstance(value, tuple):  # tables of patterns (dialogs, refusals)
                for i, item in enumerate(value):
                    for part in item if isinstance(item, tuple) else (getattr(item, "pattern", None),):
                        if isinstance(part, re.Pattern):
                            found.append((f"{name}.{attr}[{i}]", part))
    return found


@pytest.mark.parametrize("kind", sorted(ADVERSARIAL))
def test_each_pattern_that_sees_device_text_takes_1_mb_of_adversarial_text_within_the_bound(kind):
    text = ADVERSARIAL[kind]
    slow = []
    for name, pattern in _patterns():
        subject = text.encode() if isinstance(pattern.pattern, bytes) else text
        for how in ("search", "match", "fullmatch"):
            started = time.perf_counter()
            getattr(pattern, how)(subject)
            took = time.perf_counter() - started
            if took > BOUND:
                slow.append(f"{name}.{how}: {took:.1f}s")
    assert not slow, slow


def test_the_ssh_question_finders_are_linear():
    from drivers.transports.ssh import is_password_question, secret_question

    for text in ADVERSARIAL.values():
        for ending in ("", ":", "jump@bastion's password: "):
            started = time.perf_counter()
            question = secret_question(text + ending)
            if question:
                is_password_question(question)
            assert time.perf_counter() - started < BOUND


CONNECT = textwrap.dedent("""
    import sys, time
    from drivers.deadline import Deadline
    from drivers.errors import ConnectionFailed
    from drivers.transcript import Transcript
    from drivers.transports.ssh import SshTransport
    proxy = sys.argv[1]
    ssh = SshTransport("10.77.0.1", 22, "admin", "Sw1tch-Pw", ssh_options=["-o", "ProxyCommand=" + proxy],
                       transcript=Transcript(None))
    started = time.monotonic()
    try:
        ssh.open(Deadline(6))
        print("OPEN")
    except ConnectionFailed as exc:
        print("FAILED", str(exc).replace("\\n", " "))
    print("TOOK", round(time.monotonic() - started, 2))
""")
#: A ProxyCommand that prints one 1 MB line on the terminal, then (maybe) a question, and waits.
LONG_LINE = textwrap.dedent("""
    import sys, time
    sys.stderr.write("password" * (1 << 17) + sys.argv[1])
    sys.stderr.flush()
    time.sleep(30)
""")


@pytest.mark.parametrize("ending", ["", "jump@bastion's password: "])
def test_a_1_mb_line_while_ssh_connects_ends_within_the_deadline(tmp_path, ending):
    proxy = tmp_path / "long_line.py"
    proxy.write_text(LONG_LINE)
    command = f'{sys.executable} {proxy} "{ending}"'
    try:
        done = subprocess.run([sys.executable, "-c", CONNECT, command], capture_output=True, text=True, timeout=40)
    except subprocess.TimeoutExpired:
        pytest.fail("the connect was still working on the long line after 40 s (deadline: 6 s)")
    took = float(done.stdout.split("TOOK", 1)[1])
    assert took < 12, done.stdout
    if ending:  # the question at the end of the long line is seen, and refused as a jump host's
        assert "not the switch's login" in done.stdout, done.stdout
    else:
        assert "FAILED" in done.stdout or "OPEN" in done.stdout, done.stdout + done.stderr
