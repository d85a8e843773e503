"""Bring a testbed chassis up for a run: reach the real one, or start the virtual one.

A real chassis that cannot be reached follows its ``fallback``: ``virtual`` (run on an emulator
instead), ``skip`` or ``fail``. Before each plan the chassis must be in its baseline state: a
MASTER and a BACKUP (In Sync). A virtual chassis is brought back to it through the control
channel (faults cleared first); a real one that is not there stops its plans with the reason
(fail closed).
"""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Protocol

from drivers.deadline import Deadline
from drivers.secret import mask_text
from harness.errors import ChassisUnavailable, HilError
from harness.lab.chassis import Chassis, ChassisAccess
from harness.lab.reach import ssh_unreachable
from harness.lab.virtual import VirtualChassisProcess, host_key_alias
from harness.procedures.sync import backup_in_sync, check_sync, wait_for_status
from harness.testbed.schema import ChassisSpec, Credentials, VirtualOptions, console_endpoint

DEFAULT_KNOWN_HOSTS = Path("~/.cache/xcm8800-hil/known_hosts").expanduser()
#: The emulators' host keys, pinned per chassis name beside the keys themselves (the emulator
#: keeps them in ~/.cache/xcm8800-hil/virtual-keys): clearing the cache (or another HOME)
#: renews both, so a new key is never taken for a changed one. In the reports folder, as
#: before, every later run into it stopped with "host key changed".
VIRTUAL_KNOWN_HOSTS = DEFAULT_KNOWN_HOSTS.with_name("known_hosts-virtual")
DEFAULT_VIRTUAL = VirtualOptions()


class ChassisSkipped(HilError):
    """The chassis is unreachable and its testbed entry says ``fallback: skip``."""


class PowerControl(Protocol):
    """Power of one MSM: the emulator's control channel, or a labgrid place's power resources."""

    def power(self, msm: str, action: str) -> object:
        """``action`` ``on`` or ``off`` for ``msm``."""
        ...


class LabChassis:
    """One chassis of the testbed, opened for a run; close it to stop its emulator.

    ``power`` (a real chassis): its power control, e.g. a labgrid place's power resources."""

    def __init__(
        self, spec: ChassisSpec, workdir: Path, force_virtual: bool = False, power: PowerControl | None = None
    ):
        self.spec = spec
        self.power = power
        self.workdir = Path(workdir)
        self.emulator: VirtualChassisProcess | None = None
        self.replayed: VirtualChassisProcess | None = None  # a replay chassis's device (no control)
        self.fallback_reason: str | None = None
        self.baseline_versions: dict[str, str] = {}
        self.broken: str | None = None  # set when the chassis could not be brought to baseline
        if spec.type == "virtual" or force_virtual:
            self.chassis = self._start_virtual(spec.virtual or DEFAULT_VIRTUAL)
        elif spec.type == "replay":
            self.chassis = self._start_replay()
        else:
            self.chassis = self._open_real()

    def _open_real(self) -> Chassis:
        problem = unreachable(self.spec)
        management = self.spec.management
        if management is None:  # the testbed (or the labgrid place) always gives a real chassis one
            problem = problem or "no management address"
        if problem is None and management is not None:
            return Chassis(real_access(self.spec), self.workdir / "transcripts", control=self.power)
        if self.spec.fallback == "virtual":
            self.fallback_reason = f"{problem}; running on a virtual chassis instead (fallback: virtual)"
            return self._start_virtual(DEFAULT_VIRTUAL)
        if self.spec.fallback == "skip":
            raise ChassisSkipped(f"chassis {self.spec.name}: {problem} (fallback: skip)")
        raise ChassisUnavailable(
            f"chassis {self.spec.name}: {problem}; check the cabling and the "
            "testbed file, or set 'fallback: virtual' to run offline"
        )

    def _start_virtual(self, options: VirtualOptions) -> Chassis:
        credentials = self.spec.credentials or Credentials("admin", "")
        self.emulator = VirtualChassisProcess(options, credentials, self.workdir / f"virtual-{self.spec.name}.log")
        endpoints = self.emulator.start()
        access = ChassisAccess(
            self.spec.name,
            "virtual",
            endpoints.ssh_host,
            endpoints.ssh_port,
            {msm: endpoints.console_url(msm) for msm in endpoints.consoles},
            credentials,
            VIRTUAL_KNOWN_HOSTS,
            ("-o", f"HostKeyAlias={host_key_alias(options)}"),  # its key is kept per name: one line
            time_scale=1.0 / options.speed,
            max_output=self.spec.max_output,
        )
        chassis = Chassis(access, self.workdir / "transcripts", control=self.emulator.control())
        chassis.backend_check = self.emulator.check_alive
        return chassis

    def _start_replay(self) -> Chassis:
        from harness.lab.replayed import ReplayedChassisProcess

        self.replayed = replayed = ReplayedChassisProcess(self.spec, self.workdir / f"replay-{self.spec.name}.log")
        access = replayed.start_replay(self.spec.name, self.workdir)  # no control channel: seen as hardware
        return Chassis(access, self.workdir / "transcripts")

    def ensure_baseline(self) -> None:
        """Bring the chassis to MASTER + BACKUP (In Sync), or raise ``ChassisUnavailable``."""
        if self.emulator:
            self.emulator.check_alive()
        if self.emulator:
            self.chassis.control.clear_faults()  # sessions a fault ended log in again by themselves
        wait_for_status(
            self.chassis, lambda s: s.master is not None, self.chassis.deadline("failover"), "an MSM reporting MASTER"
        )
        verdict = check_sync(self.chassis)
        if not self.baseline_versions:
            self.baseline_versions = {s: m.booted_version or "" for s, m in verdict.status.msms.items()}
        if verdict.in_sync:
            return
        if not self.emulator:
            raise ChassisUnavailable(
                f"chassis {self.spec.name} is {verdict}; bring it to MASTER and BACKUP (In Sync) before running plans"
            )
        self._restore_virtual(verdict)

    def _restore_virtual(self, verdict) -> None:
        control, chassis = self.chassis.control, self.chassis
        backup = verdict.backup
        control.power(backup, "on")
        wanted = self.baseline_versions.get(backup) or verdict.status.msm(verdict.master).booted_version
        msm = verdict.status.msm(backup)
        if msm is not None and msm.booted_version and msm.booted_version != wanted:
            control.set_version(backup, wanted)
        wait_for_status(
            chassis,
            backup_in_sync(backup),
            chassis.deadline("in_sync"),
            f"{backup} restored to BACKUP (In Sync) for the next plan",
        )

    def close(self) -> None:
        self.chassis.close()
        if self.emulator:
            self.emulator.stop()
        if self.replayed:
            self.replayed.stop()


def real_access(spec: ChassisSpec) -> ChassisAccess:
    """How to reach a real chassis, as its testbed entry says (no probe, no fallback)."""
    management = spec.management
    if management is None:
        raise ChassisUnavailable(f"chassis {spec.name} has no management address")
    return ChassisAccess(
        spec.name,
        "real",
        management.host,
        management.port,
        dict(spec.consoles),
        spec.ssh_credentials,
        spec.known_hosts or DEFAULT_KNOWN_HOSTS,
        tuple(spec.ssh_options),
        spec.baudrate,
        console_credentials=spec.console_credentials,
        secrets=spec.secrets,
        max_output=spec.max_output,
    )


def unreachable(spec: ChassisSpec, timeout: float = 5.0) -> str | None:
    """Why the management SSH (as OpenSSH reaches it: :mod:`harness.lab.reach`) or a console of
    a real chassis cannot be reached within ``timeout`` seconds in all, or None."""
    return next(iter(endpoint_problems(spec, timeout, first_only=True).values()), None)


def endpoint_problems(spec: ChassisSpec, timeout: float = 5.0, first_only: bool = False) -> dict[str, str]:
    """Each endpoint of a real chassis (``"ssh"``, ``"MSM-A"``, ``"MSM-B"``) that cannot be
    reached, with why, its passwords and ``${VAR}`` values masked (the line names ssh's way
    there, a ProxyCommand, and what ssh said); every endpoint is tried (``first_only``: stop at
    the first problem)."""
    secrets = (spec.credentials.password, spec.ssh_credentials.password, spec.console_credentials.password)
    found = _endpoint_problems(spec, timeout, first_only)
    return {where: mask_text(problem, (*secrets, *spec.secrets)) for where, problem in found.items()}


def _endpoint_problems(spec: ChassisSpec, timeout: float, first_only: bool) -> dict[str, str]:
    deadline = Deadline(timeout)
    management = spec.management
    if management is None:  # a labgrid place not acquired yet: nothing to reach
        return {"ssh": f"chassis {spec.name} has no management address yet"}
    problems = {}
    ssh_time = max(deadline.remaining() - 1.0, 1.0)  # the consoles keep a second
    problem = ssh_unreachable(management.host, management.port, spec.ssh_options, ssh_time)
    if problem:
        problems["ssh"] = problem
        if first_only:
            return problems
    for msm, url in sorted(spec.consoles.items()):
        endpoint = console_endpoint(url)
        if endpoint and endpoint[0] == "device" and not Path(endpoint[1]).exists():
            problems[msm] = f"{msm} console {url} does not exist"
        if endpoint and endpoint[0] == "tcp":
            try:
                socket.create_connection(endpoint[1:], timeout=max(deadline.remaining(), 0.1)).close()
            except OSError as error:
                problems[msm] = f"{msm} console {endpoint[1]}:{endpoint[2]} is unreachable ({error.strerror or error})"
        if first_only and problems:
            return problems
    return problems
