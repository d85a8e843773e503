"""Property tests: on any input a parser returns a result or raises ParseError, nothing else."""

from __future__ import annotations

from itertools import pairwise

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness.errors import ParseError
from harness.parsers import (
    Version,
    parse_show_checkpoint_data,
    parse_show_node,
    parse_show_switch,
    parse_show_version,
    parse_show_vlan,
)
from tests.harness_data.hd_samples import (
    LOG_A,
    LOG_B,
    SHOW_NODE,
    SHOW_NODE_DETAIL,
    SHOW_NODE_MANUAL,
    SHOW_SWITCH,
    SHOW_VERSION,
    SHOW_VLAN,
    show_checkpoint_data,
    show_switch,
)

PARSERS = {
    parse_show_switch: [SHOW_SWITCH, show_switch(b_present=False, slot_names=False),
                        show_switch(b_state="BACKUP (InSync)", current="B")],
    parse_show_node: [SHOW_NODE, SHOW_NODE_MANUAL, SHOW_NODE_DETAIL],
    parse_show_checkpoint_data: [show_checkpoint_data(), show_checkpoint_data(pct=0)],
    parse_show_version: [SHOW_VERSION],
    parse_show_vlan: [SHOW_VLAN],
}
SAMPLES = [text for texts in PARSERS.values() for text in texts]
SAMPLE_LINES = sorted({line for text in SAMPLES for line in text.splitlines()})
NOISE = [LOG_A, LOG_B, "XCM8810.3 # ", "* XCM8810.9 # show switch", "Error: Process x not found.",
         "%% Incomplete command", "Press <SPACE> to continue or <Q> to quit:", "\r" + " " * 40 + "\r",
         "\x1b[K", "\x00", "\t", "\x0c", "\u2028", "\ufeff", "-" * 24, "Slot:", "MSM-A *", "(In Sync)"]
CHARS = st.characters(codec="utf-8") | st.sampled_from(list(" -:*()%./\r\n\t0123456789ABMS"))
FAST = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def outcome(parser, text):
    """The parser's result, or the ParseError; any other exception fails the test."""
    try:
        return parser(text)
    except ParseError as error:
        assert error.command and isinstance(error.line, str)
        return error


@FAST
@given(text=st.text(CHARS, max_size=400))
def test_any_text(text):
    for parser in PARSERS:
        outcome(parser, text)


@FAST
@given(lines=st.lists(st.sampled_from(SAMPLE_LINES + NOISE) | st.text(CHARS, max_size=30),
                      max_size=40),
       ending=st.sampled_from(["\n", "\r\n", "\r", "\r\r\n"]))
def test_any_mix_of_real_output_lines_and_noise(lines, ending):
    text = ending.join(lines)
    for parser in PARSERS:
        outcome(parser, text)


@FAST
@given(data=st.data())
def test_valid_output_cut_into_chunks_with_noise_between(data):
    parser = data.draw(st.sampled_from(list(PARSERS)))
    text = data.draw(st.sampled_from(PARSERS[parser]))
    cuts = sorted(data.draw(st.lists(st.integers(0, len(text)), max_size=6)))
    pieces = [text[a:b] for a, b in pairwise([0, *cuts, len(text)])]
    joined = "".join(piece + data.draw(st.sampled_from(NOISE + [""]) | st.text(CHARS, max_size=8))
                     for piece in pieces)
    outcome(parser, joined)


@FAST
@given(data=st.data())
def test_concatenations_of_valid_outputs(data):
    texts = data.draw(st.lists(st.sampled_from(SAMPLES), min_size=1, max_size=3))
    for parser in PARSERS:
        outcome(parser, "".join(texts))


@FAST
@given(data=st.data())
def test_log_lines_blanks_and_line_ends_never_change_the_result(data):
    """Whole log lines between lines, trailing blanks and CRLF: same result as the clean text."""
    parser = data.draw(st.sampled_from(list(PARSERS)))
    text = data.draw(st.sampled_from(PARSERS[parser]))
    noisy = []
    for line in text.splitlines():
        noisy.append(line + data.draw(st.sampled_from(["", " ", "   "])))
        noisy.extend(data.draw(st.lists(st.sampled_from([LOG_A, LOG_B, ""]), max_size=2)))
    ending = data.draw(st.sampled_from(["\n", "\r\n"]))
    assert parser(ending.join(noisy)) == parser(text)


@FAST
@given(text=st.text(CHARS, max_size=30) | st.from_regex(r"\d+\.\d+\.\d+\.\d+", fullmatch=True))
def test_version_parse_result_or_parse_error(text):
    try:
        version = Version.parse(text)
    except ParseError:
        return
    assert Version.parse(str(version)) == version
