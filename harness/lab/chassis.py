"""A chassis under test: its two MSM consoles, its management SSH address, its roles.

Who is MASTER and who is BACKUP is always learned from the device (``show switch`` cross-checked
with ``show node``), never taken from configuration, and learned again after every failover.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from drivers import CliSession, CommandResult, SerialTransport, SshTransport, Transcript
from drivers.deadline import Deadline
from drivers.errors import ConnectionLost, DeviceRebooted
from drivers.recording import Recording
from drivers.secret import Secret
from harness.errors import ChassisUnavailable, EmulatorCrashed, HilError
from harness.lab.labclock import retimer
from harness.parsers import MSM_NAMES, SwitchStatus, other_msm, parse_show_node, parse_show_switch
from harness.reporting.merged import MergedTranscript
from harness.reporting.progress import Progress
from harness.reporting.timeline import SSH_DOWN, SSH_LANE, SSH_UP, BootWatch, Timeline
from harness.testbed.schema import Credentials

MSMS = MSM_NAMES
SSH = "ssh"

#: How long a real NETGEAR 8800 may take, in seconds. Plans and procedures use these; a virtual
#: chassis divides them by its speed factor (see ``Chassis.deadline``).
LAB_TIMEOUTS = {
    "command": 60,
    "connect": 120,
    "boot": 600,
    "failover": 900,
    "synchronize": 1800,
    "in_sync": 900,
    "backup_reboot_starts": 120,
    "download": 1800,
    "reboot": 1500,  # download image (TFTP + install); a reboot until In Sync
    "checkpoint_stall": 120,  # a bulk checkpoint percentage that does not move this long: stalled
    "backup_absent": 120,  # synchronize fails when the backup is not back within this [EX]
}
LOGOUT_TIMEOUT = 2.0  # seconds a console gets to answer `exit` when the run ends
MIN_SCALED_DEADLINE = 15.0  # a scaled deadline never drops below this on a busy machine
MIN_SCALED_WINDOW = 1.0  # nor an observation window (stall, absence) below this
ROLE_READS = 3  # show switch + show node read this often when they disagree
_READ_ONLY = re.compile(r"^\s*show\s")


@dataclass(frozen=True)
class ChassisAccess:
    """Everything needed to reach one chassis, resolved from a testbed entry or an emulator."""

    name: str
    backend: str  # "real" or "virtual"
    ssh_host: str
    ssh_port: int
    consoles: dict[str, str]  # MSM name -> serial URL
    credentials: Credentials
    known_hosts: Path
    ssh_options: tuple[str, ...] = ()
    baudrate: int = 9600
    time_scale: float = 1.0  # 1.0 on hardware, 1/speed on a virtual chassis
    min_deadline: float = MIN_SCALED_DEADLINE  # floor of a scaled deadline
    console_credentials: Credentials | None = None  # the consoles' own login (None: ``credentials``)

    def login(self, where: str) -> Credentials:
        """The login of ``where`` (``"ssh"`` or an MSM console)."""
        return self.credentials if where == SSH else (self.console_credentials or self.credentials)

    max_deadline: float | None = None  # a cap on every deadline (hil check --timeout)
    secrets: tuple[str, ...] = field(default=(), repr=False)  # ${VAR} values: masked in transcripts
    max_output: int | None = None  # bytes a command may print without a prompt (None: the driver's default)


class Chassis:
    """CLI sessions to one chassis (``"ssh"``, ``"MSM-A"``, ``"MSM-B"``) and its learned roles."""

    def __init__(self, access: ChassisAccess, transcripts: Path, control=None, timeline: Timeline | None = None):
        self.access = access
        self.transcripts = Path(transcripts)
        self.control = control  # virtual chassis only: power and faults
        self.timeline = self._lab_timeline(timeline or Timeline())
        self.merged = MergedTranscript(self.transcripts / f"{access.name}.log")
        """MSM-A, MSM-B and SSH in one log, in time order (``reports/transcripts/<chassis>.log``)."""
        self.timeline.listeners.insert(0, self._phase_into_transcript)
        self.progress = Progress(access.name, 1.0 / access.time_scale)
        """Progress lines with the time since the run began; silent until the run gives it ``say``."""
        self.status: SwitchStatus | None = None
        self.steps: list = []  # the current plan's procedure steps (harness.procedures.failover.Step)
        self._sessions: dict[str, CliSession] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._recordings: list[Recording] = []
        self.backend_check: Callable[[bool], None] | None = None
        """Virtual chassis: ``backend_check(ask)`` raises ``EmulatorCrashed`` when the emulator
        died (``ask=False``: only look at the process; True: also ask its control channel)."""

    def begin_plan(self, *listeners: Callable) -> None:
        """A fresh timeline (told to ``listeners``) and step list for the next plan."""
        self.timeline = self._lab_timeline(Timeline(listeners=[self._phase_into_transcript, *listeners]))
        self.steps = []

    def _lab_timeline(self, timeline: Timeline) -> Timeline:
        """``timeline`` in this chassis's lab seconds: wall time on hardware, the emulator's
        clock on a virtual chassis (its event log, through the control channel)."""
        timeline.lab_per_second = 1.0 / self.access.time_scale
        if self.is_virtual and hasattr(self.control, "events"):
            timeline.retimer = retimer(self.control)
        return timeline

    def _now(self) -> Timeline:
        return self.timeline

    def _phase_into_transcript(self, event) -> None:
        self.merged.phase(event.name, event.detail, event.wall)

    # -- identity and time -------------------------------------------------------------
    @property
    def name(self) -> str:
        return self.access.name

    @property
    def is_virtual(self) -> bool:
        return self.access.backend == "virtual"

    def deadline(self, what: str, floor: float | None = None) -> Deadline:
        """The lab timeout for ``what``, scaled for a virtual chassis (never below ``floor``,
        by default the access's ``min_deadline``)."""
        lab = LAB_TIMEOUTS[what]
        cap = self.access.max_deadline or float("inf")
        if self.access.time_scale >= 1.0:
            return Deadline(min(lab, cap))
        floor = self.access.min_deadline if floor is None else min(floor, self.access.min_deadline)
        return Deadline(min(max(lab * self.access.time_scale, floor), cap))

    def window(self, what: str) -> float:
        """Seconds of an observation window (``checkpoint_stall``, ``backup_absent``)."""
        return self.deadline(what, MIN_SCALED_WINDOW).seconds

    # -- sessions --------------------------------------------------------------------
    def transcript_path(self, where: str) -> Path:
        return self.transcripts / f"{self.name}-{where}.log"

    def recording_path(self, where: str) -> Path:
        """The session's recording for machines (JSON lines), in ``recordings/`` beside ``transcripts/``."""
        return self.transcripts.parent / "recordings" / f"{self.name}-{where}.jsonl"

    def transcript_mark(self, where: str) -> int:
        """How much of ``where``'s transcript is written; pass it to ``transcript_since``."""
        path = self._written(where)
        return path.stat().st_size if path.exists() else 0

    def transcript_since(self, where: str, mark: int) -> str:
        """The transcript of ``where`` written after ``mark`` (secrets already masked)."""
        with open(self._written(where), "rb") as f:
            f.seek(mark)
            return f.read().decode("utf-8", "replace")

    def _written(self, where: str) -> Path:
        """``where``'s transcript file, with what its session recorded and kept written to it."""
        session = self._sessions.get(where)
        if session is not None and session.transcript is not None:
            session.transcript.flush()
        return self.transcript_path(where)

    def session(self, where: str) -> CliSession:
        """The session for ``where`` (``"ssh"`` or an MSM name), connected on first use.

        A session that later sees a reboot or a dropped link logs in again by itself before
        its next command.
        """
        with self._locks.setdefault(where, threading.Lock()), self._backend_errors():
            session = self._sessions.get(where)
            if session is None:
                session = self._new_session(where)
                try:
                    session.connect(self.deadline("connect" if where == SSH else "boot"))
                except BaseException:
                    if session.transcript is not None:  # what it recorded is kept, the file closed
                        session.transcript.close()
                    raise
                self._sessions[where] = session
            return session

    def _new_session(self, where: str) -> CliSession:
        a, login = self.access, self.access.login(where)
        # the passwords are masked where typed and echoed (a common word stays readable elsewhere);
        # the other ${VAR} values (tokens in ssh options) wherever they stand
        passwords = {a.credentials.password, a.login(MSMS[0]).password} - {""}
        secrets: list[str | Secret] = [*map(Secret, passwords), *(v for v in a.secrets if v not in passwords)]
        kind = "ssh" if where == SSH else "serial"
        recording = Recording(self.recording_path(where), self.name, where, kind, self.access.time_scale)
        self._recordings.append(recording)
        lanes = [self.merged.tap(SSH_LANE)] if where == SSH else [self.merged.tap(where), BootWatch(where, self._now)]
        transcript = Transcript(self.transcript_path(where), secrets=secrets, taps=[recording, *lanes])
        transport: SshTransport | SerialTransport
        if where == SSH:
            transport = SshTransport(
                a.ssh_host,
                a.ssh_port,
                login.username,
                login.password,
                known_hosts=a.known_hosts,
                ssh_options=a.ssh_options,
                transcript=transcript,
            )
        elif where in a.consoles:
            transport = SerialTransport(a.consoles[where], a.baudrate, transcript=transcript)
        else:
            raise ChassisUnavailable(
                f"chassis {self.name} has no access path {where!r}; use 'ssh' or one of {', '.join(a.consoles)}"
            )
        session = CliSession(transport, login.username, login.password, transcript=transcript)
        session.heartbeat = lambda text: self.progress.line(f"{where}: {text}")  # a long command
        if a.max_output is not None:
            session.max_output = a.max_output
        if self.backend_check is not None:  # a dead emulator is not retried until the deadline
            session.before_retry = lambda: self.backend_check(False)
        return session

    def wait_for_output(self, where: str, seconds: float) -> bool:
        """Wait ``seconds``, or less when ``where``'s open session hears from the device first
        (a console log line, boot text, a dropped SSH link); True in that case."""
        deadline = Deadline(seconds)
        session = self._sessions.get(where)
        if session is not None and session.wait_for_output(seconds):
            if where == SSH and not session.logged_in:
                self.timeline.observe(SSH_LANE, SSH_DOWN)  # the management link dropped
            return True
        time.sleep(deadline.remaining())  # pacing between polls, within the deadline
        return False

    def wait_for_login(self, msm: str, deadline: Deadline | None = None) -> None:
        """After a reboot: wait on that MSM's console for the fresh ``login:``, then log in anew."""
        session = self.session(msm)
        deadline = deadline or self.deadline("boot")
        last = lambda: self.merged.last_line(msm)  # noqa: E731 - what its console printed last
        with self._backend_errors(), self.progress.waiting(f"{msm} booting to login:", deadline.seconds, last):
            session.wait_for_login(deadline)

    def run(
        self, where: str, command: str, what: str = "command", within: Deadline | None = None, **options
    ) -> CommandResult:
        """Run one command on ``where`` within the lab timeout ``what`` (and within ``within``,
        a caller's phase deadline, when that ends first).

        A ``show`` command whose management SSH connection dropped under it is sent once more
        (the session logs in again first; noted in the transcript): it changes nothing, so
        sending it again is safe. Any other command raises as it came (it may have taken effect).
        """
        deadline = self.deadline(what)
        if within is not None and within.remaining() < deadline.remaining():
            deadline = within
        session = self.session(where)
        started, relogins = time.monotonic(), session.relogins
        with self._backend_errors():
            try:
                return session.run(command, timeout=deadline, **options)
            except (DeviceRebooted, ConnectionLost) as dropped:
                if where == SSH:
                    self.timeline.observe(SSH_LANE, SSH_DOWN)
                if where != SSH or not _READ_ONLY.match(command) or options.get("expect_reboot"):
                    raise
                if session.transcript is not None:
                    session.transcript.note(f"{command!r} cut off ({type(dropped).__name__}); sending it again")
                return session.run(command, timeout=deadline, **options)
            finally:
                if where == SSH and session.relogins > relogins:  # it had to log in again: SSH was down
                    self.timeline.observe(SSH_LANE, SSH_DOWN, started)

    @contextmanager
    def _backend_errors(self):
        """A failure of a virtual chassis whose emulator died is reported as ``EmulatorCrashed``."""
        try:
            yield
        except EmulatorCrashed:
            raise
        except HilError:
            if self.backend_check is not None:
                self.backend_check(True)
            raise

    # -- roles -----------------------------------------------------------------------
    def show_switch(self, where: str = SSH, detail: bool = False, within: Deadline | None = None) -> SwitchStatus:
        """``show switch`` (``show switch detail`` with ``detail``) on ``where``, parsed (within
        ``within`` when given); each MSM's state goes on the timeline."""
        command = "show switch detail" if detail else "show switch"
        status = parse_show_switch(self.run(where, command, within=within, check=True).output)
        self.timeline.observe_msms(status.msms)
        if where == SSH:
            self.timeline.observe(SSH_LANE, SSH_UP)
        return status

    def learn_roles(self, where: str = SSH, detail: bool = False) -> SwitchStatus:
        """Learn MASTER and BACKUP from the device; fail closed when they cannot be known.

        ``show switch`` and ``show node`` disagreeing may be a node changing state between the
        two commands (a reboot passes DOWN and INIT in milliseconds): both are read again, up
        to :data:`ROLE_READS` times, before the state is called unknown. A switch without a
        backup has no node table to hold it against.
        """
        for attempt in range(1, ROLE_READS + 1):
            status = self.show_switch(where, detail)
            differ = [] if status.single_node else self._disagreements(status, where)
            if not differ:
                break
            if attempt == ROLE_READS:
                slot, state, node_state = differ[0]
                raise ChassisUnavailable(
                    f"chassis {self.name}: show switch says {slot} is {state} but show node "
                    f"says {node_state} ({ROLE_READS} times); the chassis state is unknown, check it by hand"
                )
        if status.master is None:
            raise ChassisUnavailable(
                f"chassis {self.name}: no MSM reports MASTER ({status.describe()}); plans that need a master cannot run"
            )
        self.status = status
        return status

    def _disagreements(self, status: SwitchStatus, where: str) -> list[tuple[str, str, str]]:
        """(slot, show switch state, show node state) wherever the two commands disagree."""
        nodes = {n.node: n.state for n in parse_show_node(self.run(where, "show node", check=True).output)}
        return [(s, m.state, nodes[s]) for s, m in status.msms.items() if m.state and nodes.get(s, m.state) != m.state]

    @property
    def master(self) -> str | None:
        return self.status.master if self.status else None

    @property
    def backup(self) -> str | None:
        return self.status.backup if self.status else None

    def other(self, msm: str) -> str:
        return other_msm(msm)

    def close(self) -> None:
        """Log out of every session and close it, all at once (a powered-off MSM never answers
        its logout, so each waits at most ``LOGOUT_TIMEOUT``); never raises."""
        with ThreadPoolExecutor(max_workers=len(self._sessions) or 1) as pool:
            for session in self._sessions.values():
                pool.submit(session.close, LOGOUT_TIMEOUT)  # close() itself never raises
        for session in self._sessions.values():
            if session.transcript is not None:  # the tail held back for masking written, fsynced
                session.transcript.close()
        self._sessions.clear()
        for recording in self._recordings:  # after the sessions: their transcripts are closed
            recording.close()
        self._recordings.clear()
        self.merged.close()
