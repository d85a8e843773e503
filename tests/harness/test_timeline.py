"""Timeline: events in order, each phase from the event that starts it to the one that ends it,
offsets as offsets, lanes as the consoles showed them, listeners told at once."""

import time

import pytest

from harness.reporting import timeline as ev
from harness.reporting.timeline import AT_LOGIN, BOOTING, DOWN, SSH_DOWN, SSH_LANE, SSH_UP, Event, Timeline


def _failover(timeline: Timeline, login_before_ssh: bool) -> None:
    """A failover whose rows 4 and 5 (SSH back, old master at login) come in either order."""
    timeline.observe(SSH_LANE, SSH_UP)
    timeline.mark(ev.FAILOVER_SENT, "run msm-failover on MSM-A")
    time.sleep(0.01)
    timeline.mark(ev.OLD_MASTER_REBOOTING, "MSM-A")
    time.sleep(0.02)
    timeline.observe(SSH_LANE, SSH_DOWN)
    time.sleep(0.01)
    timeline.mark(ev.NEW_MASTER_ANSWERING, "MSM-B")
    later = [(ev.MANAGEMENT_SSH_BACK, "MSM-B"), (ev.OLD_MASTER_AT_LOGIN, "MSM-A")]
    for name, detail in reversed(later) if login_before_ssh else later:
        time.sleep(0.03)
        timeline.mark(name, detail)
    time.sleep(0.01)
    timeline.mark(ev.BACKUP_IN_SYNC, "MSM-A")


def _event(timeline: Timeline, name: str) -> Event:
    """The event ``name`` (fails the test when the timeline has none)."""
    found = timeline.find(name)
    assert found is not None, f"no {name!r} event in {timeline.names()}"
    return found


def _gap(timeline: Timeline, first: str, last: str) -> float:
    return _event(timeline, last).mono - _event(timeline, first).mono


def test_each_phase_runs_from_the_event_that_starts_it_to_the_one_that_ends_it():
    for login_before_ssh in (False, True):
        timeline = Timeline()
        _failover(timeline, login_before_ssh)
        took = timeline.durations()
        assert took["takeover"] == _gap(timeline, ev.FAILOVER_SENT, ev.NEW_MASTER_ANSWERING)
        assert took["SSH outage"] == _gap(timeline, ev.MANAGEMENT_SSH_LOST, ev.MANAGEMENT_SSH_BACK)
        assert took["old master boot"] == _gap(timeline, ev.OLD_MASTER_REBOOTING, ev.OLD_MASTER_AT_LOGIN)
        assert took["old master back"] == _gap(timeline, ev.OLD_MASTER_REBOOTING, ev.BACKUP_IN_SYNC)
        rows = {p.name: p for p in timeline.phases()}
        # the SSH back row shows the outage whichever row came before it
        assert [s.label for s in rows[ev.MANAGEMENT_SSH_BACK].ends] == ["SSH outage"]
        assert rows[ev.MANAGEMENT_SSH_BACK].ended() == f"SSH outage {took['SSH outage']:.1f} s"
        assert rows[ev.FAILOVER_SENT].offset == 0 and rows[ev.FAILOVER_SENT].ends == ()
        assert rows[ev.BACKUP_IN_SYNC].offset == _gap(timeline, ev.FAILOVER_SENT, ev.BACKUP_IN_SYNC)
        assert _event(timeline, ev.MANAGEMENT_SSH_BACK).ends == (("SSH outage", took["SSH outage"]),)


def test_durations_are_lab_seconds_and_the_emulators_stamps_win():
    timeline = Timeline(lab_per_second=1000)
    _failover(timeline, False)
    rebooting = timeline.names().index(ev.OLD_MASTER_REBOOTING)
    at_login = timeline.names().index(ev.OLD_MASTER_AT_LOGIN)
    assert timeline.durations()["old master boot"] == pytest.approx(_gap(timeline, ev.OLD_MASTER_REBOOTING, ev.OLD_MASTER_AT_LOGIN) * 1000)
    timeline.retime({rebooting: 5000.0, at_login: 5095.0})
    assert timeline.durations()["old master boot"] == 95.0
    # an event between two stamped ones lies between them, in proportion
    lost = _event(timeline, ev.MANAGEMENT_SSH_LOST)
    assert 5000.0 < timeline.at(lost) < 5095.0


def test_an_msm_at_login_is_not_drawn_booting_by_a_later_show_switch():
    timeline = Timeline()
    timeline.observe("MSM-A", DOWN)
    timeline.observe("MSM-A", BOOTING)
    timeline.observe("MSM-A", AT_LOGIN)
    timeline.observe("MSM-A", BOOTING)  # a show switch sent before the login: answered after it
    assert [o.state for o in timeline.observations] == [DOWN, BOOTING, AT_LOGIN]
    timeline.observe("MSM-A", DOWN)  # a new reboot: booting again is true
    timeline.observe("MSM-A", BOOTING)
    assert [o.state for o in timeline.observations][-2:] == [DOWN, BOOTING]


def test_the_management_ssh_going_down_is_an_event():
    timeline = Timeline()
    timeline.observe(SSH_LANE, SSH_UP)
    timeline.observe(SSH_LANE, SSH_DOWN)
    timeline.observe(SSH_LANE, SSH_DOWN)
    assert timeline.names() == [ev.MANAGEMENT_SSH_LOST]


def test_listeners_see_each_event_as_it_is_marked():
    seen: list[Event] = []
    timeline = Timeline(listeners=[seen.append])
    event = timeline.mark("backup In Sync", "MSM-A")
    assert seen == [event] and event.detail == "MSM-A"
    assert timeline.find("backup In Sync") is event and timeline.find("other") is None


def test_an_empty_timeline_has_no_phases():
    assert Timeline().phases() == []
