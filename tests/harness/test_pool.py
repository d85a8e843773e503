"""The chassis pool: locks held across processes, the order workers try, waiting and skipping,
and ``pytest -n 4`` over a testbed of virtual chassis (each plan records the chassis it got)."""

import json
import subprocess
import sys

import pytest

from harness.errors import ChassisUnavailable
from harness.lab.pool import ChassisPool, PoolFull, PoolSettings, Worker, remove_run_locks
from harness.testbed.schema import Testbed, load_testbed, virtual_spec

pytest_plugins = ["pytester"]

REAL = """
chassis:
  {name}:
    type: real
    management: {{host: {host}, port: 22}}
    consoles: {{MSM-A: "socket://ts:7001", MSM-B: "socket://ts:7002"}}
    credentials: {{username: admin, password: ""}}
    ssh_options: {options}
"""


def _real(tmp_path, name, host="10.9.9.9", options="[]"):
    (tmp_path / f"{name}.yaml").write_text(REAL.format(name=name, host=host, options=options))
    return load_testbed(tmp_path / f"{name}.yaml")


def _virtual_testbed(tmp_path, count):
    return Testbed(tmp_path / "testbed.yaml", {f"vc{n}": virtual_spec(f"vc{n}") for n in range(1, count + 1)})


def _pool(testbed, tmp_path, worker="gw0", run="run1", wait=0.0, when_full="wait", chassis=None):
    index = int(worker[2:]) if worker else 0
    return ChassisPool(testbed, PoolSettings(tmp_path / "locks", wait, when_full), Worker(worker, index, run),
                       chassis)


def test_workers_start_at_their_own_chassis_and_never_share_one(tmp_path):
    testbed = _virtual_testbed(tmp_path, 3)
    assert [s.name for s in _pool(testbed, tmp_path, "gw1").specs] == ["vc2", "vc3", "vc1"]
    first = _pool(testbed, tmp_path, "gw1").claim()
    second = _pool(testbed, tmp_path, "gw4").claim()      # would start at vc2 too: takes vc3
    third = _pool(testbed, tmp_path, "gw0").claim()
    assert [c.spec.name for c in (first, second, third)] == ["vc2", "vc3", "vc1"]
    assert "taken by worker gw1" in first.holder.read_text()
    with pytest.raises(PoolFull, match="every chassis of the pool is taken.*vc2 taken by worker gw1"):
        _pool(testbed, tmp_path, "gw5", when_full="skip").claim()
    said: list[str] = []
    with pytest.raises(ChassisUnavailable, match="no chassis of the pool became free within 0.2 s"):
        _pool(testbed, tmp_path, "gw5", wait=0.2).claim(say=said.append)
    assert said and "waiting up to 0.2 s" in said[0]
    second.release()
    second.release()                                      # idempotent
    assert _pool(testbed, tmp_path, "gw5").claim().spec.name == "vc3"


def test_virtual_locks_belong_to_their_run_and_go_with_it(tmp_path):
    testbed = _virtual_testbed(tmp_path, 1)
    mine = _pool(testbed, tmp_path, run="run1").claim()
    other_run = _pool(testbed, tmp_path, run="run2").claim()   # its own emulators: no conflict
    assert mine.lock_path != other_run.lock_path
    mine.release()
    remove_run_locks(PoolSettings(tmp_path / "locks"), "run1")
    assert not mine.lock_path.parent.exists() and other_run.lock_path.exists()


def test_a_real_chassis_is_locked_by_its_address_whatever_the_testbed_calls_it(tmp_path):
    taken = _pool(_real(tmp_path, "lab-1"), tmp_path, run="run1").claim()
    assert taken.lock_path.name.startswith("real-10.9.9.9_22-")
    with pytest.raises(PoolFull):
        _pool(_real(tmp_path, "the-same-box"), tmp_path, run="run2", when_full="skip").claim()


def test_two_spellings_of_one_address_cannot_take_the_chassis_at_once(tmp_path):
    taken = _pool(_real(tmp_path, "by-name", host="localhost"), tmp_path, run="run1").claim()
    with pytest.raises(PoolFull):
        _pool(_real(tmp_path, "by-address", host="127.0.0.1"), tmp_path, run="run2", when_full="skip").claim()
    taken.release()
    _pool(_real(tmp_path, "by-address", host="127.0.0.1"), tmp_path, run="run2", when_full="skip").claim()


def test_one_private_address_behind_two_jump_hosts_is_two_chassis(tmp_path):
    one = _pool(_real(tmp_path, "site-a", options='["-J", "jump-a.example"]'), tmp_path, run="r1").claim()
    two = _pool(_real(tmp_path, "site-b", options='["-J", "jump-b.example"]'), tmp_path, run="r2").claim()
    assert one.lock_path != two.lock_path


def test_no_testbed_gives_each_worker_a_virtual_chassis_of_its_own(tmp_path):
    default = Testbed(None, {"virtual": virtual_spec()})
    assert _pool(default, tmp_path, "gw3").specs[0].name == "virtual-gw3"
    assert _pool(default, tmp_path, "").specs[0].name == "virtual"
    assert _pool(_virtual_testbed(tmp_path, 3), tmp_path, chassis="vc3").specs[0].name == "vc3"


HOLD = """
import sys
from pathlib import Path
from harness.lab.pool import ChassisPool, PoolSettings, Worker
from harness.testbed.schema import Testbed, virtual_spec
testbed = Testbed(Path("t.yaml"), {"vc1": virtual_spec("vc1")})
claim = ChassisPool(testbed, PoolSettings(Path(sys.argv[1])), Worker("gw0", 0, "run1")).claim()
print(claim.spec.name, flush=True)
sys.stdin.read()
"""


def test_another_process_holds_the_chassis_until_it_ends_however_it_ends(tmp_path):
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(tmp_path / "locks")], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None  # stdout=PIPE
        assert holder.stdout.readline().strip() == "vc1"
        testbed = Testbed(tmp_path / "t.yaml", {"vc1": virtual_spec("vc1")})
        with pytest.raises(PoolFull, match=r"vc1 taken by worker gw0 \(pid"):
            _pool(testbed, tmp_path, "gw1", when_full="skip").claim()
        holder.kill()                                     # no release: the OS drops the lock
        holder.wait(10)
        assert _pool(testbed, tmp_path, "gw1", wait=5).claim().spec.name == "vc1"
    finally:
        holder.kill()
        holder.wait(10)


POOL_TESTBED = """
chassis:
""" + "".join(f"  vc{n}:\n    type: virtual\n    virtual: {{speed: 1000}}\n" for n in range(1, 4))

RECORDING_PLANS = """
import json, os, time
import pytest
from harness.lab.chassis import SSH

@pytest.mark.parametrize("number", range(6))
def test_plan(chassis, number):
    started = time.time()
    chassis.run(SSH, "show switch", check=True)
    with open({record!r}, "a") as record:
        record.write(json.dumps({{"worker": os.environ.get("PYTEST_XDIST_WORKER"), "chassis": chassis.name,
                                 "sysname": chassis.status.msms and chassis.name, "started": started,
                                 "ended": time.time()}}) + "\\n")
"""


def test_pytest_n3_over_three_virtual_chassis_gives_each_worker_its_own(pytester, tmp_path):
    """Three workers are as many as show the point (each holds one chassis for its whole run, none
    is shared) at three quarters of the cost of four: an emulator and an interpreter each."""
    record = tmp_path / "record.jsonl"
    pytester.makefile(".yaml", testbed=POOL_TESTBED)
    pytester.makepyfile(test_pool_plans=RECORDING_PLANS.format(record=str(record)))
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "-n", "3", "--testbed=testbed.yaml", f"--lock-dir={tmp_path / 'locks'}",
        f"--hil-workdir={tmp_path / 'out'}")
    result.assert_outcomes(passed=6)
    rows = [json.loads(line) for line in record.read_text().splitlines()]
    assert len(rows) == 6
    holders: dict[str, set[str]] = {}
    for row in rows:
        holders.setdefault(row["chassis"], set()).add(row["worker"])
    assert all(len(workers) == 1 for workers in holders.values()), holders
    by_worker: dict[str, set[str]] = {}
    for row in rows:
        by_worker.setdefault(row["worker"], set()).add(row["chassis"])
    assert all(len(chassis) == 1 for chassis in by_worker.values()), by_worker
    assert not (tmp_path / "locks" / "runs").exists() or not any((tmp_path / "locks" / "runs").iterdir())


def test_with_fewer_chassis_than_workers_the_rest_skip_when_told(pytester, tmp_path):
    skipped = tmp_path / "skipped"
    pytester.makefile(".yaml", testbed="chassis:\n  vc1: {type: virtual, virtual: {speed: 1000}}\n")
    pytester.makeconftest(f"""
        from pathlib import Path
        def pytest_runtest_logreport(report):
            if report.skipped:
                Path({str(skipped)!r}).touch()
    """)
    pytester.makepyfile(test_hold=f"""
        from pathlib import Path
        from drivers.deadline import Deadline
        def test_hold_the_chassis_until_the_other_worker_skipped(chassis):
            until = Deadline(60)
            while not Path({str(skipped)!r}).exists() and not until.expired:
                chassis.wait_for_output("ssh", 0.05)
    """)
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "-n", "2", "--dist=each", "--testbed=testbed.yaml", "--pool-full=skip",
        f"--lock-dir={tmp_path / 'locks'}", f"--hil-workdir={tmp_path / 'out'}", "-rs")
    result.assert_outcomes(passed=1, skipped=1)
    result.stdout.fnmatch_lines(["*every chassis of the pool is taken (vc1 taken*"])
