"""Errors of the harness layer: the driver errors plus the harness's own.

Everything here derives from :class:`drivers.errors.HilError`, so a caller that wants to catch
"anything the harness raised on purpose" catches ``HilError``. Every message says what was
wrong and what to do about it, on one line, and never contains a credential.
"""

from __future__ import annotations

from drivers.errors import (
    CommandError,
    ConnectionFailed,
    ConnectionLost,
    DeviceRebooted,
    HilError,
    HostKeyChanged,
    LoginFailed,
    OutputLimit,
    SessionBusy,
    Timeout,
)

_LINE_SHOWN = 100  # characters of an offending device line quoted in a ParseError


def _one_line(text: object) -> str:
    """``text`` as a single line (newlines and runs of blanks collapsed)."""
    return " ".join(str(text).split())


class TestbedError(HilError):
    """The testbed file is missing, unreadable or invalid.

    ``key`` is the dotted path of the offending entry (``chassis.lab1.consoles.MSM-A``), or a
    marker in parentheses (``(file)``, ``(yaml)``) when the problem is the file as a whole.
    """

    __test__ = False  # not a pytest test class, despite the name

    def __init__(self, path: object, key: str, problem: str, fix: str):
        self.path = path
        self.key = key
        self.problem = _one_line(problem)
        self.fix = _one_line(fix)
        super().__init__(f"{path}: {key}: {self.problem}; {self.fix}")

    def __reduce__(self):
        return (type(self), (self.path, self.key, self.problem, self.fix))


class ParseError(HilError):
    """Device output did not have the shape the parser for ``command`` expects.

    ``line`` is the offending output line ("" when the problem is something missing), and
    ``reason`` says what was wrong with it.
    """

    def __init__(self, command: str, line: str, reason: str):
        self.command = command
        self.line = line
        self.reason = _one_line(reason)
        shown = line if len(line) <= _LINE_SHOWN else line[:_LINE_SHOWN] + "..."
        where = f" at line {shown!r}" if line.strip() else ""
        super().__init__(
            f"cannot parse the output of '{command}': {self.reason}{where}; look at the "
            f"transcript: if the command failed, fix its cause; if the device printed a new "
            f"variant of this output, extend harness/parsers"
        )

    def __reduce__(self):
        return (type(self), (self.command, self.line, self.reason))


class NotInSync(HilError):
    """The backup MSM is not in sync with the master; ``reason`` says why."""

    def __init__(self, reason: str):
        self.reason = _one_line(reason)
        super().__init__(
            f"the backup MSM is not in sync with the master: {self.reason}; wait for bulk "
            f"checkpointing to finish, or run 'synchronize' on the master if the software "
            f"differs"
        )

    def __reduce__(self):
        return (type(self), (self.reason,))


class ProcedureFailed(HilError):
    """A step of a procedure (synchronize, failover, upgrade) did not reach its goal."""


class PhaseTimeout(ProcedureFailed, Timeout):
    """A phase of a procedure did not happen by its deadline; the message names the MSM, the
    phase and the deadline. Caught as a ``ProcedureFailed`` or as a ``Timeout`` alike."""


class ChassisUnavailable(HilError):
    """The chassis cannot be reached or its state is unknown; dependent plans must stop."""


class EmulatorCrashed(HilError):
    """The virtual chassis process exited or stopped answering."""


class InUse(HilError):
    """A chassis or a reports folder is held by another run (or the folder cannot take the
    reports); ``hil`` stops at once (exit 2)."""


__all__ = [
    "ChassisUnavailable",
    "CommandError",
    "ConnectionFailed",
    "ConnectionLost",
    "DeviceRebooted",
    "EmulatorCrashed",
    "HilError",
    "HostKeyChanged",
    "InUse",
    "LoginFailed",
    "NotInSync",
    "OutputLimit",
    "ParseError",
    "PhaseTimeout",
    "ProcedureFailed",
    "SessionBusy",
    "TestbedError",
    "Timeout",
]
