"""What the benchmarks need from the emulator: a large preloaded configuration
(``--config-lines``), consoles paced at a line rate (``--baud``), SSH logins without
delayed-ACK stalls."""

import os
import select
import socket
import time

import pytest

from tests.virtual_chassis.vc_helpers import Bench, Emulator, RawConsole
from virtual_chassis.cli.outputs import show_configuration
from virtual_chassis.cli.preload import other_modules, preload
from virtual_chassis.endpoints.line import PTY_STALE_AFTER
from virtual_chassis.endpoints.pacing import PacedOutput, wire_time
from virtual_chassis.endpoints.ssh import _ack_at_once
from virtual_chassis.model.config import RunningConfig


def test_preloaded_configuration_has_the_asked_length_and_survives_a_failover():
    bench = Bench()
    try:
        preload(bench.chassis, 700)
        master = bench.chassis.msm("A")
        lines = show_configuration(master)
        assert len(lines) == 700
        assert 'configure ports 1:1 display-string "rack01-port01"' in lines
        assert len(set(lines[20:])) == len(lines[20:]), "generated lines repeat"
        bench.chassis.failover("MSM-A")
        bench.wait_states("BACKUP (In Sync)", "MASTER")
        assert show_configuration(bench.chassis.msm("B")) == lines
        assert show_configuration(bench.chassis.msm("A")) == lines, "lost over the reboot"
    finally:
        bench.close()


def test_other_modules_are_kept_verbatim_and_modelled_ones_still_parsed():
    config = RunningConfig(sysname="XCM8810")
    config.create_vlan("lab")
    config.set_vlan_tag("lab", 10)
    config.other_modules = other_modules(12)
    again = RunningConfig.parse(config.render(), "other")
    assert again.render() == config.render()
    assert again.sysname == "XCM8810" and again.vlans["lab"].vid == 10
    assert again.other_modules[:2] == ("#", "# Module hal configuration.")
    assert other_modules(0) == () and other_modules(-5) == ()


class _Loop:
    """Records the deadlines a PacedOutput asks for; runs them when told (no real time).
    It stands in for an asyncio loop with the two methods PacedOutput uses: time() and call_at()."""

    def __init__(self):
        self.now, self.timers = 0.0, []

    def time(self):
        return self.now

    def call_at(self, when, callback, *args):
        self.timers.append((when, callback, args))
        return _Handle()

    def run_next(self, late=0.0):
        when, callback, args = self.timers.pop(0)
        self.now = when + late
        callback(*args)
        return when


class _Handle:
    def cancel(self):
        pass


def test_paced_output_hands_on_each_chunk_when_its_last_byte_leaves_the_wire():
    loop = _Loop()
    got: list[bytes] = []
    paced = PacedOutput(loop, 9600, got.append)  # type: ignore[arg-type]  # _Loop: a stand-in loop
    data = bytes(range(100))
    paced.send(data)
    deadlines = []
    while loop.timers:
        deadlines.append(loop.run_next(late=0.002))   # every timer fires 2 ms late
    assert b"".join(got) == data and paced.pending == 0
    assert all(len(chunk) <= paced.chunk for chunk in got)
    assert deadlines[-1] == pytest.approx(wire_time(100, 9600)), "late timers added up"
    assert wire_time(960, 9600) == pytest.approx(1.0)


def test_paced_output_starts_from_now_after_an_idle_line_and_close_drops_the_queue():
    loop = _Loop()
    got: list[bytes] = []
    paced = PacedOutput(loop, 115200, got.append)  # type: ignore[arg-type]  # _Loop: a stand-in loop
    paced.send(b"x")
    loop.run_next()
    loop.now = 5.0
    paced.send(b"y" * 1000)
    assert loop.timers[0][0] == pytest.approx(5.0 + wire_time(paced.chunk, 115200))
    paced.close()
    assert paced.pending == 0
    with pytest.raises(ValueError):
        PacedOutput(loop, 0, got.append)  # type: ignore[arg-type]  # _Loop: a stand-in loop


@pytest.mark.parametrize("kind", ["tcp", "pty"])
def test_a_5000_line_configuration_arrives_whole_over_each_console(kind):
    with Emulator("--speed", "1000", "--config-lines", "5000") as emulator:
        console = (RawConsole.tcp(emulator.console_address("MSM-A")) if kind == "tcp"
                   else RawConsole.pty(emulator.endpoints["consoles"]["MSM-A"]["pty"]))
        try:
            console.login()
            console.command("disable clipaging")
            lines = console.command("show configuration", timeout=30).splitlines()
            assert len(lines) == 5000 and lines[-1].startswith("create fdb ")
        finally:
            console.close()


def test_a_paced_console_still_delivers_everything_in_order():
    with Emulator("--speed", "1000", "--baud", "115200") as emulator:
        console = RawConsole.tcp(emulator.console_address("MSM-B"))
        try:
            console.login()
            console.command("disable clipaging")
            assert "BACKUP (In Sync)" in console.command("show switch")
        finally:
            console.close()
    with pytest.raises(AssertionError, match="exited"):
        Emulator("--baud", "1234")


class _Connection:
    """The two things _ack_at_once uses of an asyncssh connection."""

    def __init__(self, sock):
        self.sock, self.got = sock, []

    def get_extra_info(self, name):
        return self.sock if name == "socket" else None

    def data_received(self, data, datatype=None):
        self.got.append((data, datatype))


def test_ssh_connections_acknowledge_each_segment_at_once():
    with socket.create_server(("127.0.0.1", 0)) as server:
        client = socket.create_connection(server.getsockname())
        accepted, _ = server.accept()
        with client, accepted:
            conn = _Connection(accepted)
            _ack_at_once(conn)  # type: ignore[arg-type]  # a stand-in with the two members it uses
            accepted.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 0)
            conn.data_received(b"SSH-2.0-OpenSSH_9.2\r\n")
            assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK) == 1
            assert conn.got == [(b"SSH-2.0-OpenSSH_9.2\r\n", None)]


def test_a_pty_nobody_reads_keeps_no_pile_of_old_output():
    with Emulator("--speed", "1000", "--config-lines", "5000") as emulator:
        console = RawConsole.tcp(emulator.console_address("MSM-A"))   # the line's output also goes to its pty
        try:
            console.login()
            console.command("disable clipaging")
            console.command("show configuration", timeout=30)        # 267 kB: the unread pty fills up
            time.sleep(PTY_STALE_AFTER + 0.5)                        # nobody reads the pty meanwhile
            console.command("show switch")                           # new output: the old is dropped
            reader = os.open(emulator.endpoints["consoles"]["MSM-A"]["pty"], os.O_RDONLY | os.O_NONBLOCK)
            try:
                waiting = 0
                while select.select([reader], [], [], 0.2)[0]:
                    waiting += len(os.read(reader, 65536))
            finally:
                os.close(reader)
            assert 0 < waiting < 64 * 1024, waiting
        finally:
            console.close()
