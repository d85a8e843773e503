"""One thread at a time on a session: a second thread gets a clear error, not a share of the line."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from drivers.errors import SessionBusy


class OneThread:
    """Who uses a session: one thread at a time (the same thread may nest, as connect runs
    ``disable clipaging``); another thread gets :class:`SessionBusy` at once, never a share of
    the bytes on the line."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._lock = threading.Lock()  # guards the two fields below, held for no I/O
        self._owner: threading.Thread | None = None
        self._doing = ""

    @contextmanager
    def holding(self, doing: str) -> Iterator[None]:
        me = threading.current_thread()
        with self._lock:
            owner, before = self._owner, self._doing
            if owner is not None and owner is not me:
                raise SessionBusy(
                    f"{self._name}: thread {me.name} wanted it for {doing} while thread "
                    f"{owner.name} runs {before} on it; give each thread a session of its own"
                )
            self._owner, self._doing = me, doing
        try:
            yield
        finally:
            with self._lock:
                self._owner, self._doing = owner, before  # None again, or the outer call's
