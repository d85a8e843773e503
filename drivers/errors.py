"""The one exception tree of the project.

Every error says what happened and what to do about it. Drivers raise the transport and
session errors below; the harness adds its own subclasses of :class:`HilError`.
"""


class HilError(Exception):
    """Root of every error the harness raises on purpose."""


class ConnectionFailed(HilError):
    """A transport could not be opened (refused, unreachable, no such device)."""


class ConnectionLost(HilError):
    """An open transport closed under the session (EOF, hang-up, reset)."""


class HostKeyChanged(ConnectionFailed):
    """The SSH host key differs from the one recorded for that address."""


class LoginFailed(HilError):
    """The device refused the credentials, or never offered a login."""


class Timeout(HilError, TimeoutError):
    """A deadline passed while waiting for something the device should have printed (also a
    :class:`TimeoutError`, so code that knows nothing of the harness catches it as one)."""


class CommandError(HilError):
    """The device answered a command with an error line (``Error: ...``, ``%% ...``)."""

    def __init__(self, message: str, result=None):
        super().__init__(message)
        self.result = result


class SessionBusy(HilError):
    """A second thread used a session while one thread was using it (its bytes would interleave)."""


class OutputLimit(HilError):
    """The device printed more than the session's limit without reaching a prompt: the
    command is cut off (the link is dropped) so memory and the transcript stay bounded."""


class DeviceRebooted(HilError):
    """The device rebooted (or the SSH session was dropped) while a command ran."""
