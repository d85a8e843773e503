"""Testbed files: the valid schema, defaults, and every validation error."""

from __future__ import annotations

import copy
import pickle
from pathlib import Path

import pytest
import yaml

from harness.errors import HilError, TestbedError
from harness.testbed.schema import (
    ChassisSpec,
    Credentials,
    SshAddress,
    Testbed,
    VirtualOptions,
    default_testbed,
    load_testbed,
)

ENV_SECRET = "Env-S3cret-value!"
FILE_SECRET = "File-Literal-Passw0rd"
ENV = {"LAB_PW": ENV_SECRET, "LAB_HOST": "10.9.9.9", "SSH_PORT": "2222", "JUMP": "jump.lab",
       "BAD_PORT": "not-a-port", "TS": "ts9.lab"}

EXAMPLE = """\
# testbed.yaml
chassis:
  lab-8810-1:                 # name used by --chassis
    type: real
    management:
      host: 10.1.2.3
      port: 22
    consoles:
      MSM-A: socket://ts1.lab.example:7001
      MSM-B: rfc2217://ts1.lab.example:7002
    baudrate: 9600
    credentials:
      username: admin
      password: ${LAB_PW}
    known_hosts: ~/.cache/xcm8800-hil/known_hosts
    fallback: virtual
    ssh_options: ["-J", "jumphost.lab"]
  vc1:
    type: virtual
    virtual:
      speed: 100
      versions: {MSM-A: 12.4.2.8, MSM-B: 12.4.2.8}
      sysname: XCM8810
    credentials: {username: admin, password: ""}
"""


def base() -> dict:
    """A valid document: one real chassis (both secrets in it) and one virtual chassis."""
    return {"chassis": {
        "lab1": {
            "type": "real",
            "management": {"host": "10.1.2.3", "port": 22},
            "consoles": {"MSM-A": "socket://ts1.lab:7001", "MSM-B": "/dev/ttyUSB1"},
            "credentials": {"username": "admin", "password": "${LAB_PW}"},
            "fallback": "skip",
        },
        "lab2": {
            "type": "real",
            "management": {"host": "10.1.2.4"},
            "consoles": {"MSM-A": "socket://ts1.lab:7003", "MSM-B": "rfc2217://ts1.lab:7004"},
            "credentials": {"username": "admin", "password": FILE_SECRET},
        },
        "vc1": {"type": "virtual", "virtual": {"speed": 50}},
    }}


def write(tmp_path: Path, document) -> Path:
    path = tmp_path / "testbed.yaml"
    text = document if isinstance(document, str) else yaml.safe_dump(document, sort_keys=False)
    path.write_text(text)
    return path


def failure(path: Path, environ=ENV) -> TestbedError:
    with pytest.raises(TestbedError) as caught:
        load_testbed(path, environ=environ)
    error = caught.value
    for shown in (str(error), repr(error), error.problem, error.fix):
        assert ENV_SECRET not in shown and FILE_SECRET not in shown
        assert "\n" not in shown
    assert str(error) == f"{path}: {error.key}: {error.problem}; {error.fix}"
    return error


def mutated(change) -> dict:
    document = copy.deepcopy(base())
    change(document)
    return document


def lab1(document) -> dict:
    return document["chassis"]["lab1"]


# -- valid files ------------------------------------------------------------------------


def test_the_schema_example_loads_with_environment_references_resolved(tmp_path):
    path = write(tmp_path, EXAMPLE)
    testbed = load_testbed(path, environ=ENV)
    assert testbed.path == path and list(testbed.chassis) == ["lab-8810-1", "vc1"]
    real = testbed.select("lab-8810-1")
    assert real == testbed.select(None)
    assert real.type == "real" and not real.is_virtual
    assert real.management == SshAddress("10.1.2.3", 22)
    assert real.consoles == {"MSM-A": "socket://ts1.lab.example:7001",
                             "MSM-B": "rfc2217://ts1.lab.example:7002"}
    assert real.baudrate == 9600 and real.fallback == "virtual"
    assert real.credentials == Credentials("admin", ENV_SECRET)
    assert real.known_hosts == Path("~/.cache/xcm8800-hil/known_hosts").expanduser()
    assert real.ssh_options == ("-J", "jumphost.lab") and real.virtual is None
    virtual = testbed.select("vc1")
    assert virtual.is_virtual and virtual.management is None and virtual.consoles == {}
    assert virtual.virtual == VirtualOptions(100.0, {"MSM-A": "12.4.2.8", "MSM-B": "12.4.2.8"},
                                             "XCM8810")
    assert virtual.credentials == Credentials("admin", "")


def test_defaults_fill_optional_keys(tmp_path):
    testbed = load_testbed(write(tmp_path, base()), environ=ENV)
    lab2 = testbed.chassis["lab2"]
    assert lab2.management is not None and lab2.management.port == 22 and lab2.baudrate == 9600 and lab2.fallback == "fail"
    assert lab2.known_hosts is None and lab2.ssh_options == ()
    assert testbed.chassis["vc1"].virtual == VirtualOptions(50.0, {}, "XCM8810")
    assert testbed.chassis["vc1"].credentials == Credentials("admin", "")


def test_a_null_value_is_the_same_as_leaving_the_key_out(tmp_path):
    document = mutated(lambda d: lab1(d).update(baudrate=None, known_hosts=None, fallback=None))
    spec = load_testbed(write(tmp_path, document), environ=ENV).chassis["lab1"]
    assert (spec.baudrate, spec.known_hosts, spec.fallback) == (9600, None, "fail")


def test_every_string_value_expands_and_dollar_dollar_escapes(tmp_path):
    def change(d):
        lab1(d)["management"] = {"host": "${LAB_HOST}", "port": "${SSH_PORT}"}
        lab1(d)["consoles"]["MSM-A"] = "socket://${TS}:7001"
        lab1(d)["ssh_options"] = ["-J", "${JUMP}", "-o", "SetEnv=X=$${NOT_EXPANDED}"]
        lab1(d)["credentials"]["username"] = "$${literal}"
    spec = load_testbed(write(tmp_path, mutated(change)), environ=ENV).chassis["lab1"]
    assert spec.management == SshAddress("10.9.9.9", 2222)
    assert spec.consoles["MSM-A"] == "socket://ts9.lab:7001"
    assert spec.ssh_options == ("-J", "jump.lab", "-o", "SetEnv=X=${NOT_EXPANDED}")
    assert spec.credentials.username == "${literal}"


def test_the_process_environment_is_the_default(tmp_path, monkeypatch):
    monkeypatch.setenv("LAB_PW", "from-os-environ")
    spec = load_testbed(write(tmp_path, base())).chassis["lab1"]
    assert spec.credentials.password == "from-os-environ"


def test_a_relative_known_hosts_is_relative_to_the_testbed_file(tmp_path):
    document = mutated(lambda d: lab1(d).update(known_hosts="keys/known_hosts"))
    spec = load_testbed(write(tmp_path, document), environ=ENV).chassis["lab1"]
    assert spec.known_hosts == tmp_path / "keys" / "known_hosts"


def test_loop_urls_may_repeat_because_they_reach_nothing(tmp_path):
    def change(d):
        for name in ("lab1", "lab2"):
            d["chassis"][name]["consoles"] = {"MSM-A": "loop://", "MSM-B": "loop://"}
    testbed = load_testbed(write(tmp_path, mutated(change)), environ=ENV)
    assert testbed.chassis["lab2"].consoles["MSM-B"] == "loop://"


def test_default_testbed_is_one_virtual_chassis():
    testbed = default_testbed()
    assert isinstance(testbed, Testbed) and testbed.path is None
    spec = testbed.select()
    assert isinstance(spec, ChassisSpec) and spec.name == "virtual" and spec.is_virtual
    assert spec.virtual == VirtualOptions() and spec.credentials.username == "admin"
    with pytest.raises(TestbedError, match="choose one of: virtual"):
        testbed.select("lab1")


def test_select_an_unknown_chassis_lists_the_known_names(tmp_path):
    testbed = load_testbed(write(tmp_path, base()), environ=ENV)
    with pytest.raises(TestbedError) as caught:
        testbed.select("lab3")
    assert caught.value.key == "chassis.lab3"
    assert "lab1, lab2, vc1" in str(caught.value) and str(testbed.path) in str(caught.value)


def test_credentials_never_show_the_password():
    credentials = Credentials("admin", ENV_SECRET)
    spec = default_testbed().select()
    for text in (repr(credentials), str(credentials), f"{credentials}", f"{credentials!r}",
                 repr(ChassisSpec(**{**spec.__dict__, "credentials": credentials}))):
        assert ENV_SECRET not in text and "admin" in text


def test_testbed_error_is_a_hil_error_and_pickles():
    error = TestbedError("tb.yaml", "chassis.a.type", "bad", "fix it")
    assert isinstance(error, HilError)
    again = pickle.loads(pickle.dumps(error))
    assert (again.path, again.key, again.problem, again.fix, str(again)) == (
        "tb.yaml", "chassis.a.type", "bad", "fix it", "tb.yaml: chassis.a.type: bad; fix it")


# -- the file itself ---------------------------------------------------------------------


def test_missing_file(tmp_path):
    error = failure(tmp_path / "nope.yaml")
    assert (error.key, error.problem) == ("(file)", "no such file")
    assert "testbed file" in error.fix


def test_a_directory_is_not_a_testbed(tmp_path):
    error = failure(tmp_path)
    assert (error.key, error.problem) == ("(file)", "not a regular file")


def test_unreadable_file():
    error = failure(Path("/proc/self/mem"))  # a regular file whose read fails with EIO
    assert error.key == "(file)" and "cannot read" in error.problem and "readable" in error.fix


def test_not_utf8(tmp_path):
    path = tmp_path / "testbed.yaml"
    path.write_bytes(b"chassis:\n  \xff\xfe: {}\n")
    assert failure(path).problem == "not UTF-8 text"


def test_invalid_yaml_gives_line_and_column_but_not_the_text(tmp_path):
    text = f"chassis:\n  lab1:\n    credentials: {{password: {FILE_SECRET}\n    type: [real\n"
    error = failure(write(tmp_path, text))
    assert error.key == "(yaml)" and "line " in error.problem and "column " in error.problem
    assert "indent" in error.fix


def test_a_key_given_twice_is_refused_with_its_line(tmp_path):
    text = "chassis:\n  vc1: {type: virtual}\n  vc1: {type: virtual}\n"
    error = failure(write(tmp_path, text))
    assert error.key == "(yaml)" and "'vc1' appears twice" in error.problem
    assert "line 3" in error.problem


def test_yaml_merge_keys_may_be_overridden(tmp_path):
    text = ("chassis:\n  vc1: &v {type: virtual, virtual: {speed: 5}}\n"
            "  vc2:\n    <<: *v\n    virtual: {speed: 7}\n")
    virtual = load_testbed(write(tmp_path, text), environ=ENV).chassis["vc2"].virtual
    assert virtual is not None and virtual.speed == 7.0


@pytest.mark.parametrize("text, key, problem", [
    ("", "(top level)", "the file is empty"),
    ("- a\n- b\n", "(top level)", "expected a mapping, got a list"),
    ("{}\n", "chassis", "no chassis defined"),
    ("chassis: {}\n", "chassis", "no chassis defined"),
    ("chassis: [vc1]\n", "chassis", "expected a mapping, got a list"),
    ("chasis: {vc1: {type: virtual}}\n", "chasis", "did you mean 'chassis'?"),
    ("chassis:\n  'bad name!': {type: virtual}\n", "chassis.bad name!", "not a usable"),
    ("chassis:\n  1: {type: virtual}\n", "chassis.1", "not a usable chassis name"),
    ("chassis:\n  vc1: virtual\n", "chassis.vc1", "expected a mapping, got a string"),
])
def test_document_shape(tmp_path, text, key, problem):
    error = failure(write(tmp_path, text))
    assert error.key == key and problem in error.problem


# -- chassis entries --------------------------------------------------------------------

CASES = [
    # unknown keys, with the close match and the allowed ones
    ("unknown chassis key", lambda d: lab1(d).update(managment={}),
     "chassis.lab1.managment", "did you mean 'management'?", "management, consoles"),
    ("unknown management key", lambda d: lab1(d)["management"].update(hots="x"),
     "chassis.lab1.management.hots", "did you mean 'host'?", "host, port"),
    ("unknown credentials key", lambda d: lab1(d)["credentials"].update(passwd="x"),
     "chassis.lab1.credentials.passwd", "did you mean 'password'?", "username, password"),
    ("unknown virtual key", lambda d: d["chassis"]["vc1"]["virtual"].update(sped=3),
     "chassis.vc1.virtual.sped", "did you mean 'speed'?", "speed, versions, sysname"),
    ("key of the other type", lambda d: d["chassis"]["vc1"].update(consoles={}),
     "chassis.vc1.consoles", "not used by a virtual chassis", "set type: real"),
    ("virtual options on real", lambda d: lab1(d).update(virtual={"speed": 1}),
     "chassis.lab1.virtual", "not used by a real chassis", "set type: virtual"),
    # type
    ("type missing", lambda d: lab1(d).pop("type"),
     "chassis.lab1.type", "missing", "one of: real, virtual"),
    ("type unknown", lambda d: lab1(d).update(type="simulated"),
     "chassis.lab1.type", "'simulated' is not allowed", "one of: real, virtual"),
    ("type not a string", lambda d: lab1(d).update(type=["real"]),
     "chassis.lab1.type", "expected a string, got a list", "quote"),
    # management
    ("no management", lambda d: lab1(d).pop("management"),
     "chassis.lab1.management", "needs its management SSH address", "host:"),
    ("management not a mapping", lambda d: lab1(d).update(management="10.1.2.3"),
     "chassis.lab1.management", "expected a mapping, got a string", "host:"),
    ("no host", lambda d: lab1(d)["management"].pop("host"),
     "chassis.lab1.management.host", "missing", "add host:"),
    ("host with blanks", lambda d: lab1(d)["management"].update(host="10.1 .2.3"),
     "chassis.lab1.management.host", "not a host name or address", "IP address"),
    ("port zero", lambda d: lab1(d)["management"].update(port=0),
     "chassis.lab1.management.port", "0 is out of range", "from 1 to 65535"),
    ("port too big", lambda d: lab1(d)["management"].update(port=65536),
     "chassis.lab1.management.port", "65536 is out of range", "from 1 to 65535"),
    ("port a word", lambda d: lab1(d)["management"].update(port="ssh"),
     "chassis.lab1.management.port", "expected a whole number, got a string", "1 to 65535"),
    ("port a boolean", lambda d: lab1(d)["management"].update(port=True),
     "chassis.lab1.management.port", "got true/false", "1 to 65535"),
    ("port from env not a number", lambda d: lab1(d)["management"].update(port="${BAD_PORT}"),
     "chassis.lab1.management.port", "environment value of '${BAD_PORT}' is not", "1 to 65535"),
    # consoles
    ("no consoles", lambda d: lab1(d).pop("consoles"),
     "chassis.lab1.consoles", "console URL for MSM-A and MSM-B", "consoles:"),
    ("console for MSM-B missing", lambda d: lab1(d)["consoles"].pop("MSM-B"),
     "chassis.lab1.consoles.MSM-B", "missing", "socket://"),
    ("console key not an MSM", lambda d: lab1(d)["consoles"].update({"MSM-C": "loop://"}),
     "chassis.lab1.consoles.MSM-C", "not an MSM name", "MSM-A and MSM-B"),
    ("console key in lower case", lambda d: lab1(d)["consoles"].update({"msm-a": "loop://"}),
     "chassis.lab1.consoles.msm-a", "did you mean 'MSM-A'?", "MSM-A and MSM-B"),
    ("console scheme telnet", lambda d: lab1(d)["consoles"].update({"MSM-A": "telnet://ts:23"}),
     "chassis.lab1.consoles.MSM-A", "unsupported console URL scheme 'telnet'", "rfc2217://"),
    ("console not a URL", lambda d: lab1(d)["consoles"].update({"MSM-A": "COM3"}),
     "chassis.lab1.consoles.MSM-A", "not a console URL or device path", "/dev/"),
    ("console without port", lambda d: lab1(d)["consoles"].update({"MSM-A": "socket://ts1"}),
     "chassis.lab1.consoles.MSM-A", "needs host:port", "socket://terminal-server:7001"),
    ("console port too big",
     lambda d: lab1(d)["consoles"].update({"MSM-A": "rfc2217://ts1:70000"}),
     "chassis.lab1.consoles.MSM-A", "needs host:port", "rfc2217://terminal-server"),
    ("console not a string", lambda d: lab1(d)["consoles"].update({"MSM-A": 7001}),
     "chassis.lab1.consoles.MSM-A", "expected a string, got a number", "quote"),
    ("consoles a list", lambda d: lab1(d).update(consoles=["loop://", "loop://"]),
     "chassis.lab1.consoles", "expected a mapping, got a list", "MSM-A:"),
    # credentials: never the value
    ("no credentials on real", lambda d: lab1(d).pop("credentials"),
     "chassis.lab1.credentials", "missing", "username: admin"),
    ("no username", lambda d: lab1(d)["credentials"].pop("username"),
     "chassis.lab1.credentials.username", "missing", "username: admin"),
    ("empty username", lambda d: lab1(d)["credentials"].update(username=" "),
     "chassis.lab1.credentials.username", "empty", "account name"),
    ("password a number", lambda d: lab1(d)["credentials"].update(password=987654321),
     "chassis.lab1.credentials.password", "expected a string, got a number", "quote"),
    ("credentials a string", lambda d: lab1(d).update(credentials=FILE_SECRET),
     "chassis.lab1.credentials", "expected a mapping, got a string", "key: value"),
    # environment references
    ("unset variable", lambda d: lab1(d)["credentials"].update(password="x${NO_SUCH_PW}y"),
     "chassis.lab1.credentials.password", "environment variable NO_SUCH_PW is not set",
     "export NO_SUCH_PW"),
    ("unset variable in a URL", lambda d: lab1(d)["consoles"].update({"MSM-B": "${NO_TTY}"}),
     "chassis.lab1.consoles.MSM-B", "NO_TTY is not set", "$${NO_TTY}"),
    ("malformed reference", lambda d: lab1(d)["management"].update(host="${LAB_HOST"),
     "chassis.lab1.management.host", "without a variable name and a closing", "$${"),
    # the other chassis keys
    ("fallback unknown", lambda d: lab1(d).update(fallback="retry"),
     "chassis.lab1.fallback", "'retry' is not allowed", "virtual, skip, fail"),
    ("baudrate a word", lambda d: lab1(d).update(baudrate="fast"),
     "chassis.lab1.baudrate", "expected a whole number", "from 50"),
    ("ssh_options a string", lambda d: lab1(d).update(ssh_options="-J jump"),
     "chassis.lab1.ssh_options", "expected a list of strings, got a string", '["-J"'),
    ("ssh option a number", lambda d: lab1(d).update(ssh_options=["-p", 22]),
     "chassis.lab1.ssh_options[1]", "expected a string, got a number", "quote"),
    ("known_hosts empty", lambda d: lab1(d).update(known_hosts=""),
     "chassis.lab1.known_hosts", "empty", "file path"),
    # virtual options
    ("speed zero", lambda d: d["chassis"]["vc1"]["virtual"].update(speed=0),
     "chassis.vc1.virtual.speed", "0 is out of range", "positive number"),
    ("speed negative", lambda d: d["chassis"]["vc1"]["virtual"].update(speed=-2.5),
     "chassis.vc1.virtual.speed", "-2.5 is out of range", "positive number"),
    ("speed a word", lambda d: d["chassis"]["vc1"]["virtual"].update(speed="fast"),
     "chassis.vc1.virtual.speed", "expected a number, got a string", "positive number"),
    ("version three parts",
     lambda d: d["chassis"]["vc1"]["virtual"].update(versions={"MSM-A": "12.4.2"}),
     "chassis.vc1.virtual.versions.MSM-A", "'12.4.2' is not a version a.b.c.d", "12.4.2.8"),
    ("version a float", lambda d: d["chassis"]["vc1"]["virtual"].update(versions={"MSM-B": 12.4}),
     "chassis.vc1.virtual.versions.MSM-B", "expected a string, got a number", "quote"),
    ("version with a prefix",
     lambda d: d["chassis"]["vc1"]["virtual"].update(versions={"MSM-B": "v12.4.2.8"}),
     "chassis.vc1.virtual.versions.MSM-B", "is not a version", "four numbers"),
    ("version key not an MSM",
     lambda d: d["chassis"]["vc1"]["virtual"].update(versions={"MSM-1": "12.4.2.8"}),
     "chassis.vc1.virtual.versions.MSM-1", "not an MSM name", "MSM-A and MSM-B"),
    ("versions a list", lambda d: d["chassis"]["vc1"]["virtual"].update(versions=["12.4.2.8"]),
     "chassis.vc1.virtual.versions", "expected a mapping, got a list", "MSM-A: 12.4.2.8"),
    ("sysname with a blank", lambda d: d["chassis"]["vc1"]["virtual"].update(sysname="XCM 8810"),
     "chassis.vc1.virtual.sysname", "is not a valid SysName", "32 letters"),
    ("virtual not a mapping", lambda d: d["chassis"]["vc1"].update(virtual=100),
     "chassis.vc1.virtual", "expected a mapping, got a number", "key: value"),
    # shared endpoints
    ("two chassis share a console",
     lambda d: d["chassis"]["lab2"]["consoles"].update({"MSM-B": "socket://TS1.lab:7001"}),
     "chassis.lab2.consoles.MSM-B", "the same console as chassis.lab1.consoles.MSM-A",
     "correct one of the two"),
    ("one chassis uses one tty twice",
     lambda d: lab1(d)["consoles"].update({"MSM-A": "/dev/../dev/ttyUSB1"}),
     "chassis.lab1.consoles.MSM-B", "the same console as chassis.lab1.consoles.MSM-A",
     "its own console"),
    ("two chassis share a management address",
     lambda d: d["chassis"]["lab2"]["management"].update(host="10.1.2.3", port=22),
     "chassis.lab2.management", "the same management address as chassis.lab1.management",
     "its own management address"),
]


@pytest.mark.parametrize("change, key, problem, fix", [case[1:] for case in CASES],
                         ids=[case[0] for case in CASES])
def test_validation_names_file_key_and_fix(tmp_path, change, key, problem, fix):
    path = write(tmp_path, mutated(change))
    error = failure(path)
    assert error.path == path
    assert error.key == key
    assert problem in error.problem
    assert fix in error.fix
    assert str(error).startswith(f"{path}: {key}: ")


def test_different_ports_on_one_host_are_not_shared(tmp_path):
    document = mutated(lambda d: d["chassis"]["lab2"]["management"].update(host="10.1.2.3",
                                                                           port=2222))
    management = load_testbed(write(tmp_path, document), environ=ENV).chassis["lab2"].management
    assert management is not None and management.port == 2222
