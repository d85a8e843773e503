"""The fast paths of output handling give what the line-by-line way gives (pure tests)."""

from __future__ import annotations

import os
import socket

from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.cleaning import LineSplitter, clean_by_lines, clean_output, resolve_line, split_log
from drivers.prompt import has_control, is_boot_line, joined_lines, may_hold_event
from drivers.transcript import Transcript
from drivers.transports.base import PTY_PIECE, READ_PIECE, read_more, wait_readable

LOG = "11/25/2026 10:40:01.23 <Noti:DM.Notice> MSM-A: Node MSM-B changed state from INIT to BACKUP"
PIECES = [
    "SysName:   XCM8810",
    " ",
    "\r",
    "\n",
    "\r\n",
    "\x1b[K",
    "Error: no",
    "%% bad",
    LOG,
    "Rebooting ...",
    "NETGEAR XCM8800 BootROM 1.0.1.3",
    "Starting primary image 12.4.2.8 ...",
    "\t",
    "\x07",
    "é",
    "XCM8810.3 # ",
]


def _events(lines):
    return [line for line in lines if split_log(line)[1] is not None or is_boot_line(line)]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=16), st.lists(st.integers(1, 9), max_size=20))
def test_a_splitter_told_what_matters_still_reports_every_log_and_boot_line(pieces, sizes):
    text, chunks, at = "".join(pieces), [], 0
    for size in sizes + [len("".join(pieces)) + 1]:
        chunks.append(text[at : at + size])
        at += size
    everything, hinted = LineSplitter(), LineSplitter(only=may_hold_event)
    all_lines = [line for chunk in chunks for line in everything.feed(chunk)]
    some_lines = [line for chunk in chunks for line in hinted.feed(chunk)]
    assert _events(some_lines) == _events(all_lines)


def test_long_chunks_are_searched_where_they_lie_and_miss_no_event():
    filler = "configure vlan Default add ports 2:1-48 untagged\r\n" * 400  # 20 KB: no copy is made
    text = filler + LOG + "\r\n" + filler + "Rebooting ...\r\n" + filler
    cut = text.index("Rebooting") + 4  # a boot hint cut by the boundary of two long chunks
    hinted = LineSplitter(only=may_hold_event)
    some_lines = [line for chunk in (text[:cut], text[cut:]) for line in hinted.feed(chunk)]
    assert _events(some_lines) == _events(LineSplitter().feed(text)) == [LOG, "Rebooting ..."]


def test_a_plain_output_chunk_is_not_split_into_lines():
    assert LineSplitter(only=may_hold_event).feed("Slot:  MSM-A\r\nCurrent State:  MASTER\r\n") == []


def test_clean_lines_are_resolved_without_work_and_like_before():
    assert resolve_line("SysName:   XCM8810\r") == "SysName:   XCM8810"
    assert resolve_line("   \r") == "" and resolve_line("   ") == "   "
    assert resolve_line("old\rnew\r") == "new" and resolve_line("a\x1b[Kb\r") == "ab"
    cleaned = clean_output("show switch\r\nError: no\r\n" + LOG + "\r\nXCM8810.3 # ", "show switch")
    assert cleaned.output == "Error: no" and cleaned.errors == ("Error: no",) and cleaned.log_lines == (LOG,)


def test_one_stamp_per_chunk_and_every_line_stamped():
    transcript = Transcript(None)
    transcript.received(b"one\r\n\r\ntwo\r\nthr")
    transcript.received(b"ee\r\n")
    lines = transcript.text().splitlines()[1:]
    assert [line[13:] for line in lines] == ["| one", "| ", "| two", "| three"]
    assert len({line[:12] for line in lines[:3]}) == 1


def test_session_and_parsers_read_carriage_returns_alike():
    from harness.parsers._text import echo_pattern, output_lines

    raw = "show switch\r\nProgress 100%\rDone\r\nXCM8810.3 # "
    assert clean_output(raw, "show switch").output == "Doneress 100%"
    assert output_lines(raw, "show switch", echo_pattern("switch")) == ["Doneress 100%"]
    assert resolve_line("abc\b\bXY") == "aXY"


OUTPUT_LINES = [
    "show switch", "  show switch  ", "SysName:   XCM8810", "   ", "", "Error: Invalid input",
    "% Invalid input detected", "50% done", "MSM-A  MASTER", "XCM8810.7 # ", "* XCM8810.8 # ",
    "x\rDone", "tab\there", "caf\u00e9", "<Info:vlan> not a log", "\x1b[K",
]  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.sampled_from(OUTPUT_LINES), max_size=8),
    st.sampled_from(["\r\n", "\n", "\r\r\n", "\n\r"]),
    st.sampled_from(["XCM8810.9 # ", "* Slot-1 XCM8810.9 > ", "", "no prompt"]),
    st.sampled_from(["show switch", "", None]),
)
def test_a_plain_output_is_cleaned_as_line_by_line_without_splitting_it(lines, ending, prompt, command):
    raw = ending.join([*lines, prompt])
    assert clean_output(raw, command) == clean_by_lines(raw, command)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(["ab", " ", "\r", "\n", "\r\n", "\r\r\n", "\n\r", "\x1b[K", "\t", "é", "\x00"]), max_size=12))
def test_crlf_is_joined_exactly_when_that_is_all_a_text_needs(pieces):
    text = "".join(pieces)
    joined = text.replace("\r\n", "\n")
    assert joined_lines(text.encode()) == (None if has_control(joined) else joined.encode())


def test_what_else_is_ready_is_read_with_the_first_piece():
    reader, writer = socket.socketpair()
    with reader, writer:
        data = bytes(range(256)) * 80  # 20 KB, all waiting
        writer.sendall(data)
        first = os.read(reader.fileno(), PTY_PIECE)
        assert read_more(reader.fileno(), first, 65536) == data
        writer.sendall(b"short")
        short = os.read(reader.fileno(), PTY_PIECE)
        writer.sendall(b"more")  # a short piece took all there was: nothing more is looked for
        assert read_more(reader.fileno(), short, 65536) == b"short"
        assert os.read(reader.fileno(), 100) == b"more"
        writer.sendall(data)
        assert read_more(reader.fileno(), os.read(reader.fileno(), PTY_PIECE), 6000) == data[:6000]
        reader.recv(len(data))
        writer.sendall(data * 4)  # more than one read(2) asks for: all taken, piece by piece
        assert read_more(reader.fileno(), os.read(reader.fileno(), READ_PIECE)) == data * 4


def test_a_wait_writes_the_transcript_only_when_the_answer_does_not_come_at_once(tmp_path):
    t = Transcript(tmp_path / "t.log")
    reader, writer = socket.socketpair()
    with reader, writer, t.batch():
        t.sent(b"show switch\r")
        writer.sendall(b"show switch\r\n")  # the answer is there: the wait does not write first
        assert wait_readable(reader.fileno(), 5.0, t) and t.unwritten
        reader.recv(100)
        assert not wait_readable(reader.fileno(), 0.05, t)  # a wait that lasts writes first
        assert not t.unwritten and "> show switch\\r" in (tmp_path / "t.log").read_text()
    t.close()
