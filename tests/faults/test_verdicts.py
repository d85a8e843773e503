"""Pure tests of the fault verdicts: their wording and the give-up tests behind them."""

import pickle

from harness.errors import PhaseTimeout, ProcedureFailed, Timeout
from harness.parsers import SwitchStatus
from harness.procedures.sync import CHECKPOINT_STALLED, GaveUp, SyncVerdict, lasting

NO_STATUS = SwitchStatus("", "", {}, "", "")  # an empty ``show switch``: these tests never look at it


def test_a_stalled_checkpoint_reads_as_the_issue_names_it():
    verdict = SyncVerdict(False, CHECKPOINT_STALLED, "checkpoint of fdb stalled at 40 %", "MSM-A", "MSM-B", NO_STATUS)
    assert str(verdict) == "not in sync: checkpoint of fdb stalled at 40 %"


def test_lasting_gives_up_only_after_the_condition_held_for_the_window():
    status = NO_STATUS                     # the tests below look at their condition only
    absent = {"now": True}
    at_once = lasting(lambda s: "MSM-B absent" if absent["now"] else None, 0.0)
    assert at_once(status) == "MSM-B absent for 0 s"
    absent["now"] = False
    assert at_once(status) is None
    patient = lasting(lambda s: "MSM-B absent", 3600.0)
    assert patient(status) is None and patient(status) is None


def test_phase_errors_are_both_kinds_and_pickle():
    error = PhaseTimeout("chassis v: MSM-A did not come back to login: within the 3 s boot deadline")
    assert isinstance(error, ProcedureFailed) and isinstance(error, Timeout)
    gave_up = pickle.loads(pickle.dumps(GaveUp("chassis v: gave up: MSM-B absent", "MSM-B absent")))
    assert gave_up.reason == "MSM-B absent" and isinstance(gave_up, ProcedureFailed)
