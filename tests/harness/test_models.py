"""Both chassis of the family: a testbed names the model of a virtual chassis, and every plan
passes on an XCM8806 as on the XCM8810 (the README's first command covers the XCM8810)."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from harness.errors import TestbedError
from harness.testbed.schema import load_testbed


def test_a_testbed_names_the_model_and_the_sysname_follows_it(tmp_path):
    path = tmp_path / "lab.yaml"
    path.write_text("chassis:\n  v6: {type: virtual, virtual: {model: XCM8806}}\n  v10: {type: virtual}\n")
    testbed = load_testbed(path)
    six, ten = testbed.select("v6").virtual, testbed.select("v10").virtual
    assert six is not None and (six.model, six.sysname) == ("XCM8806", "XCM8806")
    assert ten is not None and (ten.model, ten.sysname) == ("XCM8810", "XCM8810")


def test_an_unknown_model_is_one_line_naming_the_key_and_the_models(tmp_path):
    path = tmp_path / "lab.yaml"
    path.write_text("chassis:\n  v1: {type: virtual, virtual: {model: XCM8800}}\n")
    with pytest.raises(TestbedError) as caught:
        load_testbed(path)
    assert "chassis.v1.virtual.model: 'XCM8800' is not a NETGEAR 8800 chassis; use one of XCM8806, XCM8810" in str(
        caught.value)


def test_every_plan_passes_on_a_virtual_xcm8806(tmp_path):
    (tmp_path / "lab.yaml").write_text("chassis:\n  v6: {type: virtual, virtual: {model: XCM8806}}\n")
    done = subprocess.run([sys.executable, "-m", "harness.cli", "run", "--testbed", "lab.yaml"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    root = ET.parse(tmp_path / "reports" / "junit.xml").getroot()
    suite = root if root.tag == "testsuite" else root.find("testsuite")
    assert suite is not None and int(suite.get("tests", "0")) >= 8
    assert suite.get("failures") == suite.get("errors") == "0"
    assert "XCM8806" in (tmp_path / "reports" / "transcripts" / "v6-ssh.log").read_text()
