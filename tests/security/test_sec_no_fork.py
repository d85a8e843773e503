"""The OpenSSH client is started without forking this interpreter: no ``os.fork``/``os.forkpty``
(Python 3.12 warns "multi-threaded ... fork()" for each, 17 times a run), while threads run.

A child Python records the audit events ``os.fork`` and ``os.forkpty`` (raised by the
interpreter for every fork it makes in Python), starts a thread, and logs in over the real
OpenSSH client to a real emulator's SSH server.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

from tests.virtual_chassis.vc_helpers import Emulator

CONNECT = textwrap.dedent("""
    import sys, threading, time, warnings
    forks = []
    sys.addaudithook(lambda event, args: forks.append(event) if event in ("os.fork", "os.forkpty") else None)
    warnings.simplefilter("error", DeprecationWarning)
    threading.Thread(target=time.sleep, args=(30,), daemon=True).start()  # a threaded interpreter
    from drivers.deadline import Deadline
    from drivers.session import CliSession
    from drivers.transports.ssh import SshTransport
    ssh = SshTransport("127.0.0.1", int(sys.argv[1]), "admin", "", known_hosts=sys.argv[2],
                       ssh_options=["-o", "HostKeyAlias=no-fork-test"])
    session = CliSession(ssh, "admin", "")
    session.connect(Deadline(30))
    print("prompt", session.prompt.text.strip())
    session.close()
    print("forks", len(forks), forks[:3])
""")


def test_ssh_starts_the_client_without_forking_a_threaded_interpreter(tmp_path):
    emulator = Emulator("--speed", "100")
    try:
        port = emulator.endpoints["ssh"]["port"]
        done = subprocess.run([sys.executable, "-c", CONNECT, str(port), str(tmp_path / "known_hosts")],
                              capture_output=True, text=True, timeout=60)
    finally:
        emulator.stop()
    assert "prompt" in done.stdout, done.stdout + done.stderr
    assert "forks 0 []" in done.stdout, done.stdout + done.stderr
