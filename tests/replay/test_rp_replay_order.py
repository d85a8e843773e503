"""``hil virtual --replay`` serves a recording in order: the n-th command gets the n-th recorded
answer after the recorded time (divided by the speed factor), then what followed it (boot
text, a closed connection); a command off the path gets the syntax error and the replay says
where the run left the recording. Fed the stored recorded failover, byte by byte."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from virtual_chassis.replay.recorded import load
from virtual_chassis.replay.session import INVALID, Cursor, ReplaySession
from virtual_chassis.replay.track import REBOOTED

CASE = Path(__file__).resolve().parent / "cases" / "failover"
SPEED = 4.0


class Device:
    """One replay session with a clock: ``schedule`` queues, :meth:`run_due` runs in time order."""

    def __init__(self, session: str):
        self.track = load(sorted(CASE.glob("*.jsonl")))[session]
        self.reports: list[str] = []
        self.out = bytearray()
        self.delays: list[float] = []
        self.queue: list[tuple[float, int, Callable[[], object]]] = []
        self.now = 0.0
        self.events: list[str] = []
        self.session = ReplaySession(
            Cursor(self.track, self.reports.append),
            self.out.extend,
            self.schedule,
            on_exit=lambda: self.events.append("closed"),
            on_reboot=lambda: self.events.append("login"),
            speed=SPEED,
        )

    def schedule(self, delay: float, callback) -> None:
        self.delays.append(delay)
        self.queue.append((self.now + delay, len(self.queue), callback))

    def run_due(self) -> None:
        while self.queue:
            self.queue.sort(key=lambda item: (item[0], item[1]))
            when, _, callback = self.queue.pop(0)
            self.now = max(self.now, when)
            callback()

    def type(self, line: str) -> str:
        self.out.clear()
        for byte in (line + "\r").encode():
            self.session.feed(bytes([byte]))
        self.run_due()
        return self.out.decode()


def test_the_nth_show_switch_gets_the_nth_recorded_answer_after_its_recorded_time():
    device = Device("ssh")
    device.session.start()
    served = []
    for step in device.track.steps:
        if device.session.closed:  # the recorded device closed the connection: the client comes back
            device.session = ReplaySession(device.session.cursor, device.out.extend, device.schedule, speed=SPEED)
            device.session.start()
        device.delays.clear()
        answer = device.type(step.command)
        assert step.output in answer and answer.endswith(step.prompt or "")
        assert device.delays[0] == step.delay / SPEED
        served += [answer] if step.command == "show switch" else []
    recorded = [s.output for s in device.track.steps if s.command == "show switch"]
    assert len(served) == len(recorded) > 10 and all(r in a for r, a in zip(recorded, served, strict=True))
    assert any("MASTER" in a.split("Current State:")[1].split()[0] for a in served)
    assert any("BACKUP" in a.split("Current State:")[1].split()[0] for a in served)  # the failover shows
    assert device.events == ["closed"]  # the first connection closed where the recorded one was
    assert device.reports == []


def test_a_console_reboots_with_its_recorded_boot_text_then_asks_login():
    device = Device("MSM-A")
    device.session.start()
    for step in device.track.steps:
        answer = device.type(step.command)
        if step.end == REBOOTED and step.command.startswith("run msm-failover"):
            assert "Rebooting" in answer and "BootROM" in answer, answer
            assert device.events == ["login"]
            return
    raise AssertionError("the recording has no failover on MSM-A")


def test_a_command_off_the_path_is_a_syntax_error_and_the_replay_says_where():
    device = Device("MSM-B")
    device.session.start()
    first = device.track.steps[0]
    answer = device.type("show fabric")
    assert INVALID in answer
    where = f"MSM-B: the run left the recording at step 1 of {len(device.track.steps)} ({device.track.path} line {first.line})"
    assert device.reports == [f"{where}: expected {first.command!r}, got 'show fabric'"]
    assert f"% replay: {where}" in answer
    assert first.output in device.type(first.command)  # the path goes on where it was left


def test_a_poll_past_the_recorded_answers_gets_the_last_one_again():
    """The device stays as last recorded: a ``show`` repeated where the recording goes on
    with another command gets its last answer again (a poll that lasts longer than the recorded one)."""
    device = Device("ssh")
    device.session.start()
    steps = device.track.steps
    last = next(i for i in range(len(steps) - 1) if steps[i].command == "show switch" != steps[i + 1].command)
    for step in steps[: last + 1]:
        device.type(step.command)
    assert steps[last].output in device.type("show switch")
    assert device.reports == []
    assert steps[last + 1].output in device.type(steps[last + 1].command)  # and the path goes on
