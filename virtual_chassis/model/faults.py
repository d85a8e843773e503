"""Faults a virtual chassis can be told to have, set through the control channel.

Each fault is armed with one control op (:data:`FAULT_OPS`) and stays until ``clear_faults``,
which also repairs what a fault left behind (an MSM in FAIL, held down or booting slowly is
booted again; a stalled checkpoint resumes; a console waiting for AAA gets it). Power, backup
down and incompatible software are not faults here: they are the ``power``, ``backup_down`` and
``set_version`` ops, and the harness restores them itself.

The model, the consoles, SSH and the accounts ask this object at a few points (``stall_percent``,
``takes_over``, ``stays_down``, ``boot_seconds``, ``noisy``, ``drops_ssh``, ``refuses_logins``,
``pending_aaa``); everything else a fault does it does by itself on the chassis's notices.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from typing import Protocol

from .clock import Clock
from .config import Refusal
from .journal import log_line
from .msm import Msm, Notice
from .replication import IDLE, PROCESSES, Replication

FAULT_OPS = (
    "stall_checkpoint",
    "remove_backup_during_synchronize",
    "fail_new_master",
    "old_master_stays_down",
    "slow_boot",
    "console_noise",
    "drop_ssh",
    "wrong_credentials",
    "pending_aaa",
    "fail_boot",
    "clear_faults",
)
#: Log lines console noise inserts (the ``MSM-X:`` origin is the console's own MSM).
NOISE_LOGS = (
    ("Info", "vlan.msgs.portLinkStateUp", "Port 4:32 link UP at speed 100 Mbps and full-duplex"),
    ("Info", "vlan.msgs.portLinkStateDown", "Port 4:32 link down"),
    ("Warn", "HAL.Fan.Warning", "Fan tray 1 speed below threshold"),
    ("Noti", "DM.Notice", "Setting hwclock time to system time, and broadcasting time"),
)
#: Line-noise bytes: C0 controls (no CR, LF, TAB or ESC), DEL, and bytes that are never text.
NOISE_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x1B), *range(0x1C, 0x20), 0x7F, *range(0x80, 0xC0)])
NOISE_ESCAPES = (b"\x1b[K", b"\x1b[0m", b"\x1b[1m")
_LOG_LINE = re.compile(rb"\d\d/\d\d/\d{4} \d\d:\d\d:\d\d\.\d\d <")


class FaultyChassis(Protocol):
    """What the faults need of the chassis: its MSMs, notices, and the operations that repair."""

    clock: Clock
    msms: dict[str, Msm]
    replication: Replication | None

    def subscribe(self, listener: Callable[[Notice], None]) -> None: ...
    def msm(self, name: str) -> Msm: ...
    def backup(self) -> Msm | None: ...
    def reboot_msm(self, name: str) -> None: ...
    def power(self, name: str, action: str) -> None: ...
    def boot_again(self, name: str) -> None: ...
    def announce(self, kind: str) -> None: ...


class Faults:
    """The armed faults of one chassis; see the module docstring."""

    def __init__(self, chassis: FaultyChassis):
        self.chassis = chassis
        self.affected: set[str] = set()  # MSMs to boot again on clear
        self._disarm()
        chassis.subscribe(self._on_notice)

    def _disarm(self) -> None:
        self.stall: tuple[str, int] | None = None  # process, percent
        self.remove_backup = False
        self.fail_takeover = False
        self.hold_old_master = False
        self.slow: dict[str | None, float] = {}  # MSM name (None = every MSM) -> real seconds
        self.noise: dict[str | None, tuple[float, random.Random]] = {}
        self.ssh_drops: list[str] = []  # command prefixes ("" = any command)
        self.wrong_credentials = False
        self.aaa_seconds = 0.0
        self.boot_failures: dict[str | None, tuple[int, ...]] = {}  # MSM name (None = every MSM) -> slots

    # --- the control channel ----------------------------------------------------------------

    def apply(self, op: str, request: dict) -> dict:
        """Arm the fault ``op`` with the request's arguments; Refusal on bad arguments."""
        return getattr(self, f"_arm_{op}")(request)

    def active(self) -> list[str]:
        """Names of the armed faults (for ``status``)."""
        armed = {
            "stall_checkpoint": self.stall,
            "remove_backup_during_synchronize": self.remove_backup,
            "fail_new_master": self.fail_takeover,
            "old_master_stays_down": self.hold_old_master,
            "slow_boot": self.slow,
            "console_noise": self.noise,
            "drop_ssh": self.ssh_drops,
            "wrong_credentials": self.wrong_credentials,
            "pending_aaa": self.aaa_seconds,
            "fail_boot": self.boot_failures,
        }
        return [name for name, value in armed.items() if value]

    def _arm_stall_checkpoint(self, r: dict) -> dict:
        process, percent = str(r["process"]), int(r.get("percent", 40))
        if process not in PROCESSES:
            raise Refusal(f'Unknown process "{process}": use one of {", ".join(PROCESSES)}.')
        if process in IDLE:
            raise Refusal(f'Process "{process}" has nothing to checkpoint: stall one of the others.')
        if not 0 <= percent <= 99:
            raise Refusal("percent must be from 0 to 99 (100 would be a finished checkpoint).")
        self.stall = (process, percent)
        backup = self.chassis.backup()
        if r.get("reboot_backup", True) and backup is not None:
            self.chassis.reboot_msm(backup.name)  # its next bulk checkpoint stalls
        return {"process": process, "percent": percent}

    def _arm_remove_backup_during_synchronize(self, r: dict) -> dict:
        self.remove_backup = True
        return {}

    def _arm_fail_new_master(self, r: dict) -> dict:
        self.fail_takeover = True
        return {}

    def _arm_old_master_stays_down(self, r: dict) -> dict:
        self.hold_old_master = True
        return {}

    def _arm_slow_boot(self, r: dict) -> dict:
        seconds = float(r["seconds"])
        if seconds < 0:
            raise Refusal("seconds must not be negative.")
        self.slow[self._msm_name(r)] = seconds
        return {}

    def _arm_console_noise(self, r: dict) -> dict:
        rate = float(r.get("rate", 0.3))
        if not 0 < rate <= 1:
            raise Refusal("rate must be above 0 and at most 1 (chance per output line).")
        self.noise[self._msm_name(r)] = (rate, random.Random(r.get("seed", 8800)))
        return {}

    def _arm_drop_ssh(self, r: dict) -> dict:
        count = int(r.get("count", 1))
        if count < 1:
            raise Refusal("count must be at least 1.")
        self.ssh_drops += [str(r.get("command") or "").strip()] * count
        return {}

    def _arm_wrong_credentials(self, r: dict) -> dict:
        self.wrong_credentials = True
        return {}

    def _arm_pending_aaa(self, r: dict) -> dict:
        seconds = float(r.get("seconds", 60.0))
        if seconds <= 0:
            raise Refusal("seconds must be positive.")
        self.aaa_seconds = seconds
        return {}

    def _arm_fail_boot(self, r: dict) -> dict:
        """Boots fail: I/O modules in ``slots`` do not come up and system recovery shuts them
        down, so the MSM comes up with the ``!`` prompt. ``reboot`` boots the MSM at once."""
        slots = tuple(int(slot) for slot in r.get("slots", (1,)))
        if not slots or any(not 1 <= slot <= 10 for slot in slots):
            raise Refusal("slots must be I/O slot numbers from 1 to 10.")
        name = self._msm_name(r)
        self.boot_failures[name] = slots
        if r.get("reboot", True) and name is not None:
            self.chassis.reboot_msm(name)
        return {"msm": name, "slots": list(slots)}

    def _arm_clear_faults(self, r: dict) -> dict:
        return {"cleared": self.clear()}

    def _msm_name(self, r: dict) -> str | None:
        return self.chassis.msm(str(r["msm"])).name if r.get("msm") else None

    def clear(self) -> list[str]:
        """Disarm every fault and repair what they left; returns the names that were armed."""
        cleared = self.active()
        self._disarm()
        rep = self.chassis.replication
        if rep is not None:
            rep.resume()
        for name in sorted(self.affected):
            self.chassis.boot_again(name)
        for msm in self.chassis.msms.values():
            msm.shutdown_slots = ()
        self.affected.clear()
        self.chassis.announce("faults_cleared")
        return cleared

    # --- questions the model and the endpoints ask ------------------------------------------

    def stall_percent(self, process: str) -> int | None:
        """Where the bulk checkpoint of ``process`` stops, or None."""
        return self.stall[1] if self.stall and self.stall[0] == process else None

    def takes_over(self, msm: Msm) -> bool:
        """False when the MSM taking over as master must fail instead (it is then affected)."""
        if self.fail_takeover:
            self.affected.add(msm.name)
            return False
        return True

    def stays_down(self, msm: Msm, what: str) -> bool:
        """True when an MSM going down for ``what`` must not boot again."""
        if self.hold_old_master and what == "failover":
            self.affected.add(msm.name)
            return True
        return False

    def boot_seconds(self, msm: Msm) -> float | None:
        """Real seconds this MSM's boot takes under a slow-boot fault, else None."""
        seconds = self.slow.get(msm.name, self.slow.get(None))
        if seconds is not None:
            self.affected.add(msm.name)
        return seconds

    def failed_slots(self, msm: Msm) -> tuple[int, ...]:
        """The I/O slots system recovery shuts down as ``msm`` boots (empty: the boot is fine)."""
        return self.boot_failures.get(msm.name, self.boot_failures.get(None, ()))

    def noisy(self, msm: str, data: bytes) -> bytes:
        """Console output of ``msm`` with noise between its first and last line break: log lines
        between output lines, line-noise bytes inside them."""
        rate, rng = self.noise.get(msm) or self.noise.get(None) or (0.0, None)
        first, last = data.find(b"\r\n"), data.rfind(b"\r\n")
        if rng is None or first < 0 or first == last:
            return data
        pieces, start = [data[: first + 2]], first + 2
        while start <= last:
            end = data.index(b"\r\n", start) + 2
            pieces.append(self._noisy_line(msm, data[start:end], rate, rng))
            start = end
        pieces.append(data[start:])
        return b"".join(pieces)

    def _noisy_line(self, msm: str, line: bytes, rate: float, rng: random.Random) -> bytes:
        """One output line (ending CR LF), maybe with a log line before it and a burst of
        line-noise bytes in its text. Log lines themselves stay whole (syslog writes them whole)."""
        if _LOG_LINE.match(line):
            return line
        if rng.random() < rate:
            cut = rng.randrange(len(line) - 1)
            garbage = bytes(rng.choice(NOISE_BYTES) for _ in range(rng.randrange(1, 6)))
            line = line[:cut] + garbage + rng.choice(NOISE_ESCAPES) + line[cut:]
        if rng.random() < rate:
            severity, component, words = rng.choice(NOISE_LOGS)
            line = log_line(self.chassis.clock.wall(), severity, component, msm, words).encode() + b"\r\n" + line
        return line

    def drops_ssh(self, output: bytes) -> bool:
        """True (once per armed drop) when this SSH output of a command must be cut off."""
        if b"\r\n" not in output.rstrip(b"\r\n"):
            return False  # an echo or a bare prompt: no command output
        echo = output.split(b"\r\n", 1)[0].decode("ascii", "replace").strip()
        for index, prefix in enumerate(self.ssh_drops):
            if echo.startswith(prefix):
                del self.ssh_drops[index]
                return True
        return False

    def refuses_logins(self) -> bool:
        return self.wrong_credentials

    def pending_aaa(self) -> float:
        """Real seconds a console stays at ``(pending-AAA) login:`` after a boot (0: none)."""
        return self.aaa_seconds

    # --- faults that act on their own -------------------------------------------------------

    def _on_notice(self, notice: Notice) -> None:
        if notice.kind != "ready" or not self.remove_backup or notice.msm is None:
            return
        msm = self.chassis.msms[notice.msm]
        if msm.sync_pending:  # back from the first synchronize reboot
            self.remove_backup = False
            clock = self.chassis.clock
            epoch = msm.epoch

            def pull() -> None:
                if msm.epoch == epoch and msm.powered:
                    self.chassis.power(msm.name, "off")

            clock.after(clock.duration("image_copy") / 2, pull)  # in the middle of the copy
