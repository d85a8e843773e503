"""A recording for machines: a session's traffic as JSON lines, beside its transcript.

A :class:`Recording` is a transcript tap (:class:`drivers.transcript.Tap`): it gets the text the
transcript writes, secrets already masked, and writes one JSON object a line::

    {"chassis": "lab1", "session": "MSM-A", "transport": "serial", "started": "2026-12-01T21:30:00+00:00"}
    {"t": 0.012, "dir": "received", "data": "login: "}
    {"t": 0.020, "dir": "sent", "data": "admin\\r"}
    {"t": 0.021, "dir": "note", "data": "run 'show switch' (timeout 60s)"}

``t`` is seconds since ``started``. Every line is flushed as it is written, so a run that is
interrupted keeps what was recorded; several runs into one file each start with their header.
"""

from __future__ import annotations

import datetime
import json
import os
import threading
import time
from pathlib import Path
from typing import TextIO

from drivers.transcript import NOTE, RECEIVED, SENT

#: A transcript's direction mark -> the recording's ``dir``.
DIRECTIONS = {RECEIVED: "received", SENT: "sent", NOTE: "note"}


class Recording:
    """Writes ``path`` (JSON lines) for the session ``session`` of chassis ``chassis``.

    ``transport`` says how the session reached the device (``"ssh"`` or ``"serial"``);
    ``time_scale`` how many recorded seconds a lab second took (1 on hardware, 1/speed on a
    virtual chassis): written in the header when not 1, so a replay scales its deadlines alike.
    """

    def __init__(self, path: str | os.PathLike, chassis: str, session: str, transport: str, time_scale: float = 1.0):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._started = time.time()
        self._file: TextIO | None = open(self.path, "a", encoding="utf-8")  # noqa: SIM115 - closed by close()
        started = datetime.datetime.fromtimestamp(self._started).astimezone().isoformat(timespec="milliseconds")
        header: dict = {"chassis": chassis, "session": session, "transport": transport, "started": started}
        if time_scale != 1.0:
            header["time_scale"] = time_scale
        self._write(header)

    @property
    def closed(self) -> bool:
        """True once :meth:`close` ran; later traffic is not recorded."""
        return self._file is None

    def record(self, direction: str, text: str, when: float) -> None:
        """One piece of traffic (``direction`` is a transcript mark), already masked."""
        if text:
            self._write({"t": round(when - self._started, 3), "dir": DIRECTIONS.get(direction, "note"), "data": text})

    def close(self) -> None:
        """Flush, fsync and close; idempotent."""
        with self._lock:
            if self._file is None:
                return
            self._file.flush()
            os.fsync(self._file.fileno())
            self._file.close()
            self._file = None

    def _write(self, entry: dict) -> None:
        with self._lock:
            if self._file is None:
                return
            self._file.write(json.dumps(entry, ensure_ascii=False) + "\n")
            self._file.flush()

    def __enter__(self) -> Recording:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
