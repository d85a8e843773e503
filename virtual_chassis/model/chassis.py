"""State of one virtual NETGEAR 8800 chassis with two MSMs (no I/O: timers come from a Clock).

Lifecycle of an MSM: ``DOWN`` (shutting down, or powered off) -> ``INIT`` (BootROM and image
load, boot text on the console) -> ``STANDBY`` (``login:`` shown, waiting for the election) ->
``MASTER`` or ``BACKUP``. A backup is checkpointed by a :class:`Replication`; it shows
``BACKUP (In Sync)`` once the bulk checkpoint is complete.

Endpoints learn about changes through :meth:`Chassis.subscribe` (a :class:`Notice` per change).
"""

from __future__ import annotations

from collections import deque
from typing import Callable

from .clock import Clock
from .config import CONFIG_FILES, Refusal, RunningConfig, SavedConfig, config_file
from .faults import Faults
from .firmware import Firmware
from .msm import Msm, NodeState, Notice, check_version
from .replication import Replication, copy_saved_configs, idle_progress
from .replication import ProcessProgress

__all__ = ["Chassis", "Msm", "NodeState", "Notice", "Refusal", "MASTER_ONLY", "NO_BACKUP", "check_version"]

MASTER_ONLY = "This command can only be executed on Master."
NO_BACKUP = "No backup MSM is available."
NOT_IN_SYNC = 'Backup MSM is not in sync with the master. Use "run msm-failover force" to override.'
SLOTS = ("A", "B")


class Chassis:
    """Two MSMs, election, replication, failover, synchronize, reboots and power."""

    def __init__(self, clock: Clock, sysname: str = "XCM8810",
                 versions: tuple[str, str] = ("12.4.2.8", "12.4.2.8"),
                 secondary: str = "12.4.1.5", mac: str = "00:04:96:52:A4:00",
                 event_limit: int = 1000):
        for version in (*versions, secondary):
            check_version(version)
        self.clock = clock
        self.default_sysname = sysname
        self.mac = mac
        self.events: deque[dict] = deque(maxlen=event_limit)
        self.replication: Replication | None = None
        self._listeners: list[Callable[[Notice], None]] = []
        self._election_pending = False
        self._last_master: str | None = None
        self.faults = Faults(self)
        self.msms = {f"MSM-{slot}": self._new_msm(slot, v, secondary) for slot, v in zip(SLOTS, versions)}
        self.firmware = Firmware(self)    # images: download, install, use image
        self._start_booted()

    def _new_msm(self, slot: str, version: str, secondary: str) -> Msm:
        running = RunningConfig(sysname=self.default_sysname)
        saved = SavedConfig(running.render(), self.clock.wall(), version)
        return Msm(slot, {"primary": version, "secondary": secondary}, {"primary.cfg": saved},
                   running, version, boot_time=self.clock.wall())

    def _start_booted(self) -> None:
        """Power-up state: MSM-A MASTER, MSM-B BACKUP (In Sync unless incompatible)."""
        a, b = self.msms["MSM-A"], self.msms["MSM-B"]
        self._set_state(a, NodeState.MASTER, "start")
        self._set_state(b, NodeState.BACKUP, "start")
        self.replication = Replication(self.clock, a, b, self._in_sync, self.faults.stall_percent)
        self.replication.start_in_sync()
        if self.replication.in_sync:
            self._in_sync(self.replication)
        self._last_master = a.name

    # --- subscriptions and the event log ----------------------------------------------------

    def subscribe(self, listener: Callable[[Notice], None]) -> None:
        self._listeners.append(listener)

    def unsubscribe(self, listener: Callable[[Notice], None]) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def _notify(self, kind: str, msm: str | None = None, **data) -> None:
        notice = Notice(kind, msm, data)
        for listener in list(self._listeners):
            listener(notice)

    def _event(self, msm: Msm, old: str, new: str, what: str) -> None:
        self.events.append({"t": self.clock.wall(), "msm": msm.name, "from": old, "to": new, "what": what})
        self._notify("state", msm.name, old=old, new=new, what=what)

    def _log(self, subject: Msm, severity: str, component: str, text: str) -> None:
        master = self.master()
        origin = master.name if master else subject.name
        consoles = sorted({subject.name, origin})
        self._notify("log", origin, severity=severity, component=component, text=text,
                     consoles=consoles, t=self.clock.wall())

    def events_since(self, since: float = 0.0) -> list[dict]:
        return [dict(e) for e in self.events if e["t"] > since]

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

    # --- state changes ----------------------------------------------------------------------

    def _set_state(self, msm: Msm, new: NodeState, what: str) -> None:
        old_display, old = self.display_state(msm), msm.state
        msm.state = new
        new_display = self.display_state(msm) or new.value
        if old_display != new_display or old is not new:
            self._event(msm, old_display or old.value, new_display, what)
            if msm.powered:
                self._log(msm, "Noti", "DM.Notice",
                          f"Node {msm.name} changed state from {old.value} to {new.value}")

    def _settle(self) -> None:
        """Tell endpoints when the master changed (management SSH follows the master)."""
        master = self.master()
        name = master.name if master else None
        if name != self._last_master:
            old, self._last_master = self._last_master, name
            self._notify("master", name, old=old, new=name)

    def _after(self, duration: str | float, fn: Callable[[Msm], None], msm: Msm) -> None:
        """Run ``fn(msm)`` after a named duration (or real seconds) unless the MSM rebooted or
        lost power since."""
        epoch = msm.epoch
        seconds = self.clock.duration(duration) if isinstance(duration, str) else duration

        def fire() -> None:
            if msm.epoch == epoch:
                fn(msm)
                self._settle()

        self.clock.after(seconds, fire)

    def _drop_replication(self, msm: Msm) -> None:
        rep = self.replication
        if rep is not None and msm in (rep.master, rep.backup):
            rep.cancel()
            self.replication = None

    def _reboot(self, msm: Msm, what: str) -> None:
        msm.epoch += 1
        self._drop_replication(msm)
        self._notify("rebooting", msm.name)
        self._set_state(msm, NodeState.DOWN, what)
        msm.boot_due = self.clock.now() + self.clock.scaled(self.clock.duration("shutdown"))
        if not self.faults.stays_down(msm, what):
            self._after("shutdown", self._start_boot, msm)

    def _start_boot(self, msm: Msm) -> None:
        msm.epoch += 1
        msm.image_booted = msm.image_selected
        msm.booted_version = msm.images[msm.image_booted]
        self._set_state(msm, NodeState.INIT, "boot")
        self._notify("booting", msm.name, partition=msm.image_booted, version=msm.booted_version)
        self._after(self.faults.boot_seconds(msm) or "boot", self._boot_done, msm)

    def _boot_done(self, msm: Msm) -> None:
        saved = msm.flash.get(msm.config_selected)
        msm.running = (RunningConfig.parse(saved.content, self.default_sysname) if saved
                       else RunningConfig(sysname=self.default_sysname))
        msm.config_booted = msm.config_selected
        msm.boot_time, msm.boot_count = self.clock.wall(), msm.boot_count + 1
        self._notify("ready", msm.name)
        if msm.sync_pending:
            self._after("image_copy", self._sync_copy, msm)
            return
        self._set_state(msm, NodeState.STANDBY, "boot complete")
        self._schedule_election()

    def _schedule_election(self) -> None:
        if self._election_pending:
            return
        self._election_pending = True

        def elect() -> None:
            self._election_pending = False
            self._elect()
            self._settle()

        self.clock.after(self.clock.duration("election"), elect)

    def _elect(self) -> None:
        standby = [m for m in self.msms.values() if m.powered and m.state is NodeState.STANDBY]
        if self.master() is None and standby and self._peer_still_booting(standby):
            return  # its boot_done schedules the election again
        if self.master() is None and standby:
            winner = min(standby, key=_election_rank)
            self._set_state(winner, NodeState.MASTER, "election")
            standby.remove(winner)
        for msm in standby:
            self._become_backup(msm)

    def _peer_still_booting(self, standby: list[Msm]) -> bool:
        """An MSM that started booting together with the candidates takes part in the election.

        Boots are grouped by when they were meant to start, not by when the loop ran them, so
        the outcome does not depend on scheduling jitter at high speed factors.
        """
        window = self.clock.scaled(self.clock.duration("election"))
        first = min(m.boot_due for m in standby)
        return any(m.powered and m.state is NodeState.INIT and not m.sync_pending
                   and abs(m.boot_due - first) <= window for m in self.msms.values())

    def _become_backup(self, msm: Msm) -> None:
        master = self.master()
        self._set_state(msm, NodeState.BACKUP, "election")
        rep = Replication(self.clock, master, msm, self._in_sync, self.faults.stall_percent)
        self.replication = rep
        rep.start()
        if not rep.compatible:
            self._log(msm, "Warn", "DM.Warning",
                      f"Backup {msm.name} runs XCM8800 {msm.booted_version}, incompatible with "
                      f"{master.booted_version} on the master; checkpointing is disabled")

    def _in_sync(self, rep: Replication) -> None:
        if rep is not self.replication:
            return
        self._event(rep.backup, "BACKUP", "BACKUP (In Sync)", "bulk checkpoint complete")
        self._log(rep.backup, "Info", "DM.Info", f"Backup {rep.backup.name} is in sync with the master")

    def _take_over(self, new: Msm, what: str) -> None:
        if not self.faults.takes_over(new):
            self._set_state(new, NodeState.FAIL, what)
            self._log(new, "Crit", "NM.NodeStateFail",
                      f"Node {new.name} changed state to FAIL (Process Failure) while taking over ({what})")
            return
        self._set_state(new, NodeState.MASTER, what)
        self._log(new, "Warn", "DM.Warning", f"{new.name} is now the master ({what})")

    def _lose_master(self, master: Msm, how: Callable[[Msm, str], None], what: str) -> None:
        """The master goes away: an in-sync backup takes over, any other backup reboots."""
        backup = self.backup()
        synced = backup is not None and self.in_sync(backup)
        how(master, what)
        if synced:
            self._take_over(backup, f"failover after {what}")
        elif backup is not None:
            self._reboot(backup, "master lost before the backup was in sync")

    def _power_off(self, msm: Msm, what: str = "power off") -> None:
        msm.epoch += 1
        msm.sync_pending = False
        self._drop_replication(msm)
        self._notify("power_off", msm.name)
        self._set_state(msm, NodeState.DOWN, what)
        msm.powered = False

    def _sync_copy(self, msm: Msm) -> None:
        msm.sync_pending = False
        master = self.master()
        if master is not None:
            msm.images = dict(master.images)
            msm.image_selected = master.image_selected
            copy_saved_configs(master, msm)
            self._log(msm, "Info", "DM.Info",
                      f"{msm.name} received both images and configurations from {master.name}")
        self._reboot(msm, "synchronize")

    # --- operations (CLI and control channel) -----------------------------------------------

    def require_master(self, on: str) -> Msm:
        msm = self.msm(on)
        if msm is not self.master():
            raise Refusal(MASTER_ONLY)
        return msm

    def failover(self, on: str, force: bool = False) -> Msm:
        """``run msm-failover {force}``; returns the new master."""
        master = self.require_master(on)
        backup = self.backup()
        if backup is None:
            raise Refusal(NO_BACKUP)
        if not self.in_sync(backup) and not force:
            raise Refusal(NOT_IN_SYNC)
        self._reboot(master, "failover")
        self._take_over(backup, "failover")
        self._settle()
        return backup

    def synchronize(self, on: str) -> Msm:
        """Make the backup a copy of the master (two backup reboots); returns the backup."""
        self.require_master(on)
        backup = self.backup()
        if backup is None:
            raise Refusal(NO_BACKUP)
        backup.sync_pending = True
        self._reboot(backup, "synchronize")
        return backup

    def reboot_chassis(self) -> None:
        for msm in self.msms.values():
            if msm.powered:
                self._reboot(msm, "reboot")
        self._settle()

    def reboot_msm(self, name: str) -> None:
        msm = self.msm(name)
        if not msm.powered:
            raise Refusal(f"{msm.name} is not powered on.")
        if msm is self.master():
            self._lose_master(msm, self._reboot, f"reboot {msm.name}")
        else:
            self._reboot(msm, f"reboot {msm.name}")
        self._settle()

    def power(self, name: str, action: str) -> None:
        """Control channel: ``on``, ``off`` or ``cycle`` one MSM."""
        msm = self.msm(name)
        if action not in ("on", "off", "cycle"):
            raise Refusal(f'Unknown power action "{action}": use on, off or cycle.')
        if action in ("off", "cycle") and msm.powered:
            if msm is self.master():
                self._lose_master(msm, self._power_off, "power off")
            else:
                self._power_off(msm)
        if action in ("on", "cycle") and not msm.powered:
            msm.powered = True
            msm.boot_due = self.clock.now()
            self._start_boot(msm)
        self._settle()

    def boot_again(self, name: str) -> None:
        """Control channel (clearing faults): reboot an MSM that failed, stays down or boots slowly."""
        msm = self.msm(name)
        if msm.powered and msm.state in (NodeState.FAIL, NodeState.DOWN, NodeState.INIT):
            self._reboot(msm, "faults cleared")
            self._settle()

    def announce(self, kind: str) -> None:
        """Tell every endpoint something without an MSM (``faults_cleared``)."""
        self._notify(kind)

    def backup_down(self) -> Msm:
        """Power off the current backup."""
        backup = self.backup()
        if backup is None:
            raise Refusal(NO_BACKUP)
        self.power(backup.name, "off")
        return backup

    def set_version(self, name: str, version: str, partition: str | None = None,
                    reboot: bool = True) -> None:
        """Install ``version`` in a partition (default: the booted one), then reboot that MSM."""
        msm = self.msm(name)
        check_version(version)
        partition = partition or msm.image_booted
        if partition not in ("primary", "secondary"):
            raise Refusal(f'Unknown partition "{partition}": use primary or secondary.')
        msm.images[partition] = version
        if reboot and msm.powered:
            self.reboot_msm(msm.name)

    # --- configuration ----------------------------------------------------------------------

    def configure(self, on: str, change: Callable[[RunningConfig], None]) -> None:
        """Apply a change to the master's running configuration and relay it to the backup."""
        master = self.require_master(on)
        trial = master.running.copy()
        change(trial)
        trial.unsaved = True
        master.running = trial
        if self.replication:
            self.replication.relay_running()

    def save_config(self, on: str, word: str | None = None) -> tuple[str, bool]:
        """Save the running configuration; returns (file, replicated to a backup)."""
        master = self.require_master(on)
        name = config_file(word, master.config_selected)
        master.flash[name] = SavedConfig(master.running.render(), self.clock.wall(), master.booted_version)
        master.running.unsaved = False
        rep = self.replication
        if rep is None:
            return name, False
        rep.relay_saved()
        rep.relay_running()
        return name, rep.compatible

    def use_config(self, on: str, word: str) -> str:
        master = self.require_master(on)
        name = config_file(word, master.config_selected)
        if name not in CONFIG_FILES or name not in master.flash:
            raise Refusal(f"Configuration file {name} does not exist. Save a configuration to it first.")
        master.config_selected = name
        if self.replication:
            self.replication.relay_saved()
        return name


def _election_rank(msm: Msm) -> tuple[int, int, str]:
    """Lower wins: any set priority (1..100, lower first) beats unset (0); then MSM-A."""
    priority = msm.running.priorities.get(msm.slot, 0)
    return (0, priority, msm.slot) if priority else (1, 0, msm.slot)
