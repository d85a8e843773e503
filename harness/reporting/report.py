"""What a plan leaves in the reports: the timeline picture, the phase table with its limits, the
step table, its part of the merged transcript (HTML) and its figures (JUnit properties).

Times in the HTML and JUnit are lab seconds: on a virtual chassis wall time multiplied by its
speed factor (stated beside them).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from harness.lab.chassis import Chassis
from harness.reporting.excerpt import Excerpt
from harness.reporting.limits import LimitResult, check_limits
from harness.reporting.picture import UNFOLD, timeline_svg
from harness.reporting.timeline import Timeline


@dataclass
class PlanRecord:
    """Where the merged transcript stood when a plan began, so the report shows just its part."""

    chassis: Chassis
    mark: int = 0
    limits: dict[str, float] = field(default_factory=dict)  # the testbed's, lab seconds per phase
    fallback: str | None = None  # why the plan runs on a virtual chassis instead of the named one

    @classmethod
    def begin(cls, chassis: Chassis, limits: dict[str, float] | None = None, fallback: str | None = None) -> PlanRecord:
        return cls(chassis, chassis.merged.mark(), dict(limits or {}), fallback)

    def excerpt(self, prefix: str) -> Excerpt:
        """The plan's part of the merged transcript, polls collapsed, phases anchored."""
        return Excerpt(self.chassis.merged.since(self.mark), prefix)


def lab_per_second(chassis: Chassis) -> float:
    """Lab seconds per wall second: 1 on hardware, the speed factor on a virtual chassis."""
    return 1.0 / chassis.access.time_scale


def plan_html(record: PlanRecord, prefix: str) -> str:
    """Everything the report shows for one plan (empty when the plan did nothing)."""
    chassis = record.chassis
    excerpt = record.excerpt(_ident(prefix))
    anchors = dict(enumerate(excerpt.phase_anchors))
    scale = lab_per_second(chassis)
    parts = [
        timeline_svg(chassis.timeline, scale, anchors),
        phase_table(chassis.timeline, scale, anchors),
        limit_table(check_limits(chassis.timeline, record.limits, scale)),
        step_table(chassis.steps, scale),
        transcript_html(chassis.name, excerpt),
    ]
    body = "".join(parts)
    return f"<div class='hil-plan'>{body}</div>" if body else ""


def _ident(text: str) -> str:
    return "p-" + re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-")[-80:]


def phase_table(timeline: Timeline, scale: float = 1.0, anchors: dict[int, str] | None = None) -> str:
    """The failover timeline as an HTML table, in lab seconds (empty string when nothing happened)."""
    anchors = anchors or {}
    rows = []
    for i, p in enumerate(timeline.phases()):
        name = html.escape(p.name)
        if i in anchors:
            name = f"<a href='#{anchors[i]}' onclick='{UNFOLD}'>{name}</a>"
        rows.append(
            f"<tr><td>{i + 1}</td><td>{name}</td><td>{p.offset * scale:.1f}</td><td>{p.duration * scale:.1f}</td>"
            f"<td>{html.escape(p.detail)}</td></tr>"
        )
    if not rows:
        return ""
    unit = "s" if scale == 1.0 else f"lab s, speed {scale:g}"
    return (
        f"<h4>Timeline</h4><table class='hil-phases'><tr><th>#</th><th>phase</th><th>at ({unit})</th>"
        f"<th>took ({unit})</th><th>detail</th></tr>{''.join(rows)}</table>"
    )


#: A link into a folded transcript unfolds it first.
_OPEN = 'var t=document.getElementById(this.hash.slice(1));if(t){t.closest("details").open=true;}'


def limit_table(results: list[LimitResult]) -> str:
    """The testbed's limits, each met or missed."""
    if not results:
        return ""
    rows = "".join(
        f"<tr class='{'met' if r.met else 'missed'}'><td>{html.escape(r.name)}</td><td>{r.took:.1f}</td>"
        f"<td>{r.limit:g}</td><td>{'met' if r.met else 'MISSED'}</td></tr>"
        for r in results
    )
    return (
        "<h4>Limits (lab seconds)</h4><table class='hil-limits'><tr><th>phase</th><th>took</th><th>limit</th>"
        f"<th>verdict</th></tr>{rows}</table>"
    )


def step_table(steps, scale: float = 1.0) -> str:
    """The procedure's steps as an HTML table."""
    rows = "".join(
        f"<tr><td>{html.escape(s.name)}</td><td>{s.duration * scale:.1f}</td><td>{html.escape(s.outcome)}</td></tr>"
        for s in steps
    )
    if not rows:
        return ""
    unit = "s" if scale == 1.0 else "lab s"
    return (
        f"<h4>Steps</h4><table class='hil-steps'><tr><th>step</th><th>took ({unit})</th><th>outcome</th></tr>"
        f"{rows}</table>"
    )


def transcript_html(name: str, excerpt: Excerpt) -> str:
    """The plan's part of ``transcripts/<name>.log``, folded."""
    if not excerpt.entries:
        return ""
    return (
        f"<details class='hil-transcript'><summary>Transcript: MSM-A, MSM-B and SSH in time order "
        f"({excerpt.shown} lines; whole run in transcripts/{html.escape(name)}.log)</summary>"
        f"<pre>{excerpt.html()}</pre></details>"
    )


def junit_properties(chassis: Chassis) -> list[tuple[str, str]]:
    """Backend, software versions, phase offsets and durations (lab seconds) of the plan, as
    JUnit properties; every name is unique (a repeated phase is numbered)."""
    scale = lab_per_second(chassis)
    props = [("chassis", chassis.name), ("backend", chassis.access.backend)]
    if chassis.is_virtual:
        props.append(("speed", f"{scale:g}"))  # lab seconds per wall second
    if chassis.status is not None:
        for slot, msm in sorted(chassis.status.msms.items()):
            props.append((f"{slot} software", msm.booted_version or "absent"))
    names = unique([p.name for p in chassis.timeline.phases()])
    for name, phase in zip(names, chassis.timeline.phases(), strict=True):
        props.append((f"phase {name} offset (s)", f"{phase.offset * scale:.3f}"))
        props.append((f"phase {name} duration (s)", f"{phase.duration * scale:.3f}"))
    for name, step in zip(unique([s.name for s in chassis.steps]), chassis.steps, strict=True):
        props.append((f"step {name} duration (s)", f"{step.duration * scale:.3f}"))
    return props


def unique(names: list[str]) -> list[str]:
    """``names`` with the second and later of a repeated name numbered (``backup In Sync #2``)."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name} #{seen[name]}")
    return out
