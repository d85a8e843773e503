"""The chassis's control (the emulator's control channel, or a lab's power resources) with every
action the harness takes through it written down when it is taken.

Power and faults change the chassis as much as a command does, but they never cross a CLI
session: without a line of their own a recording shows a master that vanished for no reason.
Each action (``power``, ``stall_checkpoint``, ``drop_ssh``, ``tftp``, ...) becomes one
``"dir": "control"`` line of the chassis's ``control`` recording, in lab time like the sessions'
lines, secrets masked; questions (``status``, ``events``) are not actions and are not written.
"""

from __future__ import annotations

import inspect
import re
import time
from collections.abc import Callable, Iterable
from typing import Any

from drivers.recording import Recording
from drivers.secret import MASK, Secret

#: Requests that only ask: not actions, never written.
QUESTIONS = frozenset({"status", "events"})
#: Arguments whose value is a secret whatever it is.
SECRET_NAMES = re.compile(r"password|token|secret|key", re.IGNORECASE)


class RecordedControl:
    """``control`` as it is, but each action is first written by ``recording()`` (made on the
    first action, so a run that takes none has no control recording)."""

    def __init__(self, control: Any, recording: Callable[[], Recording], secrets: Iterable[str | Secret] = ()):
        self._control = control
        self._recording = recording
        self._secrets = [s.reveal() if isinstance(s, Secret) else s for s in secrets]
        self._secrets = [s for s in self._secrets if s]

    @property
    def wrapped(self) -> Any:
        """The control itself (nothing written through it)."""
        return self._control

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._control, name)
        if name.startswith("_") or not callable(value) or name in QUESTIONS:
            return value

        def act(*args: Any, **kwargs: Any) -> Any:
            op, named = _named(name, value, args, kwargs)
            if op not in QUESTIONS:
                self._recording().action(op, {k: self._masked(k, v) for k, v in named.items()}, time.time())
            return value(*args, **kwargs)

        return act

    def _masked(self, name: str, value: Any) -> Any:
        if isinstance(value, Secret) or (SECRET_NAMES.search(name) and value):
            return MASK
        if not isinstance(value, str | int | float | bool | type(None)):
            value = str(value)
        if isinstance(value, str):
            for secret in self._secrets:
                value = value.replace(secret, MASK)
        return value


def _named(name: str, method: Callable, args: tuple, kwargs: dict) -> tuple[str, dict[str, Any]]:
    """The action's name and its arguments by name; ``request(op, **args)`` is the action ``op``."""
    if name == "request" and args:
        op = str(args[0])
        return op, {k: v for k, v in kwargs.items() if k != "deadline"}
    try:
        bound = inspect.signature(method).bind(*args, **kwargs)
    except (TypeError, ValueError):
        return name, {**{f"arg{i}": a for i, a in enumerate(args)}, **kwargs}
    named = dict(bound.arguments)
    for parameter in inspect.signature(method).parameters.values():  # **args folded in by name
        if parameter.kind is inspect.Parameter.VAR_KEYWORD and parameter.name in named:
            named.update(named.pop(parameter.name))
    return name, {k: v for k, v in named.items() if k != "deadline"}
