"""The emulator's XCM8800 CLI: grammar, line editing and login, the command handlers (image
commands and their jobs too), command outputs and the preloaded configuration."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from .grammar import Command, SyntaxProblem, parse
    from .login import Accounts, LoginDialog
    from .ports import Session
    from .preload import preload
    from .session import CliSession

#: public name -> the module of this package that defines it; loaded on first use, so importing
#: one module of the package (``virtual_chassis.cli.outputs``) does not load the others
_WHERE = {
    "Command": "grammar",
    "SyntaxProblem": "grammar",
    "parse": "grammar",
    "Accounts": "login",
    "LoginDialog": "login",
    "Session": "ports",
    "preload": "preload",
    "CliSession": "session",
}
__all__ = ["Accounts", "CliSession", "Command", "LoginDialog", "Session", "SyntaxProblem", "parse", "preload"]


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
