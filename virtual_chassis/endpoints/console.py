"""The serial console of one MSM, served as a pty and as a raw TCP port (:mod:`.line`).

The console session belongs to the line, as on a real serial port: clients may come and go, and
the session stays logged in between them. After every boot the line shows boot text, then
``login: ``; a powered-off MSM's console is silent and deaf. With a ``baud`` rate the output
leaves at that line rate (:mod:`.pacing`).
"""

from __future__ import annotations

import asyncio

from ..cli import outputs
from ..cli.login import Accounts, LoginDialog
from ..cli.session import CliSession
from ..model.chassis import Chassis, Notice
from .line import SerialLine
from .pacing import PacedOutput


class ConsoleLine(SerialLine):
    """Console of MSM ``msm_name``: phase ``off``, ``silent``, ``booting``, ``login`` or ``session``."""

    def __init__(self, chassis: Chassis, msm_name: str, accounts: Accounts, telnet: bool = False, baud: int = 0):
        super().__init__(telnet)
        self.chassis = chassis
        self.baud = baud  # 0: as fast as the reader takes it
        self.msm_name = msm_name
        self.accounts = accounts
        self.phase = "login"
        self.login: LoginDialog | None = None
        self.session: CliSession | None = None
        self._batch: bytearray | None = None
        self._paced: PacedOutput | None = None
        chassis.subscribe(self.on_notice)

    # --- endpoints --------------------------------------------------------------------------

    def on_start(self, loop: asyncio.AbstractEventLoop) -> None:
        if self.baud:
            self._paced = PacedOutput(loop, self.baud, self.deliver)

    def on_ready(self) -> None:
        self._new_login()

    async def stop(self) -> None:
        self.chassis.unsubscribe(self.on_notice)
        if self._paced:
            self._paced.close()
        if self.session:
            self.session.close()
        await super().stop()

    def write(self, data: bytes) -> None:
        """Send output to the line (paced at ``baud`` when set)."""
        if self._batch is not None:
            self._batch += data
            return
        data = self.chassis.faults.noisy(self.msm_name, data)
        if self._paced is not None:
            self._paced.send(data)
        else:
            self.deliver(data)

    # --- the line ---------------------------------------------------------------------------

    def feed(self, data: bytes) -> None:
        """Input from any client of the line (its echo and output leave in one write)."""
        self._batch = bytearray()
        try:
            self._feed(data)
        finally:
            batch, self._batch = self._batch, None
            if batch:
                self.write(bytes(batch))

    def _feed(self, data: bytes) -> None:
        if self.phase == "login" and self.login:
            rest = self.login.feed(data)
            if rest and self.phase == "session" and self.session:
                self.session.feed(rest)
        elif self.phase == "session" and self.session:
            self.session.feed(data)

    def _new_login(self, pending_aaa: bool = False) -> None:
        self.phase = "login"
        self.login = LoginDialog(self.accounts, self.write, self._logged_in, pending_aaa)
        self.login.start()

    def _after_boot(self) -> None:
        """``login:``, or ``(pending-AAA) login:`` until AAA starts (a fault delays it)."""
        seconds = self.chassis.faults.pending_aaa()
        self._new_login(pending_aaa=seconds > 0)
        if seconds > 0:
            msm = self.chassis.msms[self.msm_name]
            self.chassis.clock.after(seconds, self._aaa_available, msm.epoch)

    def _aaa_available(self, epoch: int | None = None) -> None:
        msm = self.chassis.msms[self.msm_name]
        if (epoch is None or msm.epoch == epoch) and self.phase == "login" and self.login:
            self.login.aaa_available()

    def _logged_in(self, username: str, privilege: str) -> None:
        self.phase = "session"
        self.session = CliSession(
            self.chassis, self.msm_name, username, privilege, self.write, on_exit=self._logged_out
        )
        if self.login is not None:
            self.session.editor.continue_from(self.login.editor)
        self.login = None
        self.session.start()

    def _logged_out(self) -> None:
        self.session = None
        self._new_login()

    def _end_session(self, phase: str) -> None:
        if self.session:
            self.session.close()
        self.session = self.login = None
        self.phase = phase

    def on_notice(self, notice: Notice) -> None:
        """Follow the MSM: reboots, boot text, power, log lines."""
        if notice.kind == "faults_cleared":
            self._aaa_available()
            return
        if notice.kind == "log":
            if self.msm_name in notice.data["consoles"]:
                d = notice.data
                self._log(
                    outputs.log_line(d["t"], d["severity"], d["component"], notice.msm or self.msm_name, d["text"])
                )
            return
        if notice.msm != self.msm_name:
            return
        if notice.kind == "rebooting":
            self._end_session("silent")
            self.write(b"\r\nRebooting ...\r\n")
        elif notice.kind == "power_off":
            self._end_session("off")
        elif notice.kind == "booting":
            self._end_session("booting")
            lines = outputs.boot_text(notice.data["partition"], notice.data["version"])
            self.write("".join(f"{line}\r\n" for line in lines).encode())
        elif notice.kind == "ready":
            self._after_boot()

    def _log(self, line: str) -> None:
        if self.phase == "session" and self.session:
            self.session.insert_line(line)
        elif self.phase == "login" and self.login:
            self.write(f"\r\n{line}\r\n".encode() + self.login.redisplay())
