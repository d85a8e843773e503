"""``hil virtual --export``: a virtual chassis registered on a labgrid coordinator as a place.

The emulator runs as a child and prints its endpoints; they are written into an exporter
configuration (a group named after the place: ``MSM-A`` / ``MSM-B`` as ``NetworkSerialPort``
raw, ``management`` as ``NetworkService``, ``power-MSM-A`` / ``power-MSM-B`` as
``NetworkPowerPort`` model ``simplerest`` answered by :mod:`harness.lab.labgrid.bridge`), which
labgrid's own ``labgrid-exporter`` (a second child) announces to the coordinator; the place is
created with a match for that group (and the given tags) unless it exists. Everything stops on
Ctrl-C or SIGTERM; a place created here is deleted then.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from drivers.deadline import Deadline
from harness.errors import HilError
from harness.lab.labgrid import coordinator_address
from harness.lab.labgrid.bridge import PowerBridge
from harness.lab.labgrid.claim import parse_tags
from harness.lab.labgrid.coordinator import Coordinator
from harness.lab.leftovers import dies_with_parent, pid_alive
from harness.lab.virtual import VirtualControl, VirtualEndpoints, stop_child
from harness.testbed.schema import DEFAULT_BAUDRATE, MSMS
from virtual_chassis.api import command as emulator_command

START_TIMEOUT = 30.0  # seconds for the emulator's endpoints and for the exporter's resources


def advertised(host: str) -> str:
    """The address others reach a listener on: this host's name for a wildcard bind."""
    return socket.getfqdn() if host in ("0.0.0.0", "::", "") else host


def exporter_config(place: str, endpoints: VirtualEndpoints, username: str, baudrate: int, power_url: str) -> dict:
    """The exporter configuration of one virtual chassis: one group, named after the place."""
    group: dict = {}
    for index, msm in enumerate(MSMS):
        url = endpoints.console_url(msm)  # socket://host:port
        host, port = url.split("://", 1)[1].rsplit(":", 1)
        group[msm] = {
            "cls": "NetworkSerialPort",
            "host": advertised(host),
            "port": int(port),
            "speed": baudrate,
            "protocol": "raw",
        }
        group[f"power-{msm}"] = {"cls": "NetworkPowerPort", "model": "simplerest", "host": power_url, "index": index}
    group["management"] = {
        "cls": "NetworkService",
        "address": advertised(endpoints.ssh_host),
        "port": endpoints.ssh_port,
        "username": username,
    }
    return {place: group}


def export_virtual(option: str | None, place: str | None, tags: str | None, emulator_args: list[str]) -> int:
    """Run one virtual chassis exported as a labgrid place until Ctrl-C or SIGTERM; exit status."""
    address = coordinator_address(option)
    if address is None:
        raise HilError(
            "hil virtual --export needs a labgrid coordinator: --lg-coordinator HOST[:PORT] or LG_COORDINATOR"
        )
    wanted_tags = parse_tags(tags) if tags else {}
    coordinator = Coordinator(address)
    with coordinator.session():  # an unreachable coordinator stops here, before anything starts
        pass
    folder = Path(tempfile.mkdtemp(prefix="hil-export-"))
    emulator = exporter = bridge = None
    name, created = place or "", False
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        emulator, endpoints, username = _start_emulator(emulator_args)
        name = name or endpoints.name
        control = VirtualControl(endpoints.control_host, endpoints.control_port, endpoints.control_token)
        bridge = PowerBridge(control, endpoints.control_token, endpoints.ssh_host).start()
        config = folder / "exporter.yaml"
        config.write_text(
            yaml.safe_dump(
                exporter_config(
                    name, endpoints, username, _baud(emulator_args), bridge.url(advertised(endpoints.ssh_host))
                )
            )
        )
        exporter_name = f"hil-{name}"
        exporter = subprocess.Popen(
            [
                _exporter(),
                "-c",
                address,
                "-n",
                exporter_name,
                "--hostname",
                advertised(endpoints.ssh_host),
                str(config),
            ],
            stdin=subprocess.DEVNULL,
            stdout=open(folder / "exporter.log", "ab"),  # noqa: SIM115 (the child owns it)
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=dies_with_parent,  # hil virtual --export killed (SIGKILL): the exporter goes too
        )
        created = _left_by_a_killed_export(coordinator, name)  # taken over: deleted at the end like ours
        created = coordinator.define_place(name, f"{exporter_name}/{name}/*", wanted_tags, _mark()) or created
        _wait_for_resources(coordinator, name, exporter, folder / "exporter.log")
        print(
            f"exported as labgrid place {name} on {address} (exporter {exporter_name}); "
            f"use it: hil run --lg-coordinator {address} with a testbed chassis 'labgrid: {{place: {name}}}'",
            flush=True,
        )
        while emulator.poll() is None and exporter.poll() is None:
            time.sleep(0.5)  # pacing: nothing to do but stay up until Ctrl-C or SIGTERM
        raise HilError(f"the {'emulator' if emulator.poll() is not None else 'labgrid exporter'} stopped; see {folder}")
    except KeyboardInterrupt:
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)
        _stop(exporter, bridge, emulator)
        if created:
            _forget(coordinator, name)
        shutil.rmtree(folder, ignore_errors=True)


#: The comment of a place an export made: who made it, so a later export can tell it was left.
EXPORT_MARK = "made by hil virtual --export"


def _mark() -> str:
    return f"{EXPORT_MARK} (pid {os.getpid()} on {socket.gethostname()})"


def _left_by_a_killed_export(coordinator: Coordinator, name: str) -> bool:
    """Is the place ``name`` one an export on this host made and never deleted (killed with
    SIGKILL)? Then it is said, and this export deletes it when it ends."""
    comment = coordinator.place_comment(name) or ""
    found = re.fullmatch(re.escape(EXPORT_MARK) + r" \(pid (\d+) on (\S+)\)", comment)
    if found is None or found[2] != socket.gethostname() or pid_alive(int(found[1])):
        return False
    print(
        f"hil: place {name} was left by a killed hil virtual --export (pid {found[1]}); taking it over, "
        "it is deleted when this export ends",
        flush=True,
    )
    return True


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def _start_emulator(args: list[str]) -> tuple[subprocess.Popen, VirtualEndpoints, str]:
    if "--count" in args:
        raise HilError("hil virtual --export exports one chassis; leave out --count (start one per place)")
    child = subprocess.Popen(
        emulator_command(*args),
        stdout=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
        preexec_fn=dies_with_parent,  # and the emulator
    )
    assert child.stdout is not None  # a pipe, asked for above
    line = child.stdout.readline().decode()
    if not line.strip():
        stop_child(child)
        raise HilError("the virtual chassis printed no endpoints; run 'hil virtual' alone to see why")
    print(line, end="", flush=True)
    data = json.loads(line)
    return child, VirtualEndpoints.from_json(line), data.get("username", "admin")


def _baud(args: list[str]) -> int:
    return int(args[args.index("--baud") + 1]) if "--baud" in args[:-1] else DEFAULT_BAUDRATE


def _exporter() -> str:
    found = shutil.which("labgrid-exporter") or str(Path(sys.executable).with_name("labgrid-exporter"))
    if not os.path.exists(found):
        raise HilError("labgrid-exporter is not installed: pip install 'xcm8800-hil[labgrid]'")
    return found


def _wait_for_resources(coordinator: Coordinator, name: str, exporter: subprocess.Popen, log: Path) -> None:
    deadline = Deadline(START_TIMEOUT)
    while not deadline.expired:
        if exporter.poll() is not None:
            raise HilError(f"labgrid-exporter exited (status {exporter.returncode}); its log: {log}")
        with coordinator.session() as session:
            place = coordinator.place(session, name)
            found = {path[3] for path in place.acquired_resources} | _matching(session, place)
        if {"MSM-A", "MSM-B", "management"} <= found:
            return
        time.sleep(0.2)  # pacing: the exporter announces its resources within a second
    raise HilError(
        f"labgrid-exporter did not announce place {name}'s resources within {START_TIMEOUT:g} s; its log: {log}"
    )


def _matching(session, place) -> set[str]:
    names = set()
    for exporter, groups in session.resources.items():
        for group_name, group in groups.items():
            for resource_name, resource in group.items():
                if place.hasmatch((exporter, group_name, resource.cls, resource_name)):
                    names.add(resource_name)
    return names


def _stop(exporter, bridge, emulator) -> None:
    for child in (exporter, emulator):
        if child is not None:
            stop_child(child)
    if bridge is not None:
        bridge.stop()


def _forget(coordinator: Coordinator, name: str) -> None:
    try:
        coordinator.delete_place(name)
    except HilError as error:
        print(f"hil: could not delete place {name}: {error}", file=sys.stderr)
