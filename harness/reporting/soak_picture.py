"""The distribution of a failover soak's phase times as one self-contained SVG.

Written by hand rather than with matplotlib: it is one small strip chart, a few dozen SVG
elements, and the harness would otherwise pull matplotlib, numpy and Pillow (tens of MB) into
every lab install for it. The SVG is text: it is embedded as is in ``report.html`` and in the
pytest-html extras, has no fonts or scripts to fetch, and the tests read it as XML.

One row per phase, each on its own axis from 0: a dot per cycle (red for a failed cycle) at the
seconds from ``failover sent``, a band from p50 to p95, a bar at p50 and a tick at the maximum,
with the figures beside the phase's name; the reason a soak stopped early at the bottom.
"""

from __future__ import annotations

import math
from html import escape

from harness.procedures.soak import FAILED, LABELS, PHASES, SoakResult

WIDTH, LEFT, RIGHT = 760, 290, 30
TOP, ROW, BOTTOM = 52, 70, 26
PASSED_COLOUR, FAILED_COLOUR, BAND_COLOUR = "#1f6fb4", "#d62728", "#cfe0f1"


def nice_ticks(top: float, most: int = 6) -> list[float]:
    """Round axis ticks from 0 covering ``top`` (1, 2 or 5 times a power of ten apart)."""
    if not top > 0 or math.isinf(top):
        return [0.0, 1.0]
    power = 10 ** math.floor(math.log10(top / most))
    step = next(power * k for k in (1, 2, 5, 10) if top / (power * k) <= most)
    return [i * step for i in range(int(math.ceil(top / step - 1e-9)) + 1)]


def distribution_svg(result: SoakResult) -> str:
    """The SVG picture of ``result``'s phase distributions (also when nothing was measured).

    Each phase has its own axis from 0, so a phase of seconds is not flattened by one of minutes.
    """
    stats = {s.phase: s for s in result.statistics()}
    height = TOP + ROW * len(PHASES) + BOTTOM
    title = f"Failover soak on {result.chassis} ({result.backend}): {len(result.cycles)} of {result.asked} cycles"
    title += f", {len(result.failed)} failed"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" font-family="sans-serif" font-size="12">',
        f'<rect width="{WIDTH}" height="{height}" fill="white"/>',
        f'<text x="10" y="20" font-size="14" font-weight="bold">{escape(title)}</text>',
        f'<text x="10" y="38" fill="#555">{escape(result.speed_note())}, each phase from its start to its end; '
        "dot = one cycle (red: failed), band p50..p95, bar p50, tick max</text>",
    ]
    for row, phase in enumerate(PHASES):
        parts += _phase_row(result, phase, stats[phase], TOP + row * ROW)
    if result.stopped:
        stopped = result.stopped if len(result.stopped) <= 120 else result.stopped[:117] + "..."
        parts.append(f'<text x="10" y="{height - 14}" fill="{FAILED_COLOUR}">stopped: {escape(stopped)}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def _phase_row(result: SoakResult, phase: str, stat, top: float) -> list[str]:
    """The label, figures, axis, band, p50 bar, max tick and dots of one phase."""
    mid, axis_y = top + 22, top + 44
    ticks = nice_ticks(stat.max if stat.count else 0.0)
    scale = (WIDTH - LEFT - RIGHT) / ticks[-1]
    figures = (
        f"n={stat.count}, p50 {stat.p50:.2f} s, p95 {stat.p95:.2f} s, max {stat.max:.2f} s"
        if stat.count
        else "not measured"
    )
    parts = [
        f'<text x="10" y="{mid - 2:.1f}" font-weight="bold">{escape(LABELS[phase])}</text>',
        f'<text x="10" y="{mid + 14:.1f}" font-size="11" fill="#333">{figures}</text>',
        f'<line x1="{LEFT}" y1="{axis_y}" x2="{WIDTH - RIGHT}" y2="{axis_y}" stroke="#999"/>',
    ]
    for tick in ticks:
        x = LEFT + tick * scale
        parts.append(f'<line x1="{x:.1f}" y1="{axis_y}" x2="{x:.1f}" y2="{axis_y + 4}" stroke="#999"/>')
        parts.append(f'<text x="{x:.1f}" y="{axis_y + 15}" font-size="10" text-anchor="middle">{tick:g}</text>')
    if stat.count:
        x50, x95, xmax = (LEFT + v * scale for v in (stat.p50, stat.p95, stat.max))
        parts += [
            f'<rect x="{x50:.1f}" y="{mid - 14:.1f}" width="{max(x95 - x50, 1):.1f}" height="28" fill="{BAND_COLOUR}"/>',
            f'<line x1="{x50:.1f}" y1="{mid - 16:.1f}" x2="{x50:.1f}" y2="{mid + 16:.1f}" stroke="#000" stroke-width="2"/>',
            f'<line x1="{xmax:.1f}" y1="{mid - 10:.1f}" x2="{xmax:.1f}" y2="{mid + 10:.1f}" stroke="#000"/>',
        ]
    for cycle in result.cycles:
        if phase in cycle.durations:
            colour = FAILED_COLOUR if cycle.outcome == FAILED else PASSED_COLOUR
            jitter = ((cycle.number * 7) % 11 - 5) * 2.2  # spread equal values apart, the same every time
            parts.append(
                f'<circle cx="{LEFT + cycle.durations[phase] * scale:.1f}" cy="{mid + jitter:.1f}" r="3.5" '
                f'fill="{colour}" fill-opacity="0.75"><title>{cycle.name}: '
                f"{cycle.durations[phase]:.3f} s</title></circle>"
            )
    return parts
