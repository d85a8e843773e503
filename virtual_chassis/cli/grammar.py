"""The command syntax the virtual XCM8800 understands, as data, and its parser.

Keywords match case-insensitively, in full or as an unambiguous prefix (``sh sw``), with any
amount of whitespace between words. Errors carry the position of the offending word, for the
caret line of ``%% Invalid input detected at '^' marker.``
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import firmware_syntax

# syntax -> (handler name, access class)
# access: show = anyone anywhere; session = anyone anywhere; exit; reboot; config = admin on master
SYNTAX: dict[str, tuple[str, str]] = {
    "show switch": ("show_switch", "show"),
    "show switch detail": ("show_switch", "show"),
    "show node": ("show_node", "show"),
    "show node detail": ("show_node_detail", "show"),
    "show version": ("show_version", "show"),
    "show checkpoint-data": ("show_checkpoint_data", "show"),
    "show checkpoint-data <process>": ("show_checkpoint_data", "show"),
    "show vlan": ("show_vlan", "show"),
    "show configuration": ("show_configuration", "show"),
    "disable clipaging": ("disable_clipaging", "session"),
    "enable clipaging": ("enable_clipaging", "session"),
    "disable cli prompting": ("disable_cli_prompting", "session"),
    "enable cli prompting": ("enable_cli_prompting", "session"),
    "clear sys-recovery-level": ("clear_sys_recovery_level", "config"),
    "exit": ("exit", "exit"),
    "logout": ("exit", "exit"),
    "quit": ("exit", "exit"),
    "reboot": ("reboot", "reboot"),
    "reboot msm <slot>": ("reboot", "reboot"),
    "synchronize": ("synchronize", "config"),
    "run failover": ("failover", "config"),
    "run failover force": ("failover", "config"),
    "run msm-failover": ("failover", "config"),
    "run msm-failover force": ("failover", "config"),
    "save": ("save_configuration", "config"),
    "save configuration": ("save_configuration", "config"),
    "save configuration primary": ("save_configuration", "config"),
    "save configuration secondary": ("save_configuration", "config"),
    "use configuration primary": ("use_configuration", "config"),
    "use configuration secondary": ("use_configuration", "config"),
    "create vlan <vlan>": ("create_vlan", "config"),
    "configure vlan <vlan> tag <tag>": ("configure_vlan_tag", "config"),
    "delete vlan <vlan>": ("delete_vlan", "config"),
    "configure snmp sysName <sysname>": ("configure_sysname", "config"),
    "configure node slot <slot> priority <priority>": ("configure_node_priority", "config"),
}

# argument kinds: a regular expression the word must match
ARGUMENTS = {
    "slot": re.compile(r"^[AaBb]$"),
    "tag": re.compile(r"^\d{1,9}$"),
    "priority": re.compile(r"^\d{1,9}$"),
    "vlan": re.compile(r"^\S+$"),
    "sysname": re.compile(r"^\S+$"),
    "process": re.compile(r"^\S+$"),
}
_TOKEN = re.compile(r'"[^"]*"?|\S+')

SYNTAX.update(firmware_syntax.SYNTAX)  # download / install / use image
ARGUMENTS.update(firmware_syntax.ARGUMENTS)


@dataclass
class Node:
    keywords: dict[str, Node] = field(default_factory=dict)
    argument: tuple[str, Node] | None = None
    handler: tuple[str, str] | None = None


@dataclass(frozen=True)
class Command:
    """A parsed command: handler, access class, keywords used and named arguments."""

    handler: str
    access: str
    keywords: tuple[str, ...]
    args: dict


@dataclass(frozen=True)
class SyntaxProblem:
    """``kind`` is ``invalid`` (at ``position``), ``incomplete`` or ``ambiguous``."""

    kind: str
    position: int = 0
    word: str = ""


def _build(syntax: dict[str, tuple[str, str]]) -> Node:
    root = Node()
    for text, handler in syntax.items():
        node = root
        for word in text.split():
            if word.startswith("<"):
                name = word[1:-1]
                if node.argument is None:
                    node.argument = (name, Node())
                node = node.argument[1]
            else:
                node = node.keywords.setdefault(word.lower(), Node())
        node.handler = handler
    return root


ROOT = _build(SYNTAX)


def tokenize(line: str) -> list[tuple[int, str]]:
    """Words with their start offsets; a double-quoted word may contain blanks."""
    return [(m.start(), m.group().strip('"')) for m in _TOKEN.finditer(line)]


def parse(line: str) -> Command | SyntaxProblem | None:
    """Parse a command line; None for a blank line."""
    tokens = tokenize(line)
    if not tokens:
        return None
    node, keywords, args = ROOT, [], {}
    for position, word in tokens:
        keyword = _keyword(node, word)
        if isinstance(keyword, SyntaxProblem):
            return SyntaxProblem(keyword.kind, position, word)
        if keyword is not None:
            keywords.append(keyword)
            node = node.keywords[keyword]
        elif node.argument is not None and ARGUMENTS[node.argument[0]].match(word):
            args[node.argument[0]] = word
            node = node.argument[1]
        else:
            return SyntaxProblem("invalid", position, word)
    if node.handler is None:
        return SyntaxProblem("incomplete")
    return Command(node.handler[0], node.handler[1], tuple(keywords), args)


def _keyword(node: Node, word: str) -> str | SyntaxProblem | None:
    lowered = word.lower()
    if lowered in node.keywords:
        return lowered
    matches = [k for k in node.keywords if k.startswith(lowered)]
    if len(matches) == 1 and node.argument is None:
        return matches[0]
    if len(matches) > 1 and node.argument is None:
        return SyntaxProblem("ambiguous")
    return None


# --- what the line editor's ? and TAB show ----------------------------------------------------


def _walk(words: list[str]) -> Node | None:
    """The grammar node after ``words`` (each a keyword, its prefix, or an argument), or None."""
    node = ROOT
    for word in words:
        keyword = _keyword(node, word)
        if isinstance(keyword, str):
            node = node.keywords[keyword]
        elif keyword is None and node.argument is not None and ARGUMENTS[node.argument[0]].match(word):
            node = node.argument[1]
        else:
            return None
    return node


def _split(line: str) -> tuple[list[str], str]:
    """The finished words of ``line`` and the word being typed (``""`` after a blank)."""
    words = line.split()
    return (words, "") if not words or line[-1].isspace() else (words[:-1], words[-1])


def completions(line: str) -> list[str]:
    """The keywords that can complete the word being typed at the end of ``line`` (TAB)."""
    words, partial = _split(line)
    node = _walk(words)
    return [] if node is None else sorted(k for k in node.keywords if k.startswith(partial.lower()))


def help_lines(line: str) -> list[str]:
    """What ``?`` lists at the end of ``line``: the keywords that fit, ``<argument>`` where an
    argument may follow, ``<cr>`` where the command is complete."""
    words, partial = _split(line)
    node = _walk(words)
    if node is None:
        return ["%% Invalid input detected at '^' marker."]
    choices = completions(line)
    if node.argument is not None and (not partial or ARGUMENTS[node.argument[0]].match(partial)):
        choices.append(f"<{node.argument[0]}>")
    if node.handler is not None and not partial:
        choices.append("<cr>")
    return [f"  {choice}" for choice in choices]
