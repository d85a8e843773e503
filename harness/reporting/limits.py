"""Per-phase duration limits in lab seconds, and their check.

A limit names a span of the failover timeline (:data:`~harness.reporting.timeline.SPANS`), from
the event that starts it to the first event that ends it. Every plan checks every span against
a limit by default (:data:`DEFAULT_LIMITS`, where each number comes from is in docs/limits.md);
a testbed chassis's ``limits:`` overrides them::

    limits: {takeover: 30, old master boot: 300}

Every occurrence of a span in a plan is checked (an upgrade fails over twice). The seconds are
the timeline's lab seconds: wall time on hardware, the emulator's clock on a virtual chassis.
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.errors import HilError, ProcedureFailed
from harness.reporting.timeline import SPANS, Timeline

__all__ = ["DEFAULT_LIMITS", "SPANS", "LimitResult", "check_limits", "limits_with", "missed_limits", "spans"]

#: Lab seconds each span may take unless the testbed says otherwise (docs/limits.md: sources).
DEFAULT_LIMITS: dict[str, float] = {
    "takeover": 900.0,
    "SSH outage": 900.0,
    "old master boot": 600.0,
    "old master back": 900.0,
    "synchronize": 1800.0,
}


@dataclass(frozen=True)
class LimitResult:
    """One span measured against its limit, in lab seconds."""

    name: str
    limit: float
    took: float

    @property
    def met(self) -> bool:
        return self.took <= self.limit

    def __str__(self) -> str:
        verdict = "met" if self.met else "MISSED"
        return f"{self.name}: {self.took:.1f} s of {self.limit:g} s allowed: {verdict}"


def limits_with(overrides: dict[str, float] | None) -> dict[str, float]:
    """The default limits with a testbed's ``limits:`` over them."""
    return {**DEFAULT_LIMITS, **(overrides or {})}


def spans(timeline: Timeline) -> list[tuple[str, float]]:
    """Each span that happened, with its length in lab seconds, in the order it ended."""
    return [(s.label, s.seconds) for s in timeline.spans()]


def check_limits(timeline: Timeline, limits: dict[str, float]) -> list[LimitResult]:
    """Every span of the timeline that has a limit, measured against it."""
    return [LimitResult(s.label, limits[s.name], s.seconds) for s in timeline.spans() if s.name in limits]


def missed_limits(chassis, overrides: dict[str, float] | None) -> HilError | None:
    """The failure of a procedure whose phases missed their limits (defaults, ``overrides`` over
    them), or None; the chassis's timeline is stamped with its lab clock first."""
    chassis.timeline.settle()
    missed = [r for r in check_limits(chassis.timeline, limits_with(overrides)) if not r.met]
    if not missed:
        return None
    return ProcedureFailed("phase limits missed (lab seconds): " + "; ".join(map(str, missed)))
