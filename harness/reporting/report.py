"""What a plan leaves in the reports: transcript excerpts, the failover phase table, the step
table (HTML) and figures (JUnit properties)."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from pathlib import Path

from harness.lab.chassis import Chassis
from harness.reporting.timeline import Timeline


@dataclass
class PlanRecord:
    """Where each transcript stood when a plan began, so the report shows just its part."""

    chassis: Chassis
    offsets: dict[Path, int] = field(default_factory=dict)

    @classmethod
    def begin(cls, chassis: Chassis) -> PlanRecord:
        files = chassis.transcripts.glob(f"{chassis.name}-*.log") if chassis.transcripts.exists() else []
        return cls(chassis, {path: path.stat().st_size for path in files})

    def excerpts(self) -> dict[str, str]:
        """Transcript text written since the plan began, per file name."""
        found = {}
        for path in sorted(self.chassis.transcripts.glob(f"{self.chassis.name}-*.log")):
            with open(path, "rb") as f:
                f.seek(self.offsets.get(path, 0))
                text = f.read().decode("utf-8", "replace")
            if text:
                found[path.name] = text
        return found


def phase_table(timeline: Timeline) -> str:
    """The failover timeline as an HTML table (empty string when nothing happened)."""
    rows = "".join(
        f"<tr><td>{html.escape(p.name)}</td><td>{p.offset:.3f}</td><td>{p.duration:.3f}</td>"
        f"<td>{html.escape(p.detail)}</td></tr>"
        for p in timeline.phases()
    )
    if not rows:
        return ""
    return (
        "<h4>Timeline</h4><table class='hil-phases'><tr><th>phase</th><th>at (s)</th>"
        f"<th>took (s)</th><th>detail</th></tr>{rows}</table>"
    )


def step_table(steps) -> str:
    """The procedure's steps as an HTML table."""
    rows = "".join(
        f"<tr><td>{html.escape(s.name)}</td><td>{s.duration:.3f}</td><td>{html.escape(s.outcome)}</td></tr>"
        for s in steps
    )
    if not rows:
        return ""
    return (
        f"<h4>Steps</h4><table class='hil-steps'><tr><th>step</th><th>took (s)</th><th>outcome</th></tr>{rows}</table>"
    )


def transcript_html(excerpts: dict[str, str]) -> str:
    return "".join(
        f"<h4>Transcript {html.escape(name)}</h4><pre>{html.escape(text)}</pre>" for name, text in excerpts.items()
    )


def junit_properties(chassis: Chassis) -> list[tuple[str, str]]:
    """Backend, software versions and phase durations of the plan, as JUnit properties."""
    props = [("chassis", chassis.name), ("backend", chassis.access.backend)]
    if chassis.status is not None:
        for slot, msm in sorted(chassis.status.msms.items()):
            props.append((f"{slot} software", msm.booted_version or "absent"))
    for phase in chassis.timeline.phases():
        props.append((f"phase {phase.name} (s)", f"{phase.offset:.3f}"))
    for step in chassis.steps:
        props.append((f"step {step.name} (s)", f"{step.duration:.3f}"))
    return props
