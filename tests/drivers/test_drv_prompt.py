"""Pure tests: prompt recognition, login/pager detection, output cleaning, log extraction.

Everything is also fed one byte at a time and at random chunk boundaries.
"""

from __future__ import annotations

from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.cleaning import LineSplitter, clean_output, split_log
from drivers.prompt import Prompt, at_pager, find_boot_start, find_login, find_prompt, is_boot_line, parse_prompt

LOG = "11/25/2026 10:40:01.23 <Noti:DM.Notice> MSM-A: Node MSM-B changed state from INIT to BACKUP"
LOG2 = "11/25/2026 10:40:03.57 <Info:DM.Info> MSM-A: Backup MSM-B is in sync with the master"


def _found(prompt: Prompt | None) -> Prompt:
    """The prompt a test expects to be there (fails the test when it is not)."""
    assert prompt is not None, "no prompt found"
    return prompt


@pytest.mark.parametrize(
    "text, sysname, counter, unsaved, recovery, admin",
    [
        ("XCM8810.1 # ", "XCM8810", 1, False, False, True),
        ("* XCM8810.12 # ", "XCM8810", 12, True, False, True),
        ("! XCM8806.3 # ", "XCM8806", 3, False, True, True),
        ("* ! lab-8810_b.2.77 > ", "lab-8810_b.2", 77, True, True, False),
        ("(core~1).5 # ", "(core~1)", 5, False, False, True),
    ],
)
def test_prompt_shapes_parse(text, sysname, counter, unsaved, recovery, admin):
    prompt = _found(parse_prompt(text))
    assert (prompt.sysname, prompt.counter, prompt.unsaved, prompt.recovery, prompt.admin) == (
        sysname, counter, unsaved, recovery, admin,
    )
    assert find_prompt("show switch\r\nSysName: x\r\n" + text) == prompt


@pytest.mark.parametrize(
    "buffer",
    [
        "XCM8810.1 #",  # the trailing blank is part of the prompt
        "XCM8810 # ",  # no counter
        "XCM8810.1 # show switch",  # command typed after it
        "XCM8810.1 # \r\nSysName:          XCM8810\r\n",  # output after it
        "Boot Count:       12 # ",
        "Prompt is XCM8810.1 # \r\nmore",
        "",
    ],
)
def test_not_a_prompt(buffer):
    assert find_prompt(buffer) is None


def test_prompt_only_searched_in_the_tail():
    big = "x" * 100_000 + "\r\nXCM8810.3 # "
    assert _found(find_prompt(big)).counter == 3
    assert find_prompt("XCM8810.3 # " + "y" * 1000) is None


def test_prompt_followed_by_log_lines_is_still_the_prompt():
    assert _found(find_prompt(f"XCM8810.4 # \r\n{LOG}\r\n{LOG2}\r\n")).counter == 4
    assert find_prompt(f"XCM8810.4 # \r\n{LOG}\r\nnot a log line\r\n") is None


@pytest.mark.parametrize(
    "buffer, kind",
    [
        ("\r\nlogin: ", "login"),
        ("Login incorrect\r\n\r\nlogin: ", "login"),
        ("\r\n(pending-AAA) login: ", "pending-aaa"),
        ("admin\r\npassword: ", "password"),
        (f"\r\nlogin: \r\n{LOG}\r\n", "login"),
        ("login: admin", None),
        ("the last login: was yesterday\r\n", None),
        ("XCM8810.1 # ", None),
    ],
)
def test_login_prompts(buffer, kind):
    assert find_login(buffer) == kind


def test_pager_prompt():
    assert at_pager("line 23\r\nPress <SPACE> to continue or <Q> to quit:")
    assert at_pager("line 23\r\nPress <SPACE> to continue or <Q> to quit: ")
    assert not at_pager("Press <SPACE> to continue or <Q> to quit:\r    \rline 24\r\n")


@pytest.mark.parametrize(
    "line, boot",
    [
        ("Rebooting ...", True),
        ("Rebooting...", True),
        ("NETGEAR XCM8800 BootROM 1.0.1.3", True),
        ("Starting primary image 12.4.2.8 ...", True),
        ("Loading XCM8800 ...", True),
        ("BootROM : 1.0.1.3", False),  # show version
        ("MSM-A        : 800130-00-02 0906G-00456 Rev 2.0 BootROM: 1.0.1.3    IMG: 12.4.2.8", False),
        ("Rebooting MSM-B is not allowed", False),
        (LOG, False),
    ],
)
def test_boot_lines(line, boot):
    assert is_boot_line(line) is boot


def test_boot_start_in_raw_text():
    raw = "run msm-failover\r\n\r\nRebooting ...\r\nNETGEAR XCM8800 BootROM 1.0.1.3\r\n"
    assert raw[find_boot_start(raw):].startswith("Rebooting")
    assert find_boot_start("show version\r\nBootROM : 1.0.1.3\r\nXCM8810.3 # ") is None


def test_log_line_split():
    assert split_log(LOG) == ("", LOG)
    assert split_log("MSM-A       MASTER" + LOG) == ("MSM-A       MASTER", LOG)
    assert split_log("Current Time:     Wed Nov 25 10:36:43 2026") == (
        "Current Time:     Wed Nov 25 10:36:43 2026", None,
    )


RAW = (
    "show switch\r\n"
    "SysName:          XCM8810\r\n"
    "SysLocation:      \r\n"
    f"{LOG}\r\n"
    "\x1b[1mSystem Type:      XCM8810\x1b[0m\r\n"
    "Press <SPACE> to continue or <Q> to quit:\r" + " " * 41 + "\r"
    "Slot:             MSM-A *                      MSM-B\r\n"
    f"Current State:    MAS{LOG2}\r\nTER\r\n"
    "XCM8810.5 # "
)
CLEAN = (
    "SysName:          XCM8810\n"
    "SysLocation:      \n"
    "System Type:      XCM8810\n"
    "Slot:             MSM-A *                      MSM-B\n"
    "Current State:    MASTER"
)


def test_clean_output_strips_echo_prompt_pager_ansi_and_pulls_logs():
    cleaned = clean_output(RAW, "show switch")
    assert cleaned.output == CLEAN
    assert cleaned.log_lines == (LOG, LOG2)
    assert cleaned.errors == ()


def test_clean_output_collects_error_lines():
    raw = (
        "show swtch\r\n     ^\r\n%% Invalid input detected at '^' marker.\r\n"
        "Error: No backup MSM is available.\r\nXCM8810.2 # "
    )
    cleaned = clean_output(raw, "show swtch")
    assert cleaned.output.splitlines()[0] == "     ^"
    assert cleaned.errors == ("%% Invalid input detected at '^' marker.", "Error: No backup MSM is available.")


def test_clean_output_of_a_dialog_keeps_question_and_answer():
    raw = (
        "save configuration\r\nDo you want to save configuration to primary.cfg and overwrite it? (y/N) y\r\n"
        "Configuration saved to primary.cfg successfully.\r\n* XCM8810.3 # "
    )
    assert clean_output(raw, "save configuration").output.splitlines() == [
        "Do you want to save configuration to primary.cfg and overwrite it? (y/N) y",
        "Configuration saved to primary.cfg successfully.",
    ]


def chunks_of(text: str, cuts: list[int]) -> list[str]:
    points = sorted({c % (len(text) + 1) for c in cuts} | {0, len(text)})
    return [text[a:b] for a, b in pairwise(points)]


def test_prompt_fed_one_byte_at_a_time_is_found_only_when_complete():
    stream = "disable clipaging\r\n* XCM8810.2 # "
    found = [find_prompt(stream[: i + 1]) for i in range(len(stream))]
    assert all(p is None for p in found[:-1])
    last = _found(found[-1])
    assert last.counter == 2 and last.unsaved


def test_login_and_pager_fed_one_byte_at_a_time():
    stream = "\r\nlogin: "
    assert [find_login(stream[: i + 1]) for i in range(len(stream))][-2:] == ["login", "login"]
    pager = "line\r\nPress <SPACE> to continue or <Q> to quit:"
    assert [at_pager(pager[: i + 1]) for i in range(len(pager))].count(True) == 1


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=len(RAW)), max_size=12))
def test_line_splitter_and_logs_do_not_depend_on_chunking(cuts):
    splitter = LineSplitter()
    lines = [line for chunk in chunks_of(RAW, cuts) for line in splitter.feed(chunk)]
    assert lines == LineSplitter().feed(RAW)
    assert [split_log(line)[1] for line in lines if split_log(line)[1]] == [LOG, LOG2]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=len(RAW)), max_size=12))
def test_cleaning_accumulated_chunks_equals_cleaning_the_whole(cuts):
    buffer = ""
    for chunk in chunks_of(RAW, cuts):
        buffer += chunk
        if buffer != RAW:
            assert find_prompt(buffer) is None
    assert clean_output(buffer, "show switch").output == CLEAN


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\n"), max_size=60))
def test_any_line_before_a_prompt_keeps_the_prompt_findable(line):
    prompt = find_prompt(line + "\r\nXCM8810.9 # ")
    assert prompt is not None and prompt.counter == 9
