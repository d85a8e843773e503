"""A password that cannot be printed by accident.

:class:`Secret` holds a credential; its ``repr`` and ``str`` are ``********``, so a traceback
that shows arguments or locals (pytest ``--tb=long``, ``-l``), a log line or an f-string never
shows the value. The value comes out only through :meth:`Secret.reveal_bytes`, which a
transport calls inside the operating-system write (``os.write(fd, secret.reveal_bytes())``),
so no Python frame holds the plaintext in a local.
"""

from __future__ import annotations

MASK = "********"


class Secret:
    """A credential (text) whose printed forms are masked; see the module docstring."""

    __slots__ = ("_value",)
    _value: str

    def __init__(self, value: str | Secret = "") -> None:
        self._value = value._value if isinstance(value, Secret) else str(value)

    @classmethod
    def of(cls, value: str | Secret | None) -> Secret:
        """``value`` as a Secret (a Secret stays itself; None is the empty password)."""
        if isinstance(value, Secret):
            return value
        return cls("" if value is None else value)

    def reveal(self) -> str:
        """The plaintext. Only for masking lists and for handing it to a child process over a
        pipe; never bind the result to a name that a traceback may show."""
        return self._value

    def reveal_bytes(self) -> bytes:
        """The plaintext as UTF-8, for the operating-system write and nothing else."""
        return self._value.encode()

    def shown(self) -> str:
        """What a transcript shows for it: ``********`` plus the line ending it was sent with."""
        ending = len(self._value) - len(self._value.rstrip("\r\n"))
        return (MASK if len(self._value) > ending else "") + self._value[len(self._value) - ending :]

    def __add__(self, other: str) -> Secret:
        """``password + "\\r"`` stays a Secret."""
        return Secret(self._value + other)

    def __bool__(self) -> bool:
        return bool(self._value)

    def __len__(self) -> int:
        return len(self._value)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Secret):
            return self._value == other._value
        return NotImplemented

    def __hash__(self) -> int:
        return hash(("Secret", self._value))

    def __repr__(self) -> str:
        return f"Secret({MASK!r})" if self._value else "Secret('')"

    def __str__(self) -> str:
        return MASK if self._value else ""

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)

    def __reduce__(self) -> tuple:
        raise TypeError("a Secret is not pickled (it would leave the process in plain text)")


def plain(value: str | bytes | Secret) -> bytes:
    """Bytes for the operating-system write: a Secret revealed, text encoded, bytes as they are.

    Call it only as the argument of the write itself (``os.write(fd, plain(data))``)."""
    if isinstance(value, Secret):
        return value.reveal_bytes()
    return value.encode() if isinstance(value, str) else bytes(value)
