"""A password that cannot be printed by accident, and secrets masked in text and byte streams.

:class:`Secret` holds a credential; its ``repr`` and ``str`` are ``********``, so a traceback
that shows arguments or locals (pytest ``--tb=long``, ``-l``), a log line or an f-string never
shows the value. The value comes out only through :meth:`Secret.reveal_bytes`, which a
transport calls inside the operating-system write (``os.write(fd, secret.reveal_bytes())``),
so no Python frame holds the plaintext in a local.

:func:`mask_text` masks a finished text; a :class:`StreamMasker` masks a stream of chunks
(a transcript's), also a secret cut in two by a chunk boundary.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

MASK = "********"
_MASK_BYTES = MASK.encode()


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


def mask_text(text: str, secrets: Iterable[str | Secret]) -> str:
    """``text`` with every non-empty secret replaced by ``********`` (longest first)."""
    values = (s.reveal() if isinstance(s, Secret) else s for s in secrets)
    for each in sorted((v for v in values if v), key=len, reverse=True):
        text = text.replace(each, MASK)
    return text


class Secrets:
    """Secrets to mask in a stream, prepared once (a new set when one is added)."""

    def __init__(self, values: list[bytes]) -> None:
        self.values = sorted(values, key=len, reverse=True)
        self.pattern = re.compile(b"|".join(re.escape(s) for s in self.values))
        self.texts = [s.decode("utf-8", "replace") for s in self.values]
        self._firsts = [(s, s[:1]) for s in self.values]
        #: secrets that are the start of a longer one: at the very end they may still grow
        self.growing = frozenset(s for s in self.values if any(o != s and o.startswith(s) for o in self.values))

    def occur_in(self, buf: bytes) -> bool:
        """Does a secret occur in ``buf``? (``in`` per secret: faster than the pattern's search.)"""
        for secret in self.values:
            if secret in buf:
                return True
        return False

    def partial_start(self, buf: bytes, after: int) -> int:
        """Where the earliest secret cut off by the end of ``buf`` begins (at or after
        ``after``), or ``len(buf)``: only places holding a secret's first byte are tried."""
        earliest = len(buf)
        for secret, first in self._firsts:
            start = buf.find(first, max(after, len(buf) - len(secret) + 1))
            while 0 <= start < earliest:
                if secret.startswith(buf[start:]):
                    earliest = start
                    break
                start = buf.find(first, start + 1)
        return earliest


class StreamMasker:
    """Masks secrets in a byte stream, holding back a tail that may be the start of one."""

    def __init__(self) -> None:
        self.held = b""

    def feed(self, data: bytes, secrets: Secrets | None) -> bytes:
        """What of ``held`` + ``data`` can be shown now, masked."""
        buf = self.held + data if self.held else data
        if secrets is None:
            self.held = b""
            return buf
        if not secrets.occur_in(buf):  # most chunks: nothing to replace, at most a tail to hold
            cut = secrets.partial_start(buf, 0)
            self.held = buf[cut:]
            return buf[:cut]
        *_, last = secrets.pattern.finditer(buf)  # a secret occurs: the last match is wanted
        if last.end() == len(buf) and last.group(0) in secrets.growing:
            cut = last.start()  # a shorter secret that may grow into a longer one
        else:
            cut = secrets.partial_start(buf, last.end())
        self.held = buf[cut:]
        return secrets.pattern.sub(_MASK_BYTES, buf[:cut])

    def rest(self, secrets: Secrets | None) -> bytes:
        """What is held back, masked: the stream ended (a secret held because a longer one
        might start with it is a whole secret now)."""
        held, self.held = self.held, b""
        return held if secrets is None else secrets.pattern.sub(_MASK_BYTES, held)
