"""The pytest plugin, driven by pytester: fixtures, options, markers, fallbacks, report outputs."""

import xml.etree.ElementTree as ET

import pytest

pytest_plugins = ["pytester"]

PLAN = """
from harness.lab.chassis import SSH
from harness.procedures.sync import check_sync

def test_in_sync(chassis):
    assert chassis.is_virtual
    assert check_sync(chassis).in_sync
"""


def _run(pytester, *args):
    return pytester.runpytest_subprocess("-p", "no:cacheprovider", f"--hil-workdir={pytester.path / 'out'}",
                                         f"--lock-dir={pytester.path / 'locks'}", *args)


MARKED = """
import pytest

@pytest.mark.hardware_only
def test_needs_hardware(chassis):
    pass

@pytest.mark.virtual_only
def test_needs_the_emulator(chassis):
    assert chassis.control is not None
"""


def test_without_testbed_plans_run_on_a_virtual_chassis_and_markers_choose_the_backend(pytester):
    # one run, one emulator: the outputs of a plan and the markers' choices
    pytester.makepyfile(test_plan=PLAN, test_marked=MARKED)
    result = _run(pytester, "--junitxml=junit.xml", "-o", "junit_family=xunit1", "--html=report.html",
                  "--self-contained-html", "-rs")
    result.assert_outcomes(passed=2, skipped=1)
    result.stdout.fnmatch_lines(["*meaningful only on a real chassis*"])
    props = {p.get("name"): p.get("value") for p in ET.parse(pytester.path / "junit.xml").iter("property")}
    assert props["backend"] == "virtual"
    assert props["MSM-A software"] == props["MSM-B software"] == "12.4.2.8"
    html = (pytester.path / "report.html").read_text()
    assert "Transcript" in html and "show switch" in html
    assert sorted(p.name for p in (pytester.path / "out" / "transcripts").iterdir()) == ["virtual-ssh.log", "virtual.log"]


def test_a_broken_testbed_stops_the_run_with_file_key_and_fix(pytester):
    pytester.makepyfile(PLAN)
    pytester.makefile(".yaml", testbed="chassis:\n  lab1:\n    type: real\n    colsoles: {}\n")
    result = _run(pytester, "--testbed=testbed.yaml")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*testbed.yaml: chassis.lab1*colsoles*"])


UNREACHABLE = """
chassis:
  lab1:
    type: real
    management: {{host: 127.0.0.1, port: {port}}}
    consoles: {{MSM-A: "socket://127.0.0.1:{port}", MSM-B: "socket://127.0.0.1:{port2}"}}
    credentials: {{username: admin, password: ""}}
    fallback: {fallback}
"""


@pytest.mark.parametrize("fallback, outcome", [("skip", {"skipped": 1}), ("virtual", {"passed": 1})])
def test_an_unreachable_real_chassis_follows_its_fallback(pytester, free_port, fallback, outcome):
    pytester.makepyfile(PLAN)
    pytester.makefile(".yaml", testbed=UNREACHABLE.format(port=free_port(), port2=free_port(),
                                                           fallback=fallback))
    result = _run(pytester, "--testbed=testbed.yaml", "-rs")
    result.assert_outcomes(**outcome)
    if fallback != "virtual":
        result.stdout.fnmatch_lines(["*management SSH 127.0.0.1:* is unreachable*"])
    else:
        result.stdout.fnmatch_lines(["*running on a virtual chassis instead (fallback: virtual)*"])
