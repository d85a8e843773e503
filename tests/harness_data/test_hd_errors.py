"""The harness's exception classes: one tree, one-line messages that say what to do."""

from __future__ import annotations

import pickle

import pytest

import drivers.errors
import harness.errors as errors


def test_driver_errors_are_re_exported():
    for name, obj in vars(drivers.errors).items():
        if isinstance(obj, type) and issubclass(obj, drivers.errors.HilError):
            assert getattr(errors, name) is obj and name in errors.__all__


@pytest.mark.parametrize("cls", [errors.TestbedError, errors.ParseError, errors.NotInSync,
                                 errors.ProcedureFailed, errors.ChassisUnavailable,
                                 errors.EmulatorCrashed])
def test_harness_errors_derive_from_the_one_root(cls):
    assert issubclass(cls, errors.HilError) and cls.__name__ in errors.__all__


def test_parse_error_names_the_command_the_line_and_what_to_do():
    error = errors.ParseError("show node", "MSM-Z  MASTER", "unexpected line")
    assert (error.command, error.line, error.reason) == ("show node", "MSM-Z  MASTER",
                                                         "unexpected line")
    text = str(error)
    assert "'show node'" in text and "'MSM-Z  MASTER'" in text and "unexpected line" in text
    assert "transcript" in text and "\n" not in text


def test_parse_error_truncates_a_long_line_and_omits_an_empty_one():
    long = errors.ParseError("show vlan", "y" * 1000, "unexpected line")
    assert "y" * 100 + "..." in str(long) and "y" * 101 not in str(long)
    assert long.line == "y" * 1000
    assert "at line" not in str(errors.ParseError("show vlan", "", "the output is empty"))


def test_not_in_sync_keeps_the_reason():
    error = errors.NotInSync("MSM-B runs 12.3.1.2, MSM-A runs 12.4.2.8")
    assert error.reason == "MSM-B runs 12.3.1.2, MSM-A runs 12.4.2.8"
    assert error.reason in str(error) and "synchronize" in str(error)


@pytest.mark.parametrize("error", [
    errors.ParseError("show switch", "x\r\ny", "two\nlines"),
    errors.NotInSync("checkpoint of vlan at 40 %"),
    errors.TestbedError("tb.yaml", "chassis", "no chassis defined", "add one"),
    errors.ProcedureFailed("failover did not finish; look at the timeline"),
])
def test_errors_survive_pickling(error):
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is type(error) and str(again) == str(error)
    assert "\n" not in str(again).replace(repr("x\r\ny"), "")


def test_testbed_error_is_not_collected_as_a_test():
    assert errors.TestbedError.__test__ is False


def test_a_timeout_is_a_timeout_error_to_code_that_knows_nothing_of_the_harness():
    with pytest.raises(TimeoutError):
        raise errors.PhaseTimeout("old master at login took 601 s (limit 600 s)")
    assert issubclass(errors.Timeout, errors.HilError)
