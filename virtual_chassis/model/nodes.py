"""The two MSMs of a chassis and what every part of the model reads and changes of them: which
is master and backup, whether the backup is in sync, node state changes, timers that die with a
reboot, and the log and notices those changes produce."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .clock import Clock
from .config import Refusal
from .journal import Journal, Listener
from .msm import Msm, NodeState
from .replication import ProcessProgress, Replication, idle_progress


class Nodes:
    """The MSMs (``msms`` by name), the running :class:`Replication` and the :class:`Journal`."""

    def __init__(self, clock: Clock, event_limit: int = 1000):
        self.clock = clock
        self.msms: dict[str, Msm] = {}
        self.replication: Replication | None = None
        self.journal = Journal(event_limit)
        self._last_master: str | None = None

    # --- notices and the event log ----------------------------------------------------------

    @property
    def events(self) -> Any:
        return self.journal.events

    def subscribe(self, listener: Listener) -> None:
        self.journal.subscribe(listener)

    def unsubscribe(self, listener: Listener) -> None:
        self.journal.unsubscribe(listener)

    def events_since(self, since: float = 0.0) -> list[dict]:
        return self.journal.since(since)

    def log(self, subject: Msm, severity: str, component: str, text: str) -> None:
        """A log line about ``subject``, shown on its console and on the master's."""
        master = self.master()
        origin = master.name if master else subject.name
        consoles = sorted({subject.name, origin})
        self.journal.notify(
            "log", origin, severity=severity, component=component, text=text, consoles=consoles, t=self.clock.wall()
        )

    # --- queries ----------------------------------------------------------------------------

    def msm(self, name: str) -> Msm:
        """Resolve ``A``, ``b``, ``MSM-A`` or ``msm-b``; unknown names raise ``Refusal``."""
        key = name.strip().upper()
        key = key if key.startswith("MSM-") else f"MSM-{key}"
        if key not in self.msms:
            raise Refusal(f'Unknown MSM "{name}": use A or B.')
        return self.msms[key]

    def master(self) -> Msm | None:
        return next((m for m in self.msms.values() if m.powered and m.state is NodeState.MASTER), None)

    def backup(self) -> Msm | None:
        return next((m for m in self.msms.values() if m.powered and m.state is NodeState.BACKUP), None)

    def peer(self, msm: Msm) -> Msm:
        return self.msms["MSM-B" if msm.slot == "A" else "MSM-A"]

    def in_sync(self, msm: Msm) -> bool:
        rep = self.replication
        return rep is not None and rep.backup is msm and rep.in_sync

    def display_state(self, msm: Msm) -> str:
        """``Current State`` of ``show switch``; empty for a powered-off MSM."""
        if not msm.powered:
            return ""
        if msm.state is NodeState.BACKUP and self.in_sync(msm):
            return "BACKUP (In Sync)"
        return msm.state.value

    def checkpoint_progress(self) -> list[ProcessProgress]:
        return self.replication.progress() if self.replication else idle_progress()

    # --- changes ----------------------------------------------------------------------------

    def set_state(self, msm: Msm, new: NodeState, what: str) -> None:
        old_display, old = self.display_state(msm), msm.state
        msm.state = new
        new_display = self.display_state(msm) or new.value
        if old_display != new_display or old is not new:
            self.event(msm, old_display or old.value, new_display, what)
            if msm.powered:
                self.log(msm, "Noti", "DM.Notice", f"Node {msm.name} changed state from {old.value} to {new.value}")

    def event(self, msm: Msm, old: str, new: str, what: str) -> None:
        self.journal.record(
            {"t": self.clock.wall(), "lab": self.clock.lab(), "msm": msm.name, "from": old, "to": new, "what": what}
        )
        self.journal.notify("state", msm.name, old=old, new=new, what=what)

    def settle(self) -> None:
        """Tell endpoints when the master changed (management SSH follows the master)."""
        master = self.master()
        name = master.name if master else None
        if name != self._last_master:
            old, self._last_master = self._last_master, name
            self.journal.notify("master", name, old=old, new=name)

    def after(self, duration: str | float, fn: Callable[[Msm], None], msm: Msm) -> None:
        """Run ``fn(msm)`` after a named duration (or real seconds) unless the MSM rebooted or
        lost power since."""
        epoch = msm.epoch
        seconds = self.clock.duration(duration) if isinstance(duration, str) else duration

        def fire() -> None:
            if msm.epoch == epoch:
                fn(msm)
                self.settle()

        self.clock.after(seconds, fire)

    def drop_replication(self, msm: Msm) -> None:
        rep = self.replication
        if rep is not None and msm in (rep.master, rep.backup):
            rep.cancel()
            self.replication = None
