"""Pure tests: the dialog table matches the contract's questions, only when complete."""

from __future__ import annotations

import re

import pytest

from drivers.dialogs import DEFAULT_DIALOGS, LOGOUT_KEEP_SAVED, Dialog, dialog, find_dialog, with_answers

QUESTIONS = [
    ("Do you want to save configuration to primary.cfg and overwrite it? (y/N) ", "y", "existing file"),
    ("Do you want to save configuration changes to primary.cfg? (y or n) ", "y", "synchronize"),
    (
        "Do you want to save configuration changes to currently selected configuration file (primary.cfg)"
        " and reboot?\r\n(y - save and reboot, n - reboot without save, <cr> - cancel command) ",
        "y",
        "save and reboot",
    ),
    ("Are you sure you want to reboot the switch? (y/N) ", "y", "reboot confirmation"),
    ("Are you sure you want to reboot MSM-B? (y/N) ", "y", "reboot confirmation"),
    (
        "Do you want to save configuration changes to currently selected configuration file (primary.cfg)?"
        " (y or n) ",
        "n",
        "logout",
    ),
    ("Do you want to install image after downloading? (y/n) ", "y", "any other"),
]


def _found(result: Dialog | None) -> Dialog:
    """The dialog a test expects to be recognised (fails the test when it is not)."""
    assert result is not None, "no dialog recognised"
    return result


@pytest.mark.parametrize("question, answer, words", QUESTIONS)
def test_contract_questions_get_their_answers(question, answer, words):
    found = find_dialog("some command\r\n" + question)
    assert found is not None and found.answer == answer and words in found.description


@pytest.mark.parametrize("question, answer, words", QUESTIONS)
def test_a_question_is_only_answered_when_complete(question, answer, words):
    prefixes = [question[:i] for i in range(len(question))]
    early = [p for p in prefixes if find_dialog(p) is not None and not p.rstrip().endswith(")")]
    assert early == []
    assert find_dialog(question + "y\r\nConfiguration saved.\r\n") is None  # already answered


def test_logout_question_is_not_mistaken_for_the_synchronize_question():
    logout = QUESTIONS[5][0]
    assert find_dialog(logout) is LOGOUT_KEEP_SAVED


def test_caller_answers_come_first_and_accept_patterns_or_dialogs():
    table = with_answers({r"overwrite it\? \(y/N\)": "n"})
    assert _found(find_dialog(QUESTIONS[0][0], table)).answer == "n"
    assert _found(find_dialog(QUESTIONS[3][0], table)).answer == "y"  # the rest of the table still applies
    own = dialog(re.compile(r"reboot MSM-B\? \(y/N\)"), "n", "keep MSM-B up")
    assert _found(find_dialog(QUESTIONS[4][0], with_answers([own]))).description == "keep MSM-B up"
    assert with_answers(None) == DEFAULT_DIALOGS
