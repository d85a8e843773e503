"""The parts of the reports a lab engineer reads: the timeline picture, the merged transcript and
its plan excerpt, phase limits, JUnit property names, progress lines with heartbeats."""

import io
import re
import time
import xml.etree.ElementTree as ET

import pytest

from drivers.transcript import Transcript
from harness.errors import TestbedError
from harness.reporting import timeline as ev
from harness.reporting.excerpt import Excerpt
from harness.reporting.limits import check_limits, spans
from harness.reporting.merged import MergedTranscript
from harness.reporting.picture import timeline_svg
from harness.reporting.progress import Bar, Progress, on_terminal
from harness.reporting.report import unique
from harness.reporting.timeline import BootWatch, Timeline
from harness.testbed.schema import load_testbed

SVG = "{http://www.w3.org/2000/svg}"


def attr(element: ET.Element, name: str) -> str:
    """``element``'s attribute ``name`` (fails the test when the picture left it out)."""
    value = element.get(name)
    assert value is not None, f"<{element.tag}> has no {name}="
    return value


def text_of(element: ET.Element) -> str:
    """The text of ``element`` (fails the test when the picture left it empty)."""
    assert element.text is not None, f"<{element.tag} class={element.get('class')!r}> has no text"
    return element.text


def matched(pattern: re.Pattern[str], text: str) -> re.Match[str]:
    """``pattern`` matched at the start of ``text`` (fails the test when it does not match)."""
    match = pattern.match(text)
    assert match is not None, f"{text!r} does not match {pattern.pattern!r}"
    return match


def failover_timeline(lab_per_second: float = 1.0) -> Timeline:
    """A failover as the procedures record it, each step 0.01 s apart (wall)."""
    timeline = Timeline(lab_per_second=lab_per_second)
    timeline.observe("MSM-A", "MASTER")
    timeline.observe("MSM-B", "In Sync")
    timeline.observe("SSH", "up")
    for name, lane, state in [
        (ev.FAILOVER_SENT, None, None),
        (ev.OLD_MASTER_REBOOTING, "MSM-A", "DOWN"),
        (ev.NEW_MASTER_ANSWERING, "MSM-B", "MASTER"),
        (None, "SSH", "down"),
        (None, "MSM-A", "booting"),
        (ev.MANAGEMENT_SSH_BACK, "SSH", "up"),
        (ev.OLD_MASTER_AT_LOGIN, "MSM-A", "BACKUP"),
        (ev.BACKUP_IN_SYNC, "MSM-A", "In Sync"),
    ]:
        time.sleep(0.01)
        if lane:
            assert state is not None  # every lane in the table above comes with its state
            timeline.observe(lane, state)
        if name:
            timeline.mark(name, "MSM-A")
    return timeline


def test_the_picture_has_a_lane_per_msm_and_ssh_states_phases_and_the_speed():
    timeline = failover_timeline(lab_per_second=250)
    svg = ET.fromstring(timeline_svg(timeline, anchors={0: "p-x-phase-0"}))
    lanes = {g.get("data-lane"): g for g in svg.iter(f"{SVG}g") if g.get("class") == "lane"}
    assert list(lanes) == ["MSM-A", "MSM-B", "SSH"]
    states = {lane: [r.get("data-state") for r in g.iter(f"{SVG}rect") if r.get("data-state")] for lane, g in lanes.items()}
    assert states["MSM-A"] == ["MASTER", "DOWN", "booting", "BACKUP", "In Sync"]
    assert states["MSM-B"] == ["In Sync", "MASTER"]
    assert states["SSH"] == ["up", "down", "up"]
    outage = [r for r in lanes["SSH"].iter(f"{SVG}rect") if "ssh-outage" in (r.get("class") or "")]
    assert len(outage) == 1 and float(attr(outage[0], "width")) > 1
    labels = [t.get("data-phase") for t in svg.iter(f"{SVG}text") if t.get("class") == "phase-label"]
    assert labels == timeline.names()
    names = " ".join(text_of(t) for t in svg.iter(f"{SVG}text") if t.get("class") == "phase-name")
    assert "1  failover sent  0.0 s" in names and "backup In Sync" in names
    link = next(svg.iter(f"{SVG}a"))
    assert link.get("href") == "#p-x-phase-0"
    caption = next(text_of(t) for t in svg.iter(f"{SVG}text") if t.get("class") == "caption")
    assert "lab seconds" in caption and "speed 250" in caption
    durations = next(text_of(t) for t in svg.iter(f"{SVG}text") if t.get("class") == "durations")
    assert f"SSH outage {timeline.durations()['SSH outage']:.1f} s" in durations
    # times are lab seconds: 7 steps of >= 0.01 s wall at speed 250 reach beyond 17 s
    ticks = [text_of(t) for g in svg.iter(f"{SVG}g") if g.get("class") == "axis" for t in g.iter(f"{SVG}text")]
    assert float(ticks[-1].rstrip(" s")) >= 15


def test_a_plan_without_phases_has_no_picture():
    assert timeline_svg(Timeline()) == ""


def test_the_merged_transcript_interleaves_sources_in_time_order_with_date_offset_and_mask(tmp_path):
    merged = MergedTranscript(tmp_path / "lab1.log", started=time.time() - 2)
    a = Transcript(None, secrets=["s3cret"], taps=[merged.tap("MSM-A")])
    ssh = Transcript(None, secrets=["s3cret"], taps=[merged.tap("SSH")])
    ssh.sent(b"show switch\r")
    a.received(b"Rebooting ...\r\nlog")
    a.received(b"in: ")
    ssh.received(b"password s3")
    ssh.received(b"cret accepted\r\n")
    merged.phase("failover sent", "run msm-failover on MSM-A", time.time())
    a.close()
    ssh.close()
    lines = merged.since(0)
    line = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} \+\s+\d+\.\d{3} (\S+)\s+([|>#]) (.*)$")
    parsed = [matched(line, text).groups() for text in lines]
    assert parsed[0][:2] == ("MSM-A", "#") and "transcript started" in parsed[0][2]  # each session's own note
    parsed = [p for p in parsed if p[1] != "#" or p[0] == "phase"]
    assert parsed[0] == ("SSH", ">", "show switch")
    assert ("MSM-A", "|", "Rebooting ...") in parsed and ("SSH", "|", "password ******** accepted") in parsed
    assert parsed.index(("MSM-A", "|", "login: ")) < parsed.index(("SSH", "|", "password ******** accepted")), (
        "a line split over two chunks is one line, written before a later line of another source"
    )
    assert parsed[-1] == ("phase", "#", "failover sent: run msm-failover on MSM-A")
    assert "s3cret" not in (tmp_path / "lab1.log").read_text()
    offsets = [float(text.split("+")[1].split()[0]) for text in lines]
    assert offsets == sorted(offsets) and offsets[0] >= 2


def poll(when: int, source: str, state: str, prompt: int) -> list[str]:
    stamp = f"2026-12-01 10:00:{when:02d}.000 +{when:9.3f} {source:<5}"
    return [
        f"{stamp} # run 'show switch' (timeout 15s)",
        f"{stamp} > show switch",
        f"{stamp} | Current Time:     Tue Dec 01 10:00:{when:02d} 2026",
        f"{stamp} | Current State:    {state}",
        f"{stamp} | XCM8810.{prompt} # ",
    ]


def test_the_excerpt_collapses_unchanged_polls_and_anchors_phases():
    lines = poll(1, "SSH", "MASTER", 1) + poll(2, "SSH", "MASTER", 2) + poll(3, "MSM-B", "BACKUP", 1)
    lines += poll(4, "SSH", "MASTER", 3)
    lines += ["2026-12-01 10:00:05.000 +    5.000 phase # failover sent: on MSM-A"]
    lines += poll(6, "SSH", "MASTER", 4) + poll(7, "SSH", "FAIL", 5)
    excerpt = Excerpt(lines, "p-plan")
    text = excerpt.html()
    assert text.count("Current State:    MASTER") == 1, text
    assert "SSH   ~ show switch x3, unchanged" in text
    assert "Current State:    FAIL" in text and "Current State:    BACKUP" in text
    assert excerpt.phase_anchors == ["p-plan-phase-0"]
    assert "<b id='p-plan-phase-0'>" in text
    assert excerpt.shown == len(lines) - 3 * 5 + 1


def test_limits_measure_each_span_in_lab_seconds():
    timeline = failover_timeline(lab_per_second=250)
    found = dict(spans(timeline))
    assert set(found) == {"takeover", "SSH outage", "old master boot", "old master back"}
    assert found["old master boot"] < found["old master back"]
    results = check_limits(timeline, {"takeover": 10_000, "old master back": 1})
    assert [(r.name, r.met) for r in results] == [("takeover", True), ("old master back", False)]
    assert "MISSED" in str(results[1]) and "of 1 s allowed" in str(results[1])


def test_the_testbed_reads_limits_and_names_an_unknown_phase(tmp_path):
    path = tmp_path / "testbed.yaml"
    path.write_text("chassis:\n  vc1:\n    type: virtual\n    limits: {takeover: 30, old master back: 600}\n")
    assert load_testbed(path).select("vc1").limits == {"takeover": 30.0, "old master back": 600.0}
    path.write_text("chassis:\n  vc1:\n    type: virtual\n    limits: {takeovr: 30}\n")
    with pytest.raises(TestbedError, match=r"chassis.vc1.limits.takeovr.*did you mean 'takeover'"):
        load_testbed(path)
    path.write_text("chassis:\n  vc1:\n    type: virtual\n    limits: {takeover: -3}\n")
    with pytest.raises(TestbedError, match="out of range"):
        load_testbed(path)


def test_junit_names_are_unique():
    assert unique(["backup In Sync", "failover sent", "backup In Sync", "backup In Sync"]) == [
        "backup In Sync",
        "failover sent",
        "backup In Sync #2",
        "backup In Sync #3",
    ]


def test_a_long_wait_gives_heartbeats_with_elapsed_time_and_the_last_state():
    said: list[str] = []
    progress = Progress("lab-8810-1", lab_per_second=20, started=time.monotonic() - 42)
    progress.say = said.append
    with progress.waiting("MSM-B booting to login:", deadline=30, last=lambda: "Loading image ..."):
        deadline = time.monotonic() + 10
        while len(said) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
    assert len(said) >= 2, said
    first = re.match(r"^\+\s+(\d+\.\d) s  lab-8810-1  waiting (\d+) s of 600 s for MSM-B booting to login:; "
                     r"last seen: Loading image \.\.\.$", said[0])
    assert first, said[0]
    assert float(first[1]) >= 42 and int(first[2]) >= 10
    progress.event(ev.Event("old master rebooting", time.time(), time.monotonic(), "MSM-B"))
    assert re.match(r"^\+\s+\d+\.\d s  lab-8810-1  old master rebooting MSM-B$", said[-1])


def test_a_progress_bar_moves_to_the_value_it_is_shown():
    stream = io.StringIO()
    bar = Bar("lab-8810-1 synchronize: bulk checkpoint", 100, "%", stream=stream)
    bar.show(62.4)
    bar.show(150)  # never past the end
    bar.close()
    drawn = stream.getvalue()
    assert "lab-8810-1 synchronize: bulk checkpoint" in drawn and "62/100" in drawn and "100/100" in drawn
    assert not on_terminal(False), "no bars when the run's output does not go to a terminal"


def test_boot_text_on_a_console_puts_the_msm_on_the_timeline_as_it_is_printed():
    timeline = Timeline()
    console = Transcript(None, taps=[BootWatch("MSM-A", lambda: timeline)])
    console.received(b"XCM8810.1 # run msm-failover\r\nRebooting ...\r\n")
    console.received(b"\r\nBootROM 1.0.1.3\r\nStarting XCM8800 image ...\r\n")
    console.close()
    assert [(o.lane, o.state) for o in timeline.observations] == [("MSM-A", "DOWN"), ("MSM-A", "booting")]


def test_a_run_clears_only_what_the_previous_run_left(tmp_path):
    from harness.reporting.folder import clear_run_outputs

    for name in ("transcripts/old.log", "recordings/old.jsonl", "tftp/x/image.xos"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("old")
    for name in ("report.html", "junit.xml", "virtual-vc1.log", "notes.txt", "virtual-notes.txt"):
        (tmp_path / name).write_text("old")
    removed = clear_run_outputs(tmp_path)
    assert sorted(removed) == ["junit.xml", "recordings", "report.html", "tftp", "transcripts", "virtual-vc1.log"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt", "virtual-notes.txt"]
