"""What a plan leaves in the reports: the timeline picture, the phase table with its limits, the
step table, its part of the merged transcript (HTML) and its figures (JUnit properties).

Times in the HTML and JUnit are the timeline's lab seconds (wall time on hardware, the emulator's
clock on a virtual chassis, whose speed factor is stated beside them): an event's offset since
the plan's first event, and each phase's duration from the event that starts it to the one
that ends it (:data:`~harness.reporting.timeline.SPANS`), the same figure everywhere.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from harness.lab.chassis import Chassis
from harness.reporting.excerpt import Excerpt
from harness.reporting.limits import LimitResult, check_limits, limits_with
from harness.reporting.picture import UNFOLD, timeline_svg
from harness.reporting.timeline import Timeline


@dataclass
class PlanRecord:
    """Where the merged transcript stood when a plan began, so the report shows just its part."""

    chassis: Chassis
    mark: int = 0
    limits: dict[str, float] = field(default_factory=dict)  # lab seconds per phase: defaults + testbed
    fallback: str | None = None  # why the plan runs on a virtual chassis instead of the named one

    @classmethod
    def begin(cls, chassis: Chassis, limits: dict[str, float] | None = None, fallback: str | None = None) -> PlanRecord:
        return cls(chassis, chassis.merged.mark(), limits_with(limits), fallback)

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
    chassis.timeline.settle()
    parts = [
        timeline_svg(chassis.timeline, anchors),
        phase_table(chassis.timeline, anchors),
        limit_table(check_limits(chassis.timeline, record.limits)),
        step_table(chassis.steps, chassis.timeline),
        transcript_html(chassis.name, excerpt),
    ]
    body = "".join(parts)
    return f"<div class='hil-plan'>{body}</div>" if body else ""


def _ident(text: str) -> str:
    return "p-" + re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-")[-80:]


def phase_table(timeline: Timeline, anchors: dict[int, str] | None = None) -> str:
    """The failover timeline as an HTML table, in lab seconds (empty string when nothing happened):
    each event's offset, and beside the event that ends a phase that phase's duration."""
    anchors = anchors or {}
    scale = timeline.lab_per_second
    rows = []
    for i, p in enumerate(timeline.phases()):
        name = html.escape(p.name)
        if i in anchors:
            name = f"<a href='#{anchors[i]}' onclick='{UNFOLD}'>{name}</a>"
        rows.append(
            f"<tr><td>{i + 1}</td><td>{name}</td><td>{p.offset:.1f}</td><td>{html.escape(p.ended())}</td>"
            f"<td>{html.escape(p.detail)}</td></tr>"
        )
    if not rows:
        return ""
    unit = "s" if scale == 1.0 else f"lab s, speed {scale:g}"
    return (
        f"<h4>Timeline</h4><table class='hil-phases'><tr><th>#</th><th>phase</th><th>at ({unit})</th>"
        f"<th>phase ended, took ({unit})</th><th>detail</th></tr>{''.join(rows)}</table>"
    )


#: A link into a folded transcript unfolds it first.
_OPEN = 'var t=document.getElementById(this.hash.slice(1));if(t){t.closest("details").open=true;}'


def limit_table(results: list[LimitResult]) -> str:
    """Each phase against its limit (the default, or the testbed's), met or missed."""
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


def step_table(steps, timeline: Timeline) -> str:
    """The procedure's steps as an HTML table, each in the timeline's lab seconds."""
    rows = "".join(
        f"<tr><td>{html.escape(s.name)}</td><td>{s.lab_seconds(timeline):.1f}</td><td>{html.escape(s.outcome)}</td></tr>"
        for s in steps
    )
    if not rows:
        return ""
    unit = "s" if timeline.lab_per_second == 1.0 else "lab s"
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
    """Backend, software versions, event offsets and phase durations (lab seconds) of the plan,
    as JUnit properties; every name is unique (a repeated phase is numbered)."""
    scale = lab_per_second(chassis)
    chassis.timeline.settle()
    props = [("chassis", chassis.name), ("backend", chassis.access.backend)]
    if chassis.is_virtual:
        props.append(("speed", f"{scale:g}"))  # lab seconds per wall second
    if chassis.status is not None:
        for slot, msm in sorted(chassis.status.msms.items()):
            props.append((f"{slot} software", msm.booted_version or "absent"))
    phases = chassis.timeline.phases()
    for name, phase in zip(unique([p.name for p in phases]), phases, strict=True):
        props.append((f"phase {name} offset (s)", f"{phase.offset:.3f}"))
    for span in chassis.timeline.spans():
        props.append((f"phase {span.label} duration (s)", f"{span.seconds:.3f}"))
    for name, step in zip(unique([s.name for s in chassis.steps]), chassis.steps, strict=True):
        props.append((f"step {name} duration (s)", f"{step.lab_seconds(chassis.timeline):.3f}"))
    return props


def unique(names: list[str]) -> list[str]:
    """``names`` with the second and later of a repeated name numbered (``backup In Sync #2``)."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name} #{seen[name]}")
    return out
