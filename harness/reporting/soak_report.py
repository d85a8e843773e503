"""What a failover soak leaves in its folder: ``report.html`` (self-contained, the picture
inline), ``distribution.svg`` and ``junit.xml`` (one test case per cycle, through junit-xml,
with the cycle's phase durations as properties).

:func:`write_soak_reports` is called after every cycle, so a soak that is interrupted or
killed overnight leaves the cycles measured until then.
"""

from __future__ import annotations

import math
import os
import xml.etree.ElementTree as ET
from datetime import datetime
from html import escape
from pathlib import Path

from junit_xml import TestCase, TestSuite, to_xml_report_string

from harness.procedures.soak import FAILED, INTERRUPTED, LABELS, PHASES, SoakCycle, SoakResult
from harness.reporting.soak_picture import distribution_svg

STYLE = (
    "body{font-family:sans-serif;margin:1.5em}table{border-collapse:collapse;margin:.5em 0 1.5em}"
    "td,th{border:1px solid #bbb;padding:.2em .6em;text-align:left}.failed{color:#b00}"
)


def write_soak_reports(result: SoakResult, folder: Path) -> dict[str, Path]:
    """Write report.html, distribution.svg and junit.xml into ``folder``; returns their paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    svg = distribution_svg(result)
    paths = {"report": folder / "report.html", "picture": folder / "distribution.svg", "junit": folder / "junit.xml"}
    _replace(paths["picture"], svg)
    _replace(paths["report"], soak_html(result, svg, folder))
    _replace(paths["junit"], soak_junit(result))
    return paths


def _replace(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` whole or not at all (a reader never sees half a report)."""
    partial = path.with_name(path.name + ".part")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)


def statistics_table(result: SoakResult) -> str:
    """p50 / p95 / max per phase as an HTML table."""
    rows = "".join(
        f"<tr><td>{escape(LABELS[s.phase])}</td><td>{s.count}</td><td>{_seconds(s.p50)}</td>"
        f"<td>{_seconds(s.p95)}</td><td>{_seconds(s.max)}</td></tr>"
        for s in result.statistics()
    )
    return (
        "<table class='hil-soak-stats'><tr><th>phase (from its start to its end)</th><th>cycles</th>"
        f"<th>p50</th><th>p95</th><th>max</th></tr>{rows}</table>"
    )


def cycle_table(result: SoakResult, folder: Path | None = None) -> str:
    """One row per cycle: roles, phase times, outcome, verdict and its transcript excerpt."""
    head = "".join(f"<th>{escape(LABELS[p])} (s)</th>" for p in PHASES)
    rows = "".join(_cycle_row(c, folder) for c in result.cycles)
    return (
        f"<table class='hil-soak-cycles'><tr><th>cycle</th><th>master before</th><th>after</th>{head}"
        f"<th>cycle's wall time (s)</th><th>outcome</th><th>verdict</th></tr>{rows}</table>"
    )


def _cycle_row(cycle: SoakCycle, folder: Path | None) -> str:
    times = "".join(f"<td>{_seconds(cycle.durations.get(p, math.nan))}</td>" for p in PHASES)
    log = ""
    if cycle.log is not None:
        href = os.path.relpath(cycle.log, folder) if folder is not None else cycle.log.name
        log = f" (<a href='{escape(str(href))}'>{escape(cycle.log.name)}</a>)"
    css = " class='failed'" if cycle.outcome == FAILED else ""
    return (
        f"<tr{css}><td>{cycle.number}</td><td>{escape(cycle.old_master or '?')}</td>"
        f"<td>{escape(cycle.new_master or '-')}</td>{times}<td>{cycle.elapsed:.1f}</td>"
        f"<td>{cycle.outcome}</td><td>{escape(cycle.verdict)}{log}</td></tr>"
    )


def soak_body(result: SoakResult, svg: str, folder: Path | None = None) -> str:
    """The report's content (summary, picture, statistics, cycles): also the pytest-html extra."""
    failed = ", ".join(str(c.number) for c in result.failed) or "none"
    stopped = f"<p class='failed'>Stopped early: {escape(result.stopped)}</p>" if result.stopped else ""
    return (
        f"<p>{escape(result.summary())}. Failed cycles: {failed}. {escape(result.speed_note())}.</p>{stopped}{svg}"
        f"<h3>Phase times</h3>{statistics_table(result)}<h3>Cycles</h3>{cycle_table(result, folder)}"
    )


def soak_html(result: SoakResult, svg: str, folder: Path | None = None) -> str:
    """A whole self-contained HTML page (no scripts, no external files but the cycle logs)."""
    title = f"Failover soak: {result.chassis}"
    written = datetime.now().astimezone().strftime("%Y-%m-%d %H:%M:%S %Z")
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{escape(title)}</title>"
        f"<style>{STYLE}</style></head><body><h1>{escape(title)}</h1>"
        f"<p>{escape(result.backend)} chassis, written {escape(written)}.</p>{soak_body(result, svg, folder)}</body></html>"
    )


def cycle_properties(cycle: SoakCycle) -> dict[str, str]:
    """A cycle's figures as JUnit properties (also used by the pytest soak plan)."""
    properties = {f"{LABELS[p]} (s)": f"{cycle.durations[p]:.3f}" for p in PHASES if p in cycle.durations}
    properties.update({"master before": cycle.old_master or "", "master after": cycle.new_master or ""})
    return properties


def soak_junit(result: SoakResult) -> str:
    """JUnit XML: one test case per cycle, its phase durations as test-case properties."""
    classname = f"hil.soak.{result.chassis}"
    cases = []
    for cycle in result.cycles:
        case = TestCase(cycle.name, classname=classname, elapsed_sec=cycle.elapsed)
        if cycle.outcome == FAILED:
            case.add_failure_info(cycle.verdict)
        elif cycle.outcome == INTERRUPTED:
            case.add_skipped_info(cycle.verdict)
        cases.append(case)
    properties = {
        "backend": result.backend,
        "speed": f"{result.speed:g}",
        "cycles asked": str(result.asked),
        "stopped": result.stopped or "",
    }
    for s in result.statistics():
        properties.update(
            {f"{LABELS[s.phase]} {k} (s)": _seconds(v) for k, v in (("p50", s.p50), ("p95", s.p95), ("max", s.max))}
        )
    suite = TestSuite(f"hil soak {result.chassis}", cases, properties=properties)
    root = ET.fromstring(to_xml_report_string([suite]))
    for element, cycle in zip(root.iter("testcase"), result.cycles, strict=True):
        props = ET.Element("properties")
        for name, value in cycle_properties(cycle).items():
            ET.SubElement(props, "property", name=name, value=value)
        element.insert(0, props)
    return ET.tostring(root, encoding="unicode")


def _seconds(value: float) -> str:
    return "" if math.isnan(value) else f"{value:.3f}"
