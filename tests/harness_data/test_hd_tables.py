"""``show node``, ``show checkpoint-data``, ``show version``, ``show vlan`` and versions."""

from __future__ import annotations

import pytest

from harness.errors import ParseError
from harness.parsers import (
    CheckpointRecord,
    Component,
    NodeRecord,
    Version,
    Vlan,
    compatible,
    parse_show_checkpoint_data,
    parse_show_node,
    parse_show_switch,
    parse_show_version,
    parse_show_vlan,
)
from tests.harness_data.hd_samples import (
    CHECKPOINT_CONTRACT,
    CHECKPOINT_HEADER,
    LOG_B,
    PROCESSES,
    SHOW_NODE,
    SHOW_NODE_DETAIL,
    SHOW_NODE_MANUAL,
    SHOW_SWITCH,
    SHOW_VERSION,
    SHOW_VLAN,
    checkpoint_row,
    on_the_wire,
    show_checkpoint_data,
    with_logs,
    without_trailing_blanks,
)

NODES = [NodeRecord("MSM-A", "MASTER", 0, 49, 7), NodeRecord("MSM-B", "BACKUP", 0, 49, 7)]


def wire_variants(text: str, command: str) -> list[str]:
    return [text, text.replace("\n", "\r\n"), without_trailing_blanks(text),
            on_the_wire(text, command), with_logs(on_the_wire(text, command), every=1),
            text.replace("\n", "\n\n")]


def raises(parser, text, command) -> ParseError:
    with pytest.raises(ParseError) as caught:
        parser(text)
    assert caught.value.command == command and command in str(caught.value)
    return caught.value


# -- show node ----------------------------------------------------------------------------


@pytest.mark.parametrize("text", [SHOW_NODE, SHOW_NODE_MANUAL, SHOW_NODE_DETAIL],
                         ids=["contract", "manual-collapsed-blanks", "detail"])
def test_show_node_forms(text):
    for variant in wire_variants(text, "show node"):
        assert parse_show_node(variant) == NODES


def test_show_node_lists_only_present_msms():
    text = "\n".join(SHOW_NODE.splitlines()[:2]) + "\n"
    assert parse_show_node(text) == NODES[:1]


def test_show_node_detail_block_missing_a_field():
    text = SHOW_NODE_DETAIL.replace("    Sw Health:      49\n", "", 1)
    error = raises(parse_show_node, text, "show node")
    assert "sw_health" in error.reason and error.line == "Node MSM-A information:"


def test_show_node_detail_truncated_after_the_header():
    raises(parse_show_node, SHOW_NODE_DETAIL + "Node MSM-C information:\n", "show node")


@pytest.mark.parametrize("text, reason", [
    ("Node        State       Priority    SwHealth    HwHealth\n", "no node is listed"),
    (SHOW_NODE + SHOW_NODE, "unexpected line"),
    (SHOW_NODE + "MSM-A       MASTER      0           49          7\n", "listed twice"),
    (SHOW_NODE.replace("49          7\nMSM-B", "49\nMSM-B"), "unexpected line"),
    ("Error: This command can only be executed on Master.\n", "error instead of output"),
    (SHOW_SWITCH, "unexpected line"),
    ("hello\n", "unexpected line"),
])
def test_show_node_rejects(text, reason):
    assert reason in raises(parse_show_node, text, "show node").reason


# -- show checkpoint-data -----------------------------------------------------------------


def test_checkpoint_contract_rows():
    for variant in wire_variants(CHECKPOINT_CONTRACT, "show checkpoint-data"):
        assert parse_show_checkpoint_data(variant) == [
            CheckpointRecord("devmgr", 3812, 1731, 0, 3, 3, 100, "ON", "OK", "1 (00008853)"),
            CheckpointRecord("cfgmgr", 82, 82, 0, 1, 1, 100, "ON", "OK", "1 (000018D3)"),
        ]


def test_checkpoint_full_table_in_dependency_order():
    records = parse_show_checkpoint_data(show_checkpoint_data(pct=0))
    assert [r.process for r in records] == list(PROCESSES)
    assert {r.percent for r in records} == {0}


def test_checkpoint_one_process_and_progress():
    text = CHECKPOINT_HEADER + checkpoint_row("vlan", tx=1047, rx=1, pct=42, debug=0x8D3)
    assert parse_show_checkpoint_data(on_the_wire(text, "show checkpoint-data vlan")) == [
        CheckpointRecord("vlan", 1047, 1, 0, 0, 0, 42, "ON", "OK", "1 (000008D3)")]


@pytest.mark.parametrize("text, reason", [
    ("Error: Process foo not found.\n", "error instead of output"),
    (CHECKPOINT_HEADER, "no rows"),
    (CHECKPOINT_CONTRACT.split("\n", 1)[1], "unexpected line"),
    (CHECKPOINT_CONTRACT + CHECKPOINT_CONTRACT, "unexpected line"),
    (CHECKPOINT_CONTRACT[:-20] + "\n", "unexpected line"),
    (CHECKPOINT_HEADER + checkpoint_row("ems", pct=140), "over 100%"),
    (CHECKPOINT_HEADER + checkpoint_row("ems") + checkpoint_row("ems"), "listed twice"),
    (SHOW_NODE, "unexpected line"),
])
def test_checkpoint_rejects(text, reason):
    error = raises(parse_show_checkpoint_data, text, "show checkpoint-data")
    assert reason in error.reason


# -- show version -------------------------------------------------------------------------


def test_show_version_contract():
    expected = {
        "Chassis": ("800129-00-01", "0905G-00123", "1.0", None, None),
        "MSM-A": ("800130-00-02", "0906G-00456", "2.0", "1.0.1.3", "12.4.2.8"),
        "MSM-B": ("800130-00-02", "0906G-00789", "2.0", "1.0.1.3", "12.4.2.8"),
        "PSUCTRL-1": ("450117-00-03", "0904G-00111", "3.0", None, None),
        "PSU-1": ("PS 2336", "0904G-00222", "1.0", None, None),
    }
    for variant in wire_variants(SHOW_VERSION, "show version"):
        info = parse_show_version(variant)
        assert info.image_version == "12.4.2.8"
        assert {n: (c.part, c.serial, c.rev, c.bootrom, c.img) for n, c in info.components.items()} == expected
        assert info.other == {"BootROM": "1.0.1.3", "Diagnostics": "5.2"}
        assert info.image.endswith("by release-manager on Thu Mar 10 18:02:41 PST 2011")


def test_show_version_empty_msm():
    text = SHOW_VERSION.replace(
        "MSM-B        : 800130-00-02 0906G-00789 Rev 2.0 BootROM: 1.0.1.3    IMG: 12.4.2.8",
        "MSM-B        :")
    info = parse_show_version(text)
    assert info.components["MSM-B"] == Component("MSM-B") and info.components["MSM-B"].empty
    assert not info.components["MSM-A"].empty


def test_show_version_image_line_of_the_session_msm():
    text = SHOW_VERSION.replace("IMG: 12.4.2.8\nPSUCTRL", "IMG: 12.4.1.5\nPSUCTRL").replace(
        "version 12.4.2.8 v1242b8", "version 12.4.1.5 v1241b5")
    info = parse_show_version(text)
    assert info.image_version == "12.4.1.5" and info.components["MSM-B"].img == "12.4.1.5"


@pytest.mark.parametrize("text, reason", [
    (SHOW_VERSION.split("\nImage")[0], "no 'Image"),
    (SHOW_VERSION.split("\n\n")[1], "no component lines"),
    (SHOW_VERSION + SHOW_VERSION, "listed twice"),
    (SHOW_VERSION.replace("Image   : XCM8800 version 12.4.2.8", "Image   : XCM8800"), "no version"),
    ("MSM-A :\nMSM-A :\n" + SHOW_VERSION.split("\n\n")[1], "listed twice"),
    ("MSM-A : 800130-00-02\nrandom text\n" + SHOW_VERSION.split("\n\n")[1], "unexpected line"),
    (SHOW_VLAN, "unexpected line"),
])
def test_show_version_rejects(text, reason):
    assert reason in raises(parse_show_version, text, "show version").reason


# -- show vlan ----------------------------------------------------------------------------


def test_show_vlan_contract():
    for variant in wire_variants(SHOW_VLAN, "show vlan"):
        assert parse_show_vlan(variant) == [Vlan("Default", 1), Vlan("Mgmt", 4095),
                                            Vlan("lab10", 10)]


def test_show_vlan_with_a_flags_legend_and_an_untagged_vlan():
    rows = SHOW_VLAN.replace(
        "Total number of VLAN(s) : 3",
        "Flags : (B) BFD Enabled, (c) 802.1ad customer VLAN,\n"
        "        (C) EAPS Control VLAN\nTotal number of VLAN(s) : 4")
    rows = rows.replace(
        "lab10           10   ", "test            4093 ---------------------------------------"
        "---------  ANY    0 /0   VR-Default\nlab10           10   ")
    assert [v.vid for v in parse_show_vlan(rows)] == [1, 4095, 4093, 10]


@pytest.mark.parametrize("text, reason", [
    (SHOW_VLAN.replace("Total number of VLAN(s) : 3\n", ""), "no 'Total number"),
    (SHOW_VLAN.replace(": 3", ": 4"), "3 VLAN rows but the total says 4"),
    ("\n".join(SHOW_VLAN.splitlines()[:6]), "no 'Total number"),
    (SHOW_VLAN + SHOW_VLAN, "unexpected line"),
    (SHOW_VLAN.replace("Mgmt ", "lab10", 1), "listed twice"),
    (SHOW_VLAN + LOG_B.replace("11/25", "1/25") + "\n", "unexpected line"),
    (SHOW_NODE, "unexpected line"),
])
def test_show_vlan_rejects(text, reason):
    assert reason in raises(parse_show_vlan, text, "show vlan").reason


def test_log_lines_inside_the_vlan_table_are_ignored():
    assert parse_show_vlan(with_logs(SHOW_VLAN, every=2)) == parse_show_vlan(SHOW_VLAN)


# -- versions -----------------------------------------------------------------------------


def test_version_parse_and_order():
    assert Version.parse("12.4.2.8") == Version(12, 4, 2, 8)
    assert str(Version.parse(" 12.4.2.8 ")) == "12.4.2.8"
    assert Version.parse("12.4.2.10") > Version.parse("12.4.2.9") > Version.parse("12.3.9.99")


@pytest.mark.parametrize("text", ["12.4.2", "12.4.2.8.1", "v12.4.2.8", "12.4.x.8", "", None,
                                  12.4, "12.4.2.8-patch1"])
def test_version_parse_refuses(text):
    with pytest.raises(ParseError) as caught:
        Version.parse(text)
    assert "12.4.2.8" in str(caught.value) and caught.value.command == "version string"


def test_compatible_means_same_major_minor():
    assert compatible("12.4.2.8", "12.4.1.5")
    assert compatible(Version(12, 4, 0, 0), "12.4.9.9")
    assert not compatible("12.4.2.8", "12.3.2.8")
    assert not compatible("12.4.2.8", "11.4.2.8")
    with pytest.raises(ParseError):
        compatible("12.4.2.8", None)  # type: ignore[arg-type]  # None on purpose: a version not shown is refused


def test_switch_versions_feed_compatible():
    status = parse_show_switch(SHOW_SWITCH)
    a, b = status.msm("A").booted_version, status.msm("B").booted_version
    assert a is not None and b is not None, "the sample shows both MSMs' booted versions"
    assert compatible(a, b)


def test_show_vlan_in_the_newer_form_auto_move_line_first_and_a_displayed_count():
    """Newer releases print ``Untagged ports auto-move: On`` first and ``Total number of
    VLAN(s) : 3 (2 displayed)`` at the end (issue 24); the rows match the displayed count."""
    newer = "Untagged ports auto-move: On\n" + SHOW_VLAN.replace(
        "Mgmt            4095 ------------------------------------------------  ANY    1 /1   VR-Mgmt\n", ""
    ).replace("Total number of VLAN(s) : 3", "Total number of VLAN(s) : 3 (2 displayed)")
    for variant in wire_variants(newer, "show vlan"):
        assert parse_show_vlan(variant) == [Vlan("Default", 1), Vlan("lab10", 10)]
    short = newer.replace("(2 displayed)", "(3 displayed)")
    assert "2 VLAN rows but 3 displayed" in raises(parse_show_vlan, short, "show vlan").reason
