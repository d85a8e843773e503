"""The timeline picture of a plan: one lane per MSM and one for management SSH, as inline SVG.

Each MSM lane shows its state over time (MASTER, BACKUP, In Sync, booting, DOWN, FAIL) as
``show switch`` reported it; the SSH lane shades the outage; numbered markers mark each phase
and, when given an anchor, link to its place in the transcript; under it each phase's duration.
Times are the timeline's lab seconds (wall time on hardware, the emulator's clock on a virtual
chassis, whose speed factor the caption states), the same figures as the tables.

Written by hand rather than with a plotting library: the picture is a handful of rectangles,
lines and labels, an SVG of a few kilobytes that needs no dependency, keeps its text searchable
and its links clickable inside the HTML report, and can be checked element by element in tests.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass

from harness.reporting.timeline import (
    AT_LOGIN,
    BACKUP,
    BOOTING,
    DOWN,
    FAIL,
    IN_SYNC,
    MASTER,
    SSH_DOWN,
    SSH_LANE,
    SSH_UP,
    Timeline,
)

LANES = ("MSM-A", "MSM-B", SSH_LANE)
LANE_LABELS = {"MSM-A": "MSM-A", "MSM-B": "MSM-B", SSH_LANE: "management SSH"}
COLOURS = {
    MASTER: "#2e7d32",
    IN_SYNC: "#1565c0",
    BACKUP: "#64b5f6",
    BOOTING: "#ffb300",
    AT_LOGIN: "#fff176",
    DOWN: "#9e9e9e",
    FAIL: "#c62828",
    SSH_UP: "#a5d6a7",
    SSH_DOWN: "#ef9a9a",
}
#: A link into the folded transcript unfolds it first.
UNFOLD = 'var t=document.getElementById(this.getAttribute("href").slice(1));if(t){t.closest("details").open=true;}'
WIDTH, LEFT, RIGHT, TOP, LANE_HEIGHT, GAP = 960, 130, 20, 34, 26, 8


@dataclass(frozen=True)
class Clock:
    """Maps monotonic time and events to the timeline's lab seconds since its first event."""

    timeline: Timeline

    def lab(self, mono: float) -> float:
        return self.timeline.offset(mono)

    def at(self, event) -> float:
        return self.timeline.at(event) - self.timeline.at(self.timeline.events[0])


def timeline_svg(timeline: Timeline, anchors: dict[int, str] | None = None) -> str:
    """The picture as an ``<svg>`` element (empty string when the plan had no events).

    ``anchors`` maps an event's index in ``timeline.events`` to the id of its transcript line.
    """
    if not timeline.events:
        return ""
    lab_per_second = timeline.lab_per_second
    clock = Clock(timeline)
    ends = [clock.at(e) for e in timeline.events] + [clock.lab(o.mono) for o in timeline.observations]
    span = max(max(ends), 1e-3) * 1.03
    x = _scale(span)
    parts = [_axis(x, span)]
    for row, lane in enumerate(LANES):
        parts.append(_lane(timeline, lane, row, clock, x, span))
    parts.append(_phases(timeline, clock, x, anchors or {}))
    height = TOP + len(LANES) * (LANE_HEIGHT + GAP) + 24
    names, rows = _phase_names(timeline, clock, height + 20)
    durations = _durations(timeline, height + 20 + rows * 16 + 8)
    total = height + 20 + rows * 16 + 8 + (20 if durations else 0)
    caption = _caption(lab_per_second)
    return (
        f"<svg xmlns='http://www.w3.org/2000/svg' class='hil-timeline' width='{WIDTH}' height='{total}' "
        f"viewBox='0 0 {WIDTH} {total}' font-family='sans-serif' font-size='11'>"
        f"<title>{html.escape(caption)}</title>{''.join(parts)}{_legend(height)}"
        f"<text class='caption' x='{LEFT}' y='{height + 18}'>{html.escape(caption)}</text>{names}{durations}</svg>"
    )


def _phase_names(timeline: Timeline, clock: Clock, top: int) -> tuple[str, int]:
    """The numbered phases with their times, three to a row: the key to the markers."""
    per_row, column = 3, (WIDTH - LEFT - RIGHT) // 3
    items = []
    for i, event in enumerate(timeline.events):
        row, col = divmod(i, per_row)
        text = f"{i + 1}  {event.name}  {clock.at(event):.1f} s"
        items.append(
            f"<text class='phase-name' x='{LEFT + col * column}' y='{top + 12 + row * 16}'>{html.escape(text)}</text>"
        )
    return f"<g class='phase-names'>{''.join(items)}</g>", -(-len(timeline.events) // per_row)


def _durations(timeline: Timeline, top: int) -> str:
    """Each phase's duration, from the event that starts it to the one that ends it."""
    spans = timeline.spans()
    if not spans:
        return ""
    text = "phases: " + "; ".join(f"{s.label} {s.seconds:.1f} s" for s in spans)
    return f"<text class='durations' x='{LEFT}' y='{top + 4}'>{html.escape(text)}</text>"


def _caption(lab_per_second: float) -> str:
    if lab_per_second == 1.0:
        return "time in seconds since the first phase (real chassis)"
    return (
        f"time in lab seconds since the first phase (virtual chassis at speed {lab_per_second:g}: the emulator's clock)"
    )


def _scale(span: float):
    def x(lab: float) -> float:
        return LEFT + (WIDTH - LEFT - RIGHT) * min(max(lab, 0.0), span) / span

    return x


def _lane_y(row: int) -> int:
    return TOP + row * (LANE_HEIGHT + GAP)


def _axis(x, span: float) -> str:
    step = _tick_step(span)
    bottom = _lane_y(len(LANES))
    ticks = []
    for i in range(int(span / step) + 1):
        at = x(i * step)
        ticks.append(
            f"<line x1='{at:.1f}' y1='{TOP - 4}' x2='{at:.1f}' y2='{bottom}' stroke='#e0e0e0'/>"
            f"<text x='{at:.1f}' y='{bottom + 12}' text-anchor='middle'>{i * step:g} s</text>"
        )
    return f"<g class='axis'>{''.join(ticks)}</g>"


def _tick_step(span: float) -> float:
    """A round step giving about eight ticks."""
    raw = span / 8
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def _lane(timeline: Timeline, lane: str, row: int, clock: Clock, x, span: float) -> str:
    y = _lane_y(row)
    seen = [o for o in timeline.observations if o.lane == lane]
    label = html.escape(LANE_LABELS[lane])
    shapes = [
        f"<text class='lane-label' x='{LEFT - 8}' y='{y + LANE_HEIGHT / 2 + 4}' text-anchor='end'>{label}</text>",
        f"<rect x='{LEFT}' y='{y}' width='{WIDTH - LEFT - RIGHT}' height='{LANE_HEIGHT}' fill='#fafafa' stroke='#ccc'/>",
    ]
    for i, seen_now in enumerate(seen):
        start = max(clock.lab(seen_now.mono), 0.0)
        end = clock.lab(seen[i + 1].mono) if i + 1 < len(seen) else span
        if end <= 0:
            continue  # superseded before the first phase
        x0, x1 = x(start), x(end)
        state = html.escape(seen_now.state)
        outage = " ssh-outage" if lane == SSH_LANE and seen_now.state == SSH_DOWN else ""
        shapes.append(
            f"<rect class='state{outage}' data-state='{state}' x='{x0:.1f}' y='{y + 2}' "
            f"width='{max(x1 - x0, 0.5):.1f}' height='{LANE_HEIGHT - 4}' fill='{COLOURS.get(seen_now.state, '#bbb')}'>"
            f"<title>{label} {state} from {start:.1f} s to {end:.1f} s</title></rect>"
        )
        text = "SSH outage" if outage else seen_now.state
        if x1 - x0 > 8 * len(text) + 8:
            shapes.append(
                f"<text x='{(x0 + x1) / 2:.1f}' y='{y + LANE_HEIGHT / 2 + 4}' text-anchor='middle' "
                f"fill='{'#000' if seen_now.state in (BOOTING, AT_LOGIN, SSH_UP, SSH_DOWN, BACKUP) else '#fff'}'>"
                f"{html.escape(text)}</text>"
            )
    return f"<g class='lane' data-lane='{html.escape(lane)}'>{''.join(shapes)}</g>"


def _phases(timeline: Timeline, clock: Clock, x, anchors: dict[int, str]) -> str:
    bottom = _lane_y(len(LANES))
    marks, circle = [], -100.0
    for i, event in enumerate(timeline.events):
        at = x(clock.at(event))
        circle = max(at, circle + 17)  # markers of phases close in time side by side, not on top
        title = f"{i + 1}: {event.name} at {clock.at(event):.1f} s {event.detail}".strip()
        mark = (
            f"<line x1='{at:.1f}' y1='{TOP - 4}' x2='{at:.1f}' y2='{bottom}' stroke='#333' stroke-dasharray='3,2'/>"
            f"<line x1='{at:.1f}' y1='{TOP - 4}' x2='{circle:.1f}' y2='{TOP - 12}' stroke='#333'/>"
            f"<circle cx='{circle:.1f}' cy='{TOP - 20}' r='8' fill='#fff' stroke='#333'/>"
            f"<text class='phase-label' data-phase='{html.escape(event.name)}' x='{circle:.1f}' y='{TOP - 16}' "
            f"text-anchor='middle'>{i + 1}</text><title>{html.escape(title)}</title>"
        )
        if i in anchors:
            mark = f"<a href='#{html.escape(anchors[i])}' onclick='{UNFOLD}'>{mark}</a>"
        marks.append(f"<g class='phase'>{mark}</g>")
    return "".join(marks)


def _legend(y: int) -> str:
    items, at = [], LEFT
    for state in (MASTER, BACKUP, IN_SYNC, BOOTING, AT_LOGIN, DOWN, FAIL):
        items.append(
            f"<rect x='{at}' y='{y - 4}' width='10' height='10' fill='{COLOURS[state]}'/>"
            f"<text x='{at + 14}' y='{y + 5}'>{state}</text>"
        )
        at += 24 + 7 * len(state)
    items.append(
        f"<rect x='{at}' y='{y - 4}' width='10' height='10' fill='{COLOURS[SSH_DOWN]}'/>"
        f"<text x='{at + 14}' y='{y + 5}'>SSH outage</text>"
    )
    return f"<g class='legend'>{''.join(items)}</g>"
