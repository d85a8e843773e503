"""CLI session: prompt, pager, dialogs, errors, backup restrictions, garbage input."""

import random

import pytest

from tests.virtual_chassis.vc_helpers import Bench, Capture
from virtual_chassis.cli.commands import QUESTIONS
from virtual_chassis.cli.grammar import Command, SyntaxProblem, parse
from virtual_chassis.cli.session import PAGER

OLD = "11.6.1.3"


@pytest.fixture
def bench():
    b = Bench()
    yield b
    b.close()


@pytest.fixture
def cli(bench):
    c = Capture(bench.chassis)
    c.start()
    c.command("disable clipaging")
    return c


def test_banner_and_first_prompt(bench):
    text = Capture(bench.chassis).start()
    assert text.startswith("\r\nXCM8800\r\nCopyright (C) 2011 NETGEAR, Inc. All rights reserved.\r\n" + "=" * 78)
    assert text.endswith("Remember to save your configuration changes.\r\n\r\nXCM8810.1 # ")


def test_prompt_counter_counts_non_empty_lines_and_star_marks_unsaved(bench):
    c = Capture(bench.chassis)
    c.start()
    assert c.command("") == "\r\nXCM8810.1 # "
    assert c.command("   ").endswith("XCM8810.1 # ")
    assert c.command("show node").endswith("\r\nXCM8810.2 # ")
    assert c.command("create vlan lab10").endswith("\r\n* XCM8810.3 # ")
    c.command("save configuration")
    assert c.type("y\r").endswith("\r\nXCM8810.4 # ")
    assert c.command("nonsense").endswith("XCM8810.5 # ")


def test_sysname_change_shows_in_prompt(cli):
    assert cli.command("configure snmp sysName lab-8810").endswith("* lab-8810.3 # ")


def test_read_only_user_gets_angle_prompt_and_no_config(bench):
    c = Capture(bench.chassis, username="user", privilege="user")
    assert c.start().endswith("XCM8810.1 > ")
    out = c.command("create vlan x")
    assert "Error: Permission denied" in out and out.endswith("XCM8810.2 > ")
    assert "MASTER" in c.command("show node")
    assert "Error: Permission denied" in c.command("reboot")


def test_pager_stops_after_24_lines_space_continues_q_quits(bench):
    c = Capture(bench.chassis)
    c.start()
    out = c.command("show switch")
    body, _, tail = out.partition(PAGER)
    assert tail == "" and body.count("\r\n") == 1 + 24  # echo line + one screenful
    rest = c.type(" ")
    assert rest.startswith("\r" + " " * len(PAGER) + "\r")
    assert "Secondary ver:" in rest and rest.endswith("XCM8810.2 # ")
    c.command("show checkpoint-data")
    quit_ = c.type("q")
    assert quit_ == "\r" + " " * len(PAGER) + "\r" + "XCM8810.3 # "
    c.command("show configuration")
    c.command("disable clipaging")
    assert PAGER not in c.command("show switch")


def test_save_overwrite_dialog(cli):
    cli.command("create vlan lab10")
    out = cli.command("save configuration primary")
    assert out.endswith(QUESTIONS["overwrite"].format(file="primary.cfg"))
    assert out.endswith("Do you want to save configuration to primary.cfg and overwrite it? (y/N) ")
    assert cli.type("\r").startswith("\r\n* XCM8810")  # default No: nothing saved
    cli.command("save configuration primary")
    out = cli.type("y\r")
    assert out.split("\r\n")[1:4] == ["Saving configuration on master MSM ....... done!",
                                      "Synchronizing configuration to backup MSM ... done!",
                                      "Configuration saved to primary.cfg successfully."]
    assert out.endswith("\r\nXCM8810.5 # ")


def test_save_to_new_file_asks_nothing_and_without_backup_does_not_sync(bench, cli):
    bench.chassis.power("B", "off")
    out = cli.command("save configuration secondary")
    assert "Synchronizing" not in out and "Configuration saved to secondary.cfg successfully." in out


def test_reboot_dialogs(bench, cli):
    out = cli.command("reboot")
    assert out.endswith("Are you sure you want to reboot the switch? (y/N) ")
    assert cli.type("n\r").endswith("XCM8810.3 # ")
    cli.command("create vlan x")
    out = cli.command("reboot")
    assert out.endswith("Do you want to save configuration changes to currently selected configuration file "
                        "(primary.cfg) and reboot?\r\n(y - save and reboot, n - reboot without save, "
                        "<cr> - cancel command) ")
    assert cli.type("\r").endswith("* XCM8810.5 # ")
    assert bench.state("A") == "MASTER"
    out = cli.command("reboot msm B")
    assert out.endswith("Are you sure you want to reboot MSM-B? (y/N) ")
    cli.type("y\r")
    assert bench.state("B") == "DOWN" and bench.state("A") == "MASTER"
    cli.command("reboot")
    cli.type("n\r")
    assert bench.state("A") == "DOWN"


def test_exit_with_unsaved_changes_asks_to_save(bench, cli):
    cli.command("create vlan x")
    out = cli.command("exit")
    assert out.endswith("Do you want to save configuration changes to currently selected configuration file "
                        "(primary.cfg)? (y or n) ")
    cli.type("y\r")
    assert cli.exited and not bench.chassis.master().running.unsaved


def test_logout_without_changes_exits_at_once(cli):
    cli.command("logout")
    assert cli.exited and cli.session.closed
    assert cli.type("show node\r") == ""


def test_synchronize_dialog_n_cancels_and_y_runs(bench):
    b = Bench(versions=("12.4.2.8", OLD))
    try:
        c = Capture(b.chassis)
        c.start()
        c.command("create vlan x")
        out = c.command("synchronize")
        assert out.endswith("Do you want to save configuration changes to primary.cfg? (y or n) ")
        c.type("n\r")
        assert b.state("B") == "BACKUP"
        c.command("synchronize")
        out = c.type("y\r")
        assert ("Saving configuration on master MSM ....... done!\r\n"
                "Synchronizing configuration to backup MSM ... done!\r\n"
                "Synchronizing MSM-B with MSM-A ...\r\n") in out
        assert out.endswith("XCM8810.4 # ")
        assert b.state("B") == "DOWN"
        b.wait_states("MASTER", "BACKUP (In Sync)")
    finally:
        b.close()


def test_failover_errors(bench):
    b = Bench(versions=("12.4.2.8", OLD))
    try:
        c = Capture(b.chassis)
        c.start()
        assert ('Error: Backup MSM is not in sync with the master. Use "run msm-failover force" to override.'
                in c.command("run msm-failover"))
        b.chassis.power("B", "off")
        assert "Error: No backup MSM is available." in c.command("run failover force")
        assert "Error: No backup MSM is available." in c.command("synchronize")
    finally:
        b.close()


def test_invalid_input_caret_and_incomplete(cli):
    out = cli.command("show foo")
    prompt = "XCM8810.2 # "
    lines = out.split("\r\n")
    assert lines[1] == " " * (len(prompt) + len("show ")) + "^"
    assert lines[2] == "%% Invalid input detected at '^' marker."
    assert "%% Incomplete command" in cli.command("show")
    assert "%% Incomplete command" in cli.command("configure vlan lab10")
    out = cli.command("configure vlan x tag ten")
    assert out.split("\r\n")[1] == " " * (len("XCM8810.5 # ") + len("configure vlan x tag ")) + "^"
    assert "Error: Process foo not found." in cli.command("show checkpoint-data foo")
    assert "Ambiguous" in cli.command("s")


def test_abbreviations_and_whitespace(cli):
    assert "Current State:" in cli.command("  sh    sw  ")
    assert "Node MSM-A information:" in cli.command("show NODE detail")


def test_configuration_commands_and_errors(cli):
    cli.command("create vlan lab10")
    cli.command("configure vlan lab10 tag 10")
    vlan = cli.command("show vlan")
    assert "lab10           10   " in vlan and "Total number of VLAN(s) : 3" in vlan
    assert 'Error: VLAN "lab10" already exists.' in cli.command("create vlan lab10")
    assert 'Error: VLAN "nope" does not exist.' in cli.command("configure vlan nope tag 10")
    cli.command("create vlan other")
    assert 'Error: Tag 10 is already used by VLAN "lab10".' in cli.command("configure vlan other tag 10")
    assert "Error: Invalid VLAN tag" in cli.command("configure vlan other tag 5000")
    assert "Error:" in cli.command("delete vlan Default")
    cli.command("delete vlan other")
    assert "other" not in cli.command("show vlan")
    assert "Error: Invalid node priority" in cli.command("configure node slot B priority 101")
    cli.command("configure node slot B priority 10")
    assert "MSM-B       BACKUP      10" in cli.command("show node")
    assert "configure node slot B priority 10" in cli.command("show configuration")


def test_backup_session_may_show_and_reboot_itself_only(bench):
    c = Capture(bench.chassis, msm="MSM-B")
    assert c.start().endswith("XCM8810.1 # ")
    c.command("disable clipaging")  # a session setting, allowed on the backup too
    out = c.command("show switch")
    assert "MSM-A                        MSM-B *" in out
    for command in ("create vlan x", "save configuration", "synchronize", "run msm-failover",
                    "reboot msm A", "configure snmp sysName x"):
        assert "Error: This command can only be executed on Master." in c.command(command), command
    assert c.command("reboot").endswith("Are you sure you want to reboot MSM-B? (y/N) ")
    c.type("y\r")
    assert bench.state("B") == "DOWN" and bench.state("A") == "MASTER"


def test_line_editing(cli):
    assert "MSM-A       MASTER" in cli.type("show nodx\x7fe\r")
    assert "MSM-A       MASTER" in cli.type("show nodx\x08e\r")
    assert "Node MSM-A information" in cli.type("show\x1b[C\x1b[D node\x1bOD detail\r")  # left/right ignored
    out = cli.type("show foo\x03")
    assert "Invalid" not in out and out.endswith("XCM8810.5 # ")
    assert cli.type("garbage\x15show node\r").count("MASTER") == 1  # Ctrl-U cleared the line


def test_question_mark_lists_what_may_follow(cli):
    assert cli.type("show sw?") == "show sw\r\n  switch\r\nXCM8810.2 # show sw"
    out = cli.type("\x15create vlan ?")
    assert out.endswith("\r\n  <vlan>\r\nXCM8810.2 # create vlan ")
    assert cli.type("\x15show switch ?").endswith("  detail\r\n  <cr>\r\nXCM8810.2 # show switch ")
    assert "Invalid input" in cli.type("\x15bogus ?")


def test_tab_completes_or_lists_the_choices(cli):
    assert cli.type("sh\t") == "show "
    assert cli.type("sw\t") == "switch "
    assert "MSM-A *" in cli.type("\r")
    assert cli.type("show c\t") == "show c\r\n  checkpoint-data  configuration\r\nXCM8810.3 # show c"
    assert cli.type("h\t") == "heckpoint-data "
    assert cli.type("\x15show zz\t").endswith("\x07")


def test_arrows_walk_the_command_history(cli):
    cli.command("show node")
    cli.command("show vlan")
    assert cli.type("\x1b[A").endswith("show vlan")
    assert cli.type("\x1bOA").endswith("show node")
    assert cli.type("\x1b[A").endswith("disable clipaging")
    assert cli.type("\x1b[A").endswith("disable clipaging")  # the oldest stays
    assert cli.type("\x1b[B").endswith("show node")
    assert cli.type("\x1b[B").endswith("show vlan")
    assert "MSM-A       MASTER" in cli.type("\x1b[A\r")
    cli.type("\x1b[B\x1b[B")
    assert cli.session.editor.text == ""


def test_disable_cli_prompting_answers_questions_yes(cli):
    assert "overwrite it?" in cli.command("save configuration")
    cli.type("n\r")
    cli.command("disable cli prompting")
    out = cli.command("save configuration")
    assert "?" not in out and "Configuration saved to primary.cfg successfully." in out
    assert out.endswith("XCM8810.5 # ")
    cli.command("enable cli prompting")
    assert "overwrite it?" in cli.command("save configuration")


def test_crlf_counts_once_and_lf_alone_ends_a_line(cli):
    out = cli.type("show node\r\nshow node\nshow node\r")
    assert out.count("MSM-A       MASTER") == 3
    assert out.endswith("XCM8810.5 # ")


def test_telnet_negotiation_is_swallowed(cli):
    out = cli.type(b"\xff\xfb\x01\xff\xfa\x18\x00XTERM\xff\xf0show node\r")
    assert "MSM-A       MASTER" in out and "Invalid" not in out


def test_long_line_is_refused_with_a_plain_error(cli):
    out = cli.type("show node " + "x" * 600 + "\r")
    assert "Error: Line too long" in out and "MASTER" not in out
    assert "MASTER" in cli.command("show node")


def test_garbage_never_breaks_the_session(bench, cli):
    rng = random.Random(8800)
    for _ in range(200):
        cli.type(bytes(rng.randrange(256) for _ in range(rng.randrange(1, 300))))
    cli.type("\x03")
    assert "MSM-A       MASTER" in cli.command("show node")
    assert bench.state("A") == "MASTER"


def test_insert_line_redisplays_prompt_only_when_something_was_typed(cli):
    cli.session.insert_line("LOG ONE")
    assert cli.take() == "\r\nLOG ONE\r\n"  # a program that saw the prompt is not prompted twice
    cli.type("show no")
    cli.session.insert_line("LOG LINE")
    assert cli.take() == "\r\nLOG LINE\r\nXCM8810.2 # show no"
    assert "MASTER" in cli.type("de\r")
    cli.command("enable clipaging")
    cli.command("show switch")
    cli.session.insert_line("LOG PAGED")
    assert cli.take() == "\r" + " " * len(PAGER) + "\rLOG PAGED\r\n" + PAGER


def test_exec_session_prints_no_prompt(bench):
    c = Capture(bench.chassis, interactive=False, echo=False)
    assert c.start() == ""
    out = c.command("show node")
    assert out.startswith("Node ") and out.endswith("HwHealth\r\nMSM-A       MASTER      0           49          7\r\n"
                                                   "MSM-B       BACKUP      0           49          7\r\n")
    assert c.session.idle


def parsed(line: str) -> Command:
    """The command ``line`` must parse to (fails the test on a syntax problem or an empty line)."""
    command = parse(line)
    assert isinstance(command, Command), command
    return command


def test_grammar_positions():
    problem = parse("show   bogus")
    assert isinstance(problem, SyntaxProblem) and problem.position == 7
    assert parse("") is None
    assert parsed('configure snmp sysname "lab"').args == {"sysname": "lab"}
    assert parsed("run msm-failover force").keywords == ("run", "msm-failover", "force")
