"""Drivers: transports (serial console URL, OpenSSH) and the XCM8800 CLI session on top of them.

The harness codes against :class:`Transport`, :class:`CliSession` and :class:`CommandResult`;
prompt recognition, output cleaning and the dialog table are pure and usable on their own.
"""

from drivers.cleaning import Cleaned, clean_output
from drivers.deadline import Deadline
from drivers.dialogs import DEFAULT_DIALOGS, LOGOUT_KEEP_SAVED, Dialog, dialog, find_dialog, with_answers
from drivers.errors import (
    CommandError,
    ConnectionFailed,
    ConnectionLost,
    DeviceRebooted,
    HilError,
    HostKeyChanged,
    LoginFailed,
    SessionBusy,
    Timeout,
)
from drivers.prompt import Prompt, find_login, find_prompt, parse_prompt
from drivers.secret import Secret, mask_text
from drivers.session import CliSession, CommandResult
from drivers.transcript import Transcript
from drivers.transports.base import Transport
from drivers.transports.serial import SerialTransport
from drivers.transports.ssh import SshTransport

__all__ = [
    "CliSession",
    "Cleaned",
    "CommandError",
    "CommandResult",
    "ConnectionFailed",
    "ConnectionLost",
    "DEFAULT_DIALOGS",
    "Deadline",
    "DeviceRebooted",
    "SessionBusy",
    "Dialog",
    "HilError",
    "HostKeyChanged",
    "LOGOUT_KEEP_SAVED",
    "Secret",
    "LoginFailed",
    "Prompt",
    "SerialTransport",
    "SshTransport",
    "Timeout",
    "Transcript",
    "Transport",
    "clean_output",
    "dialog",
    "find_dialog",
    "find_login",
    "find_prompt",
    "mask_text",
    "parse_prompt",
    "with_answers",
]
