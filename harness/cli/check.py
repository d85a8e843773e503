"""``hil check``: reach every endpoint of each chassis of a testbed, show roles and sync state,
and exit with a status a CI can gate on.

Exit status: 0 every chassis reachable on every endpoint and in sync; 3 every endpoint
reachable but a chassis not in sync (the verdict says why); 2 a chassis unusable (an endpoint
unreachable, a login refused, an endpoint that does not answer) or a broken testbed. Every
endpoint is tried, also after one failed. ``--json`` prints one JSON object instead of the lines.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path

from harness.errors import HilError
from harness.lab.access import LabChassis, endpoint_problems, real_access
from harness.lab.chassis import MSMS, SSH, Chassis
from harness.procedures.sync import check_sync

#: Where hil check writes its transcripts (and whose lock it takes, like a run's reports folder).
CHECK_FOLDER = Path("reports") / "check"

EXIT_IN_SYNC, EXIT_UNUSABLE, EXIT_NOT_IN_SYNC = 0, 2, 3
IN_SYNC, NOT_IN_SYNC, UNUSABLE = "in sync", "not in sync", "unusable"
EXIT = {IN_SYNC: EXIT_IN_SYNC, NOT_IN_SYNC: EXIT_NOT_IN_SYNC, UNUSABLE: EXIT_UNUSABLE}

DESCRIPTION = """\
Reach every endpoint (management SSH, MSM-A and MSM-B consoles) of each chassis of the testbed
(or --chassis), log in, read show switch on each, and judge the sync state.

Exit status: 0 every chassis in sync on every endpoint; 3 reachable but not in sync (the
verdict says why); 2 unusable: an endpoint unreachable, a login refused, an endpoint that does
not answer within --timeout, or a broken testbed file. --json prints one JSON object."""


@dataclass
class CheckResult:
    """What ``hil check`` found on one chassis."""

    chassis: str
    backend: str
    endpoints: dict[str, str] = field(default_factory=dict)  # where -> what it showed
    failed: dict[str, str] = field(default_factory=dict)  # where -> why it could not be used
    verdict: str = ""
    in_sync: bool = False

    @property
    def status(self) -> str:
        if self.failed:
            return UNUSABLE
        return IN_SYNC if self.in_sync else NOT_IN_SYNC

    def as_json(self) -> dict:
        where = {w: {"ok": True, "detail": d} for w, d in self.endpoints.items()}
        where.update({w: {"ok": False, "detail": d} for w, d in self.failed.items()})
        return {
            "name": self.chassis,
            "backend": self.backend,
            "status": self.status,
            "endpoints": where,
            "verdict": self.verdict,
        }


def worst(results: list[CheckResult]) -> str:
    statuses = {r.status for r in results}
    return next((s for s in (UNUSABLE, NOT_IN_SYNC) if s in statuses), IN_SYNC)


def check_one(spec, force_virtual: bool, timeout: float, power=None, say=print) -> CheckResult:
    """Every endpoint of one chassis, then its verdict (from the endpoints that answered)."""
    virtual = force_virtual or spec.type == "virtual"
    result = CheckResult(spec.name, "virtual" if virtual else "real")
    say(f"chassis {spec.name} ({result.backend})")
    folder = CHECK_FOLDER
    lab: LabChassis | None = None
    if virtual:
        lab = LabChassis(spec, folder, force_virtual=True, power=power)
        chassis = lab.chassis
    else:
        result.failed.update(endpoint_problems(spec, min(timeout, 10.0)))
        if "ssh" in result.failed and spec.management is None:
            say(f"  FAIL  {SSH:<6} {result.failed['ssh']}")
            return result
        chassis = Chassis(real_access(spec), folder / "transcripts", control=power)
    # a console that accepts and never answers fails within the timeout, saying what it waited for
    chassis.access = replace(chassis.access, max_deadline=timeout)
    say(f"  each endpoint gets {timeout:g} s to connect, log in and answer (--timeout)")
    try:
        _endpoints(chassis, result, say)
        answered = next((w for w in (SSH, *MSMS) if w in result.endpoints), None)
        if answered is not None:
            _verdict(chassis, answered, result, say)
    finally:
        chassis.close()
        if lab is not None:
            lab.close()
    return result


def _endpoints(chassis: Chassis, result: CheckResult, say) -> None:
    for where in (SSH, *MSMS):
        if where in result.failed:
            say(f"  FAIL  {where:<6} {result.failed[where]}")
            continue
        try:
            status = chassis.show_switch(where)
        except HilError as error:
            result.failed[where] = str(error)
            say(f"  FAIL  {where:<6} {error}")
            continue
        result.endpoints[where] = status.describe()
        say(f"  ok    {where:<6} {status.describe()}")


def _verdict(chassis: Chassis, where: str, result: CheckResult, say) -> None:
    try:
        verdict = check_sync(chassis, where)
    except HilError as error:
        result.verdict = f"not judged: {error}"
    else:
        result.verdict, result.in_sync = str(verdict), verdict.in_sync
    say(f"  verdict: {result.verdict}")


def report(results: list[CheckResult], as_json: bool) -> int:
    """The exit status of the whole check (and its JSON object, with ``as_json``)."""
    status = worst(results)
    if as_json:
        print(json.dumps({"status": status, "exit": EXIT[status], "chassis": [r.as_json() for r in results]}))
    else:
        print(f"hil check: {status} (exit {EXIT[status]})")
    return EXIT[status]
