"""State of one virtual NETGEAR 8800 chassis with two MSMs (no I/O: timers come from a Clock).

Lifecycle of an MSM: ``DOWN`` (shutting down, or powered off) -> ``INIT`` (BootROM and image
load, boot text on the console) -> ``STANDBY`` (``login:`` shown, waiting for the election) ->
``MASTER`` or ``BACKUP``. A backup is checkpointed by a :class:`Replication`; it shows
``BACKUP (In Sync)`` once the bulk checkpoint is complete.

:class:`Chassis` holds the operations the CLI and the control channel ask for (failover,
synchronize, reboots, power, configuration); the MSMs and their queries are in
:class:`~.nodes.Nodes`, the election in :mod:`.election`, boots and power in :mod:`.boots`.
Endpoints learn about changes through :meth:`Chassis.subscribe` (a :class:`Notice` per change).
"""

from __future__ import annotations

from collections.abc import Callable

from ..hardware import DEFAULT_MODEL, MODELS, Hardware
from .boots import Boots
from .clock import Clock
from .config import CONFIG_FILES, Refusal, RunningConfig, SavedConfig, config_file
from .election import Election
from .faults import Faults
from .firmware import Firmware
from .msm import Msm, NodeState, Notice, check_version, release
from .nodes import Nodes

__all__ = ["Chassis", "Msm", "NodeState", "Notice", "Refusal", "MASTER_ONLY", "NO_BACKUP", "check_version"]

MASTER_ONLY = "This command can only be executed on Master."
NO_BACKUP = "No backup MSM is available."
NOT_IN_SYNC = 'Backup MSM is not in sync with the master. Use "run msm-failover force" to override.'
#: The lowest release that can synchronize: the manual only says both nodes must run "a version
#: of XCM8800 that supports synchronization"; EXOS on BD8800 needs 11.5 [EX] (XCM8800: [INF]).
SYNC_MIN_RELEASE = "11.5"
#: ``synchronize`` with an MSM on an older release [INF]: the device's text was not found; it is
#: answered like any command the software does not support, one ``Error: ...`` line.
SYNC_UNSUPPORTED = "{msm} runs {version}, which does not support synchronize (release {minimum} or later needed)."
SLOTS = ("A", "B")


class Chassis(Nodes):
    """Two MSMs and the operations on them: failover, synchronize, reboots, power, configuration."""

    def __init__(
        self,
        clock: Clock,
        sysname: str = "XCM8810",
        versions: tuple[str, str] = ("12.4.2.8", "12.4.2.8"),
        secondary: str = "12.4.1.5",
        mac: str = "00:04:96:52:A4:00",
        event_limit: int = 1000,
        sync_min_release: str = SYNC_MIN_RELEASE,
        hardware: Hardware = MODELS[DEFAULT_MODEL],
    ):
        for version in (*versions, secondary):
            check_version(version)
        super().__init__(clock, event_limit)
        self.sync_min_release = sync_min_release
        self.hardware = hardware
        self.default_sysname = sysname
        self.mac = mac
        self.faults = Faults(self)
        self.election = Election(self, self.faults.stall_percent)
        self.boots = Boots(self, self.election, self.faults, sysname)
        self.msms = {f"MSM-{slot}": self._new_msm(slot, v, secondary) for slot, v in zip(SLOTS, versions, strict=True)}
        self.firmware = Firmware(self)  # images: download, install, use image
        self._start_booted()

    def _new_msm(self, slot: str, version: str, secondary: str) -> Msm:
        running = RunningConfig(sysname=self.default_sysname)
        saved = SavedConfig(running.render(), self.clock.wall(), version)
        return Msm(
            slot,
            {"primary": version, "secondary": secondary},
            {"primary.cfg": saved},
            running,
            version,
            boot_time=self.clock.wall(),
        )

    def _start_booted(self) -> None:
        """Power-up state: MSM-A MASTER, MSM-B BACKUP (In Sync unless incompatible)."""
        a, b = self.msms["MSM-A"], self.msms["MSM-B"]
        self.set_state(a, NodeState.MASTER, "start")
        self.set_state(b, NodeState.BACKUP, "start")
        rep = self.election.checkpoint(a, b)
        rep.start_in_sync()
        if rep.in_sync:
            self.election.in_sync_now(rep)
        self._last_master = a.name

    def _start_boot(self, msm: Msm) -> None:
        """Boot ``msm`` now (tests start a boot late, as scheduling jitter would)."""
        self.boots.start_boot(msm)

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
        self.boots.reboot(master, "failover")
        self.boots.take_over(backup, "failover")
        self.settle()
        return backup

    def synchronize(self, on: str) -> Msm:
        """Make the backup a copy of the master (two backup reboots); returns the backup."""
        self.require_master(on)
        backup = self.backup()
        if backup is None:
            raise Refusal(NO_BACKUP)
        refusal = self.sync_refusal()
        if refusal:
            raise Refusal(refusal)
        backup.sync_pending = True
        self.boots.reboot(backup, "synchronize")
        return backup

    def cannot_synchronize(self, version: str) -> bool:
        """True for a release older than the lowest one that supports ``synchronize``."""
        return release(version) < release(self.sync_min_release)

    def sync_refusal(self) -> str | None:
        """Why ``synchronize`` is refused (the master or the backup runs a release too old), or None."""
        for msm in (self.master(), self.backup()):
            if msm is not None and self.cannot_synchronize(msm.booted_version):
                return SYNC_UNSUPPORTED.format(msm=msm.name, version=msm.booted_version, minimum=self.sync_min_release)
        return None

    def install_release_without_sync(self, name: str, version: str | None = None) -> str:
        """Control channel: boot ``name`` on a release too old to synchronize; returns that release."""
        minimum = release(self.sync_min_release)
        version = version or f"{minimum[0] - 1}.6.1.3"
        check_version(version)
        if not self.cannot_synchronize(version):
            raise Refusal(f"{version} supports synchronize (the lowest release that does is {self.sync_min_release}).")
        self.set_version(name, version)
        return version

    def reboot_chassis(self) -> None:
        for msm in self.msms.values():
            if msm.powered:
                self.boots.reboot(msm, "reboot")
        self.settle()

    def reboot_msm(self, name: str) -> None:
        msm = self.msm(name)
        if not msm.powered:
            raise Refusal(f"{msm.name} is not powered on.")
        if msm is self.master():
            self.boots.lose_master(msm, self.boots.reboot, f"reboot {msm.name}")
        else:
            self.boots.reboot(msm, f"reboot {msm.name}")
        self.settle()

    def power(self, name: str, action: str) -> None:
        """Control channel: ``on``, ``off`` or ``cycle`` one MSM."""
        msm = self.msm(name)
        if action not in ("on", "off", "cycle"):
            raise Refusal(f'Unknown power action "{action}": use on, off or cycle.')
        if action in ("off", "cycle") and msm.powered:
            if msm is self.master():
                self.boots.lose_master(msm, self.boots.power_off, "power off")
            else:
                self.boots.power_off(msm)
        if action in ("on", "cycle") and not msm.powered:
            self.boots.power_on(msm)
        self.settle()

    def clear_sys_recovery(self) -> None:
        """``clear sys-recovery-level``: the I/O modules system recovery shut down are restored."""
        for msm in self.msms.values():
            msm.shutdown_slots = ()

    def boot_again(self, name: str) -> None:
        """Control channel (clearing faults): reboot an MSM that failed, stays down or boots slowly."""
        msm = self.msm(name)
        if msm.powered and msm.state in (NodeState.FAIL, NodeState.DOWN, NodeState.INIT):
            self.boots.reboot(msm, "faults cleared")
            self.settle()

    def announce(self, kind: str) -> None:
        """Tell every endpoint something without an MSM (``faults_cleared``)."""
        self.journal.notify(kind)

    def backup_down(self) -> Msm:
        """Power off the current backup."""
        backup = self.backup()
        if backup is None:
            raise Refusal(NO_BACKUP)
        self.power(backup.name, "off")
        return backup

    def set_version(self, name: str, version: str, partition: str | None = None, reboot: bool = True) -> None:
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

    def configure(self, on: str, change: Callable[[RunningConfig], None], process: str | None = None) -> None:
        """Apply a change to the master's running configuration and relay it to the backup
        (through the ``process`` that owns it, e.g. ``vlan``, as well as cfgmgr)."""
        master = self.require_master(on)
        trial = master.running.copy()
        change(trial)
        trial.unsaved = True
        master.running = trial
        if self.replication:
            self.replication.relay_running(process)

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
