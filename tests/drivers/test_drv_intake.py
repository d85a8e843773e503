"""Intake of any amount of output: the same result however it is cut (one chunk, byte by byte,
large chunks), a bounded tail that never invents a line start, and one long line without a
line break. Speed is measured by ``python -m bench`` (benchmark 6), not here."""

from __future__ import annotations

import pytest

from drivers.cleaning import LineSplitter, split_log
from drivers.inbox import CUT, TAIL_KEEP, Inbox
from drivers.prompt import find_login, find_prompt, is_boot_line, may_hold_event

LOG = "12/01/2026 10:00:00.00 <Warn:HAL.Card.Warning> MSM-B: Node state changed"
OUTPUT = (
    "show configuration\r\n"
    + "".join(f"configure vlan v{n} tag {n}\r\n" for n in range(300))
    + LOG
    + "\r\n"
    + "x" * 20_000
    + " still the same line\r\n"
    + "Rebooting ...\r\n"
    + "y" * 9_000
    + "\r\n* XCM8810.7 # "
)


def cut(text: str, size: int) -> list[bytes]:
    data = text.encode()
    return [data[i : i + size] for i in range(0, len(data), size)]


def feed(chunks: list[bytes]) -> tuple[Inbox, list[str]]:
    """The inbox after ``chunks``, and the log and boot lines it reported (it may report other
    lines of a chunk that held one: the session looks at those two kinds only)."""
    inbox, lines = Inbox(), []
    for chunk in chunks:
        lines += inbox.add(chunk)
    return inbox, [line for line in lines if split_log(line)[1] is not None or is_boot_line(line)]


@pytest.mark.parametrize("size", [1, 7, 4096, 65536, len(OUTPUT)])
def test_the_same_lines_text_and_prompt_however_the_output_is_cut(size):
    whole, whole_lines = feed([OUTPUT.encode()])
    inbox, lines = feed(cut(OUTPUT, size))
    assert lines == whole_lines == [LOG, "Rebooting ..."]
    assert inbox.text == whole.text == OUTPUT
    for box in (inbox, whole):  # how much the tail holds depends on the chunks; how it ends does not
        assert OUTPUT.endswith(box.tail.removeprefix(CUT)) and len(box.tail) > TAIL_KEEP
    assert inbox.size == len(OUTPUT)
    assert find_prompt(inbox.tail) == find_prompt(OUTPUT) is not None
    assert inbox.take() == OUTPUT and inbox.text == "" and inbox.size == 0


def test_the_tail_is_bounded_and_ends_like_the_text():
    inbox, _ = feed(cut(OUTPUT, 1000))
    assert len(inbox.tail) <= 2 * TAIL_KEEP + 1
    assert inbox.tail.startswith(CUT) and OUTPUT.endswith(inbox.tail[1:])


@pytest.mark.parametrize("size", [1, 3, 4096])
def test_a_cut_tail_never_makes_a_prompt_or_login_of_the_middle_of_a_line(size):
    # the last line is longer than the tail: "...xXCM8810.1 # " is not a prompt
    for ending in ("XCM8810.1 # ", "login: "):
        text = "x" * (3 * TAIL_KEEP) + ending
        inbox, _ = feed(cut(text, size))
        assert find_prompt(text) is None and find_login(text) is None
        assert find_prompt(inbox.tail) is None and find_login(inbox.tail) is None
        inbox.add(b"\r\n" + ending.encode())  # the same at a line start is one
        assert (find_prompt(inbox.tail) is not None) or (find_login(inbox.tail) == "login")


def test_what_is_left_after_taking_part_keeps_its_tail():
    inbox, _ = feed(cut(OUTPUT, 4096))
    split = OUTPUT.index("Rebooting")
    assert inbox.take(split) == OUTPUT[:split]
    assert inbox.text == OUTPUT[split:] and inbox.size == len(OUTPUT) - split
    assert OUTPUT.endswith(inbox.tail.lstrip(CUT))
    assert find_prompt(inbox.tail) is not None


@pytest.mark.parametrize("size", [61, 4096, 1 << 20])
def test_one_megabyte_line_without_a_line_break(size):
    line = "z" * (1 << 20)
    splitter, inbox = LineSplitter(), Inbox()
    found = []
    for chunk in cut(line, size):
        found += splitter.feed(chunk.decode())
        inbox.add(chunk)
    assert found == [] and inbox.text == line and len(inbox.tail) <= 2 * TAIL_KEEP + 1
    assert splitter.feed("\r\n") == [line]


@pytest.mark.parametrize("size", [1, 2, 9])
def test_a_log_line_cut_by_chunk_boundaries_after_a_long_line_is_still_reported(size):
    splitter = LineSplitter(only=may_hold_event)
    text = "a" * 5000 + "\r\n" + "b" * 3000 + LOG + "\r\n"
    lines = [line for chunk in cut(text, size) for line in splitter.feed(chunk.decode())]
    assert "b" * 3000 + LOG in lines
