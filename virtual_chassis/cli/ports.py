"""What a command handler may use of the CLI session that runs it: the MSM it runs on, the
chassis model, and output (say, error, ask, exit, background jobs). Handlers see only this
Protocol, never :class:`~.session.CliSession`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from ..model.chassis import Chassis
from ..model.msm import Msm
from .firmware_jobs import ImageJob


class Session(Protocol):
    """A logged-in CLI session as command handlers see it."""

    chassis: Chassis
    privilege: str
    paging: bool
    prompting: bool  # False after ``disable cli prompting``: questions are answered yes

    @property
    def msm(self) -> Msm: ...
    @property
    def is_master(self) -> bool: ...
    def say(self, lines: list[str]) -> None: ...
    def error(self, text: str) -> None: ...
    def ask(self, question: str, answer: Callable[[str], None]) -> None: ...
    def exit(self) -> None: ...
    def start_job(self, job: ImageJob) -> None: ...
    def progress(self, text: str) -> None: ...
    def job_done(self, lines: list[str]) -> None: ...
