"""The confirmation questions of the XCM8800 CLI and how the drivers answer them, as data.

Each :class:`Dialog` matches a question at the very end of what the device printed (the device
then waits for one line); the session sends ``answer`` followed by ``\\r``. Tables are searched
in order, so specific questions come first and the generic yes/no question last.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from drivers.prompt import TAIL

#: Question text may be split over lines and followed by blanks before the device waits.
_AT_END = r"\s*\Z"


@dataclass(frozen=True)
class Dialog:
    """A question (regex matched at the end of the output), its answer and what it is."""

    pattern: re.Pattern[str]
    answer: str
    description: str

    def matches(self, buffer: str) -> bool:
        """True when ``buffer`` ends with this question."""
        return self.pattern.search(buffer, max(0, len(buffer) - TAIL)) is not None


def dialog(question: str | re.Pattern[str], answer: str, description: str = "") -> Dialog:
    """Build a :class:`Dialog`; ``question`` is a regex for the end of the question text."""
    source = question.pattern if isinstance(question, re.Pattern) else question
    return Dialog(re.compile(f"(?:{source}){_AT_END}"), answer, description or source)


#: exit/logout with unsaved changes: answer ``n`` (leave the saved file as it is).
LOGOUT_KEEP_SAVED = dialog(
    r"Do you want to save configuration changes to currently selected configuration file"
    r" \(\S+\)\? \(y or n\)",
    "n",
    "exit/logout with unsaved changes: leave the saved file as it is",
)

DEFAULT_DIALOGS: tuple[Dialog, ...] = (
    dialog(
        r"Do you want to save configuration to \S+ and overwrite it\? \(y/N\)",
        "y",
        "save configuration over an existing file",
    ),
    LOGOUT_KEEP_SAVED,
    dialog(
        r"Do you want to save configuration changes to \S+\? \(y or n\)",
        "y",
        "synchronize with unsaved changes: save them first",
    ),
    dialog(
        r"\(y - save and reboot, n - reboot without save, <cr> - cancel command\)",
        "y",
        "reboot with unsaved changes: save and reboot",
    ),
    dialog(
        r"Are you sure you want to reboot (?:the switch|MSM-[AB])\? \(y/N\)",
        "y",
        "reboot confirmation",
    ),
    dialog(r"\((?:y/N|y/n|Y/n|y or n|yes/no)\)", "y", "any other yes/no question"),
)


Answers = Mapping[str, str] | Iterable[Dialog]


def with_answers(answers: Answers | None, base: Iterable[Dialog] = DEFAULT_DIALOGS) -> tuple[Dialog, ...]:
    """A table where ``answers`` take precedence over ``base``.

    ``answers`` is either Dialog objects or a mapping of question regex (matched at the end of
    the output, like the defaults) to the answer, e.g. ``{r"overwrite it\\? \\(y/N\\)": "n"}``.
    """
    if not answers:
        return tuple(base)
    if isinstance(answers, Mapping):
        first = tuple(dialog(question, answer, "caller's answer") for question, answer in answers.items())
    else:
        first = tuple(answers)
    return first + tuple(base)


def find_dialog(buffer: str, table: Iterable[Dialog] = DEFAULT_DIALOGS) -> Dialog | None:
    """The first dialog of ``table`` whose question ends ``buffer``, or None."""
    for entry in table:
        if entry.matches(buffer):
            return entry
    return None
