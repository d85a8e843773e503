"""Step 1 reads ``show switch detail`` with the same parser as ``show switch``: lines only the
detail form has (labels the parser does not know, indented continuations) are kept or passed
over, never a reason to fail; what step 1 needs is the same in both forms."""

from harness.parsers import parse_show_switch
from tests.harness_data.hd_samples import _label, _row, on_the_wire, show_switch

# Lines a detail form may add (its real extras were not found [INF]): single values, per-MSM
# rows and indented continuations.
DETAIL_ONLY = [
    _label("Partition Usage:") + "primary 61 %",
    _row("Diag ver:", "1.0.2.1", "1.0.2.1"),
    _row("Certified ver:", "12.4.2.8", "12.4.2.8"),
    " " * 18 + "(checked at boot)",
]


def _detail(short: str) -> str:
    lines = short.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("Secondary ver:")) + 1
    return "\n".join(lines[:at] + DETAIL_ONLY + lines[at:])


def test_detail_only_lines_do_not_stop_the_parser_and_the_roles_are_the_same():
    short_text = show_switch()
    short, detail = parse_show_switch(short_text), parse_show_switch(_detail(short_text))
    assert (detail.master, detail.backup) == (short.master, short.backup)
    essentials = [(m.state, m.in_sync, m.current, m.booted_version, m.secondary_version) for m in short.msms.values()]
    assert [(m.state, m.in_sync, m.current, m.booted_version, m.secondary_version) for m in detail.msms.values()] == (
        essentials
    )
    # inside the two columns a value is read by its column: here MSM-A's, MSM-B's blank
    other = detail.msm("MSM-A").other
    assert other["Partition Usage"] == "primary 61 %" and detail.msm("MSM-B").other["Partition Usage"] == ""
    assert other["Diag ver"] == "1.0.2.1" and other["Certified ver"] == "12.4.2.8 (checked at boot)"


def test_detail_on_the_wire_with_its_echo():
    status = parse_show_switch(on_the_wire(_detail(show_switch()), "show switch detail"))
    assert status.master == "MSM-A" and status.msm("MSM-B").in_sync
