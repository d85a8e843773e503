"""Timeline: events in order, phases measured between them, listeners told at once."""

import time

from harness.reporting.timeline import Timeline


def test_phases_measure_offsets_and_gaps():
    timeline = Timeline()
    timeline.mark("failover sent", "on MSM-A")
    time.sleep(0.02)
    timeline.mark("old master rebooting", "MSM-A")
    time.sleep(0.01)
    timeline.mark("new master answering", "MSM-B")
    phases = timeline.phases()
    assert [p.name for p in phases] == timeline.names()
    assert phases[0].offset == 0 and phases[0].duration == 0
    assert phases[1].duration >= 0.02 and phases[2].duration >= 0.01
    assert phases[2].offset == phases[1].duration + phases[2].duration
    assert timeline.between("failover sent", "new master answering") == phases[2].offset
    assert timeline.between("failover sent", "never happened") is None


def test_listeners_see_each_event_as_it_is_marked():
    seen = []
    timeline = Timeline(listeners=[seen.append])
    event = timeline.mark("backup In Sync", "MSM-A")
    assert seen == [event] and event.detail == "MSM-A"
    assert timeline.find("backup In Sync") is event and timeline.find("other") is None


def test_an_empty_timeline_has_no_phases():
    assert Timeline().phases() == []
