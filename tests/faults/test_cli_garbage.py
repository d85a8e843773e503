"""The emulator's CLI fed garbage (very long lines, control characters, binary, a flood) keeps
serving its other sessions, and then the flooded console too."""

import random
import threading

from harness.lab.chassis import MSMS, SSH, Chassis, ChassisAccess
from harness.testbed.schema import Credentials
from tests.virtual_chassis.vc_helpers import Emulator, RawConsole

FLOOD = 256 * 1024


def garbage(rng):
    """Very long lines, every control character, binary, unterminated escapes, in pieces."""
    yield b"A" * 100_000 + b"\r"                                  # far past the 512-character limit
    yield bytes(range(32)) * 200 + b"\x7f" * 500                 # control characters
    yield b"\x1b[" + b"9" * 5000 + b"\xff\xfa" + b"\x00" * 5000  # escapes that never end
    sent = 0
    while sent < FLOOD:                                           # binary, as fast as it goes
        chunk = bytes(rng.randrange(256) for _ in range(8192))
        sent += len(chunk)
        yield chunk


def test_garbage_on_one_console_and_ssh_does_not_stop_the_other_sessions(tmp_path):
    with Emulator("--speed", "1000") as e:
        consoles = {m: e.endpoints["consoles"][m]["tcp"] for m in MSMS}
        access = ChassisAccess("vgarbage", "virtual", "127.0.0.1", e.endpoints["ssh"]["port"], consoles,
                               Credentials("admin", ""), tmp_path / "known_hosts", time_scale=0.001)
        chassis = Chassis(access, tmp_path / "transcripts")
        chassis.session(SSH), chassis.session("MSM-B")
        rude = Chassis(access, tmp_path / "rude")                # an SSH session that types garbage
        flooded = RawConsole.tcp(e.console_address("MSM-A"))

        def flood() -> None:
            for piece in garbage(random.Random(5)):
                flooded.send(piece)

        flooder = threading.Thread(target=flood)
        flooder.start()
        try:
            answers = 0
            while flooder.is_alive() or answers < 3:
                assert chassis.show_switch(SSH).master == "MSM-A"
                assert chassis.show_switch("MSM-B").backup == "MSM-B"
                answers += 1
            # an emulator busy with a console flood on a loaded machine takes 116 KB of keystrokes
            # slowly (each is line-edited and echoed): the write's deadline is a minute, not 10 s
            rude.session(SSH).transport.write(bytes(range(256)) * 64 + b"A" * 100_000 + b"\r", timeout=60)
            assert chassis.show_switch(SSH).master == "MSM-A"
            rude.close()                                          # a new connection after the garbage
            assert rude.show_switch(SSH).master == "MSM-A"
            flooded.send("\x03\r")
            flooded.login()
            assert "MSM-A       MASTER" in flooded.command("show node")
        finally:
            flooder.join()
            flooded.close()
            chassis.close()
            rude.close()
        assert e.proc.poll() is None, "the emulator died"
