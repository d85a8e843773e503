"""Transports move bytes: a serial console URL (pyserial) or the system OpenSSH client (pexpect).

Both give a session the same :class:`Transport` interface.
"""

from drivers.transports.base import Transport
from drivers.transports.serial import SerialTransport
from drivers.transports.ssh import SshTransport

__all__ = ["SerialTransport", "SshTransport", "Transport"]
