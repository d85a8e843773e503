"""Property tests: prompt detection and the session fed arbitrary device output, in arbitrary
chunks down to one byte at a time. Every function returns its kind of answer, and a command
either completes or raises one of the project's own errors, never anything else."""

from __future__ import annotations

from itertools import pairwise

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from drivers import CliSession, HilError, Transcript
from drivers.cleaning import LineSplitter, clean_output, resolve_line, split_log
from drivers.dialogs import find_dialog
from drivers.errors import ConnectionLost
from drivers.inbox import Inbox
from drivers.prompt import Prompt, at_pager, find_login, find_prompt, is_boot_line
from drivers.secret import plain

FAST = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PIECES = ["\r\n", "\r", "\n", "XCM8810.3 # ", "* XCM8810.12 > ", "login: ", "password: ",
          "(pending-AAA) login: ", "Press <SPACE> to continue or <Q> to quit:", "(y/N) ",
          "Rebooting ...", "11/25/2026 10:40:01.23 <Info:DM.Info> MSM-A: text", "\x1b[K", "\x00", "Error: x"]
DEVICE_TEXT = st.lists(st.sampled_from(PIECES) | st.text(max_size=20), max_size=25).map("".join)


def chunks_of(data, cuts: list[int]):
    points = sorted({c % (len(data) + 1) for c in cuts} | {0, len(data)})
    return [data[a:b] for a, b in pairwise(points)]


@FAST
@given(DEVICE_TEXT | st.text())
def test_every_detector_answers_any_text(text):
    prompt = find_prompt(text)
    assert prompt is None or (isinstance(prompt, Prompt) and prompt.text in text)
    assert find_login(text) in (None, "login", "pending-aaa", "password")
    assert isinstance(at_pager(text), bool) and isinstance(is_boot_line(text), bool)
    dialog = find_dialog(text)
    assert dialog is None or dialog.answer in ("y", "n", "")
    line = resolve_line(text)
    assert "\r" not in line and "\x1b" not in line
    before, log = split_log(line)
    assert log is None or (log in line and line.startswith(before))
    cleaned = clean_output(text, "show switch")
    assert all(isinstance(line, str) for line in (*cleaned.log_lines, *cleaned.errors))


@FAST
@given(st.binary(max_size=300), st.lists(st.integers(min_value=0, max_value=300), max_size=30))
def test_received_bytes_decode_and_split_the_same_whatever_the_chunking(data, cuts):
    inbox, lines = Inbox(), []
    for chunk in chunks_of(data, cuts):
        lines += inbox.add(chunk)
    whole = Inbox()
    assert lines == whole.add(data) and inbox.text == whole.text


@FAST
@given(DEVICE_TEXT)
def test_one_character_at_a_time_gives_the_same_lines(text):
    splitter = LineSplitter()
    assert [line for char in text for line in splitter.feed(char)] == LineSplitter().feed(text)


@FAST
@given(DEVICE_TEXT, st.lists(st.integers(min_value=0, max_value=500), max_size=20))
def test_a_prompt_after_any_output_is_found_once_it_is_complete(text, cuts):
    stream = text + "\r\nXCM8810.9 # "
    buffer = ""
    for chunk in chunks_of(stream, cuts):
        buffer += chunk
        find_prompt(buffer), find_login(buffer), at_pager(buffer)
    prompt = find_prompt(buffer)
    assert prompt is not None and prompt.counter == 9


class _Replay:
    """An in-memory console: a prompt at once, then one scripted answer per line sent, each
    delivered in the given chunks (a real device's timing is what the other driver tests use)."""

    kind, name = "console", "replay"
    transcript: Transcript | None = None

    def __init__(self, answers: list[list[bytes]]):
        self.answers, self.pending, self.is_open = list(answers), [b"\r\nXCM8810.1 # "], False

    def open(self, deadline) -> None:
        self.is_open = True

    def read(self, timeout: float) -> bytes:
        if not self.pending and timeout > 0:   # waiting for what will never come: end it at once
            raise ConnectionLost("replay: the device has nothing more to say")
        return self.pending.pop(0) if self.pending else b""

    def write(self, data, timeout: float = 10.0) -> None:
        data = plain(data)
        if data.endswith(b"\r") and data.strip() and self.answers:   # a bare Enter gets nothing
            self.pending += self.answers.pop(0)

    def close(self) -> None:
        self.is_open = False


def run_on_replay(body: bytes, prompted: bool, cuts: list[int]):
    """``show switch`` on a session whose device answers ``body`` (then a prompt if ``prompted``)."""
    output = b"show switch\r\n" + body + (b"\r\nXCM8810.3 # " if prompted else b"")
    chunks = chunks_of(output, cuts) if cuts else [output[i:i + 1] for i in range(len(output))]
    session = CliSession(_Replay([[b"disable clipaging\r\nXCM8810.2 # "], chunks]))
    session.connect(2.0)
    return session.run("show switch", timeout=2.0)


@FAST
@given(st.binary(max_size=200) | DEVICE_TEXT.map(str.encode), st.booleans(),
       st.lists(st.integers(min_value=0, max_value=300), max_size=20))
def test_a_command_on_any_output_completes_or_raises_a_project_error(body, prompted, cuts):
    try:
        result = run_on_replay(body, prompted, cuts)
    except HilError:
        return
    assert isinstance(result.output, str) and result.command == "show switch"


PLAIN = st.text(st.characters(whitelist_categories=("Lu", "Ll", "Nd"), max_codepoint=127) | st.sampled_from(" :-()"),
                max_size=40)


@FAST
@given(st.lists(PLAIN, max_size=12), st.lists(st.integers(min_value=0, max_value=600), max_size=30))
def test_plain_output_in_any_chunks_comes_back_exactly(lines, cuts):
    assume(not any(is_boot_line(line) for line in lines))  # "Rebooting" is a reboot, not plain output
    body = "\r\n".join(lines)
    result = run_on_replay(body.encode(), True, cuts)
    assert result.ok and result.prompt.counter == 3
    assert result.output == clean_output(body + "\r\nXCM8810.3 # ", "show switch").output
