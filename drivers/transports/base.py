"""The byte-moving interface every transport (serial console, SSH) offers to a session."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

from drivers.deadline import Deadline

if TYPE_CHECKING:
    from drivers.transcript import Transcript


@runtime_checkable
class Transport(Protocol):
    """Moves bytes to and from one MSM console or the management SSH service.

    ``transcript`` (may be None) records every byte read and written, masked.
    """

    name: str
    """For transcripts and messages, e.g. ``"ssh admin@127.0.0.1:2222"``."""
    kind: str
    """``"ssh"`` or ``"console"``."""
    transcript: Transcript | None

    def open(self, deadline: Deadline) -> None:
        """Connect; raise :class:`~drivers.errors.ConnectionFailed` (or a subclass) on failure."""

    def read(self, timeout: float) -> bytes:
        """What arrived within ``timeout`` seconds (``b""`` if nothing); ConnectionLost on EOF."""

    def write(self, data: bytes) -> None:
        """Send ``data``; raise :class:`~drivers.errors.ConnectionLost` if the link is gone."""

    def close(self) -> None:
        """Release the link; idempotent and fast."""

    @property
    def is_open(self) -> bool:
        """True between a successful ``open`` and ``close`` or a lost connection."""
