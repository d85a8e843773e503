"""The pure parts of the benchmarks: figures, table rows, pairing the timeline with the
emulator's event log. (The benchmarks themselves are not tests: ``python -m bench``.)"""

import pytest

from bench.common import Figures, limit_row, ratio_row, table
from bench.procedure import detection_lags, timeline_table
from harness.reporting import timeline as ev
from harness.reporting.timeline import Event, Timeline


def test_figures_median_and_p95():
    figures = Figures.of([float(n) for n in range(1, 101)])
    assert (figures.median, figures.p95, figures.count) == (50.5, 95.0, 100)
    assert Figures.of([2.0]).p95 == 2.0


def test_rows_say_whether_a_target_is_met():
    assert ratio_row("1", "x", 0.003, 0.002, 1.5).met == "yes"
    assert ratio_row("1", "x", 0.004, 0.002, 1.5).met == "NO"
    assert ratio_row("1", "x", 0.004, 0.002, None).met == ""
    assert limit_row("4", "y", 6.0, 5.0).met == "NO"
    assert "| 1 | x | 3.00 ms | 2.00 ms | 1.50x |" in table([ratio_row("1", "x", 0.003, 0.002, 1.5)])


def test_each_noticing_event_is_paired_with_the_last_change_it_reports():
    timeline = Timeline([Event(ev.FAILOVER_SENT, 100.0, 0.0, "run msm-failover on MSM-A"),
                         Event(ev.NEW_MASTER_ANSWERING, 100.020, 0.020, "MSM-B"),
                         Event(ev.BACKUP_IN_SYNC, 101.5, 1.5, "MSM-A")])
    changes = [{"t": 50.0, "msm": "MSM-B", "to": "MASTER"},          # an earlier run
               {"t": 100.005, "msm": "MSM-B", "to": "MASTER"},
               {"t": 101.45, "msm": "MSM-A", "to": "BACKUP (In Sync)"},
               {"t": 102.0, "msm": "MSM-A", "to": "BACKUP (In Sync)"}]  # after: not what it saw
    lags = detection_lags(timeline, changes)
    assert [lag.change for lag in lags] == ["", "MSM-B -> MASTER", "MSM-A -> BACKUP (In Sync)"]
    assert lags[0].lag is None
    assert lags[1].lag == pytest.approx(0.015) and lags[2].lag == pytest.approx(0.05)
    assert "| 0.020 s | new master answering | MSM-B | MSM-B -> MASTER | 15.00 ms |" in \
        timeline_table("in sync", timeline, lags)


def test_a_change_missing_from_the_log_has_no_lag():
    timeline = Timeline([Event(ev.OLD_MASTER_AT_LOGIN, 10.0, 0.0, "MSM-A")])
    assert detection_lags(timeline, [])[0].lag is None


def test_commands_are_counted_from_the_notes_a_session_writes():
    from bench.procedure import _COMMAND_NOTE
    from drivers import Transcript

    transcript = Transcript(None)
    for command in ("show switch", "run msm-failover", "show switch"):
        transcript.note(f"run {command!r} (timeout 30s)")
        transcript.sent(f"{command}\r".encode())
        transcript.received(b"run 'not a note' at the prompt\r\nXCM8810.2 # ")
        transcript.note(f"{command!r}: prompt after 0.001s")
    names = [m["command"] for m in _COMMAND_NOTE.finditer(transcript.text())]
    assert names == ["show switch", "run msm-failover", "show switch"]
