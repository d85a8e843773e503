"""The testbed file: which chassis a run may use, how to reach them, with which credentials.

A YAML file with one entry per chassis under ``chassis:``::

    chassis:
      lab-8810-1:
        type: real                          # real | virtual
        management: {host: 10.1.2.3, port: 22}
        consoles: {MSM-A: socket://ts1:7001, MSM-B: rfc2217://ts1:7002}
        baudrate: 9600                      # optional
        credentials: {username: admin, password: ${LAB_8810_PASSWORD}}  # per endpoint: logins
        known_hosts: ~/.cache/xcm8800-hil/known_hosts   # optional
        fallback: virtual                   # virtual | skip | fail (default) when unreachable
        ssh_options: ["-J", "jumphost.lab"] # optional, passed to OpenSSH
        firmware: {tftp_address: 10.1.2.50, image: xcm8800-12.4.3.9.xos, version: 12.4.3.9}
      vc1:
        type: virtual
        virtual: {speed: 100, versions: {MSM-A: 12.4.2.8}, sysname: XCM8810, model: XCM8810}

``firmware`` (any chassis, optional) is described in :mod:`harness.testbed.firmware`;
``limits`` (per-phase durations in lab seconds, optional) in :mod:`harness.testbed.limits`;
``credentials`` with a login per endpoint and ``labgrid: {place: NAME}`` (a real chassis whose
consoles and management address a labgrid place gives) in :mod:`harness.testbed.logins`.

Every string value may hold ``${VAR}`` references, resolved from the environment at load time
(``$${`` is a literal ``${``). A key set to null is the same as leaving it out. A relative
``known_hosts`` is relative to the testbed file. Every problem is a :class:`TestbedError`
naming the file, the dotted key and the fix; no message ever shows a credential or a value
that came from the environment.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, NoReturn, overload
from urllib.parse import urlsplit

from harness.device import DEFAULT_MODEL, MODELS
from harness.errors import ParseError, TestbedError
from harness.parsers.switch import MSM_NAMES
from harness.parsers.version import Version
from harness.testbed.firmware import FirmwareSpec, read_firmware
from harness.testbed.limits import read_limits
from harness.testbed.logins import Credentials, LabgridPlace, read_labgrid, read_logins
from harness.testbed.reader import kind_of, read_document, suggest
from harness.testbed.replay import ReplayOptions, read_replay

MSMS = MSM_NAMES
TYPES = ("real", "virtual", "replay")
FALLBACKS = ("virtual", "skip", "fail")
DEFAULT_BAUDRATE = 9600
#: Speed factor of a virtual chassis in plan runs: a boot of 90 s takes 90 ms, so the whole
#: offline plan run takes seconds (the emulator run by hand defaults to 100). What bounds it:
#: a shutdown (5 s) lasts 5 ms, shorter than two commands, so reading the state twice must
#: allow for a change in between (Chassis.learn_roles); observation windows and deadlines have
#: real-time floors (harness/lab/chassis.py) so a busy machine is not taken for a stalled chassis.
DEFAULT_SPEED = 1000.0
DEFAULT_SYSNAME = "XCM8810"
REAL_KEYS = ("management", "consoles", "baudrate", "known_hosts", "fallback", "ssh_options", "labgrid")
PLACE_GIVES = ("management", "consoles", "baudrate")  # a labgrid place's resources say these
VIRTUAL_KEYS = ("virtual",)
REPLAY_KEYS = ("replay",)
CHASSIS_KEYS = ("type", "credentials") + REAL_KEYS + VIRTUAL_KEYS + REPLAY_KEYS + ("firmware", "limits", "max_output")
#: ``max_output``: bytes a command may print without reaching a prompt (drivers.session's
#: DEFAULT_MAX_OUTPUT, 64 MiB, when not given), from 64 KiB to 1 GiB.
MAX_OUTPUT_RANGE = (1 << 16, 1 << 30)
CONSOLE_FIX = (
    "use /dev/<tty> for a local serial port, socket://host:port for a raw TCP "
    "console (terminal server, ser2net), rfc2217://host:port, or loop:// in tests"
)

_REFERENCE = re.compile(r"\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$\{")
MAX_CHASSIS_NAME = 64  # it becomes part of file names (transcripts, logs, locks, host keys)
_CHASSIS_NAME = re.compile(rf"[A-Za-z0-9][A-Za-z0-9_.-]{{0,{MAX_CHASSIS_NAME - 1}}}")
#: ``${VAR}`` values shorter than this are not masked (masking "22" would garble every report).
MIN_MASKED = 4
_SYSNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.~-]{0,31}")
_DIGITS = re.compile(r"\s*[0-9]+\s*")


@dataclass(frozen=True)
class SshAddress:
    """The management SSH address (always reaches the current master)."""

    host: str
    port: int = 22


@dataclass(frozen=True)
class VirtualOptions:
    """Emulator options; an MSM missing from ``versions`` runs the emulator's default."""

    speed: float = DEFAULT_SPEED
    versions: dict[str, str] = field(default_factory=dict)
    sysname: str = DEFAULT_SYSNAME
    model: str = DEFAULT_MODEL  # harness.device.MODELS


@dataclass(frozen=True)
class ChassisSpec:
    """One chassis of the testbed, real (addresses) or virtual (emulator options)."""

    name: str
    type: str
    management: SshAddress | None
    consoles: dict[str, str]
    baudrate: int
    credentials: Credentials
    known_hosts: Path | None
    fallback: str
    ssh_options: tuple[str, ...]
    virtual: VirtualOptions | None
    firmware: FirmwareSpec | None = None  # images and the TFTP address (harness.testbed.firmware)
    ssh_login: Credentials | None = None  # the management SSH's own login (None: ``credentials``)
    console_login: Credentials | None = None  # the MSM consoles' own login (None: ``credentials``)
    labgrid: LabgridPlace | None = None  # a labgrid place: consoles and management come from it
    limits: dict[str, float] = field(default_factory=dict)  # lab seconds per phase (harness.testbed.limits)
    replay: ReplayOptions | None = None  # a replayed chassis: its recordings (harness.testbed.replay)
    max_output: int | None = None  # bytes a command may print before it is cut off (None: the driver's)
    secrets: tuple[str, ...] = field(default=(), repr=False)
    """Values masked in every transcript and report: the password and every value of this
    entry that came from a ``${VAR}`` (see :meth:`Testbed.secrets`)."""

    @property
    def ssh_credentials(self) -> Credentials:
        """The login of the management SSH."""
        return self.ssh_login or self.credentials

    @property
    def console_credentials(self) -> Credentials:
        """The login of the MSM consoles."""
        return self.console_login or self.credentials

    @property
    def is_virtual(self) -> bool:
        """True for an emulated chassis (``type: virtual``)."""
        return self.type == "virtual"


@dataclass(frozen=True)
class Testbed:
    """The chassis of a testbed file (``path`` None for the default testbed)."""

    __test__ = False  # not a pytest test class, despite the name

    path: Path | None
    chassis: dict[str, ChassisSpec]

    @property
    def secrets(self) -> tuple[str, ...]:
        """Every chassis's password and ``${VAR}`` value (the pytest plugin masks them all)."""
        values = {v for spec in self.chassis.values() for v in (spec.credentials.password, *spec.secrets) if v}
        return tuple(sorted(values, key=len, reverse=True))

    def select(self, name: str | None = None) -> ChassisSpec:
        """The chassis called ``name``; None means the only (or first) one."""
        if name is None:
            return next(iter(self.chassis.values()))
        if name in self.chassis:
            return self.chassis[name]
        raise TestbedError(
            self.path or "(default testbed)",
            f"chassis.{name}",
            f"no chassis named {name!r}",
            f"choose one of: {', '.join(self.chassis)}",
        )


def virtual_spec(
    name: str = "virtual", options: VirtualOptions | None = None, credentials: Credentials | None = None
) -> ChassisSpec:
    """A virtual chassis spec with the defaults for everything not given."""
    return ChassisSpec(
        name,
        "virtual",
        None,
        {},
        DEFAULT_BAUDRATE,
        credentials or Credentials("admin", ""),
        None,
        "fail",
        (),
        options or VirtualOptions(),
    )


def default_testbed() -> Testbed:
    """What "no testbed given" means: one virtual chassis called ``virtual``."""
    return Testbed(None, {"virtual": virtual_spec()})


def load_testbed(path: str | os.PathLike, environ: Mapping[str, str] | None = None) -> Testbed:
    """Read, validate and resolve a testbed file; ``environ`` defaults to ``os.environ``."""
    path = Path(path)
    document = read_document(path)
    return _Reader(path, os.environ if environ is None else environ).testbed(document)


class _Reader:
    """Walks the YAML document, checking each value and building the dataclasses."""

    def __init__(self, path: Path, environ: Mapping[str, str]):
        self.path = path
        self.environ = environ
        self.expanded: list[str] = []  # values that came from ${VAR}, for masking

    def fail(self, key: str, problem: str, fix: str) -> NoReturn:
        raise TestbedError(self.path, key, problem, fix)

    # -- generic values -------------------------------------------------------------------

    def mapping(self, value: Any, key: str, fix: str = "write it as 'key: value' lines") -> dict:
        if not isinstance(value, dict):
            self.fail(key, f"expected a mapping, got {kind_of(value)}", fix)
        return value

    def keys(self, node: dict, key: str, allowed: tuple[str, ...]) -> None:
        """Refuse keys outside ``allowed``, suggesting the close match."""
        for name in node:
            if name not in allowed:
                self.fail(
                    f"{key}.{name}" if key else str(name),
                    f"unknown key{suggest(name, allowed)}",
                    f"the keys allowed here are {', '.join(allowed)}",
                )

    def expand(self, text: str, key: str) -> str:
        """``text`` with ``${VAR}`` replaced from the environment and ``$${`` made ``${``."""

        def substitute(found: re.Match) -> str:
            if found.group(0) == "$${":
                return "${"
            variable = found.group(1)
            if variable is None:
                self.fail(
                    key,
                    "a '${' without a variable name and a closing '}'",
                    "write ${NAME} (letters, digits, '_'), or $${ for a literal '${'",
                )
            if variable not in self.environ:
                self.fail(
                    key,
                    f"environment variable {variable} is not set",
                    f"export {variable} before the run, or write $${{{variable}}} for the literal text",
                )
            value = self.environ[variable]
            if len(value) >= MIN_MASKED:
                self.expanded.append(value)
            return value

        return _REFERENCE.sub(substitute, text)

    @overload
    def string(self, node: dict, name: str, key: str, default: str, fix: str | None = None) -> str: ...
    @overload
    def string(self, node: dict, name: str, key: str, default: None = None, *, fix: str) -> str: ...
    @overload
    def string(self, node: dict, name: str, key: str, default: None = None, fix: None = None) -> str | None: ...
    def string(self, node: dict, name: str, key: str, default: str | None = None, fix: str | None = None) -> str | None:
        """A string value (expanded); missing -> ``default``, or an error when ``fix``."""
        where, value = f"{key}.{name}", node.get(name)
        if value is None:
            if fix is not None:
                self.fail(where, "missing", fix)
            return default
        if not isinstance(value, str):
            self.fail(where, f"expected a string, got {kind_of(value)}", "quote the value")
        return self.expand(value, where)

    def number(
        self,
        node: dict,
        name: str,
        key: str,
        default: float,
        whole: bool,
        low: float,
        high: float,
        fix: str | None = None,
    ) -> float:
        """A number in ``low..high``; a string is accepted when it holds ``${VAR}``."""
        where, value = f"{key}.{name}", node.get(name)
        kind = "a whole number" if whole else "a number"
        fix = fix or f"write {kind} from {low:g} to {high:g}"
        if value is None:
            return default
        shown = repr(value)
        if isinstance(value, str) and "${" in value:
            text = self.expand(value, where)
            value = _to_number(text, whole)
            if value is None:
                self.fail(where, f"the environment value of {shown} is not {kind}", fix)
        if isinstance(value, bool) or not isinstance(value, int if whole else (int, float)):
            self.fail(where, f"expected {kind}, got {kind_of(value)}", fix)
        if not (math.isfinite(value) and low <= value <= high):
            self.fail(where, f"{shown} is out of range", fix)
        return value

    def choice(self, node: dict, name: str, key: str, options: tuple[str, ...], default: str | None = None) -> str:
        fix = f"set {name} to one of: {', '.join(options)}"
        value = self.string(node, name, key, default) if default else self.string(node, name, key, fix=fix)
        if value not in options:
            self.fail(f"{key}.{name}", f"{node.get(name)!r} is not allowed", fix)
        return value

    # -- the schema -----------------------------------------------------------------------

    def testbed(self, document: Any) -> Testbed:
        top_fix = "start the file with 'chassis:' and one entry per chassis under it"
        if document is None:
            self.fail("(top level)", "the file is empty", top_fix)
        self.mapping(document, "(top level)", top_fix)
        self.keys(document, "", ("chassis",))
        if not document.get("chassis"):
            self.fail("chassis", "no chassis defined", "add at least one entry, e.g. 'vc1: {type: virtual}'")
        entries = self.mapping(document["chassis"], "chassis", "one 'name: {...}' per chassis")
        specs = {}
        for name, node in entries.items():
            if not isinstance(name, str) or not _CHASSIS_NAME.fullmatch(name):
                shown = name if len(str(name)) <= 40 else f"{str(name)[:40]}... ({len(str(name))} characters)"
                self.fail(
                    f"chassis.{shown}",
                    "not a usable chassis name",
                    f"use up to {MAX_CHASSIS_NAME} letters, digits, '.', '_' and '-' (it names files and locks)",
                )
            self.expanded = []
            spec = self.chassis(name, node, f"chassis.{name}")
            specs[name] = replace(spec, secrets=tuple(dict.fromkeys(self.expanded)))
        self.no_shared_endpoints(specs)
        return Testbed(self.path, specs)

    def chassis(self, name: str, node: Any, key: str) -> ChassisSpec:
        node = self.mapping(node, key)
        self.keys(node, key, CHASSIS_KEYS)
        kind = self.choice(node, "type", key, TYPES)
        if kind == "replay":
            return self.replayed(name, node, key)
        if node.get("replay") is not None:
            self.fail(f"{key}.replay", f"not used by a {kind} chassis", "remove it, or set type: replay")
        for other in VIRTUAL_KEYS if kind == "real" else REAL_KEYS:
            if node.get(other) is not None:
                self.fail(
                    f"{key}.{other}",
                    f"not used by a {kind} chassis",
                    f"remove it, or set type: {'virtual' if kind == 'real' else 'real'}",
                )
        logins = read_logins(self, node.get("credentials"), f"{key}.credentials", kind)
        firmware = read_firmware(self, node.get("firmware"), f"{key}.firmware", kind)
        limits = read_limits(self, node.get("limits"), f"{key}.limits")
        low, high = MAX_OUTPUT_RANGE
        max_output = int(self.number(node, "max_output", key, 0, True, low, high)) or None  # 0: not given
        if kind == "virtual":
            return replace(
                virtual_spec(name, self.virtual(node.get("virtual"), f"{key}.virtual"), logins.chassis),
                firmware=firmware,
                ssh_login=logins.ssh,
                console_login=logins.console,
                limits=limits,
                max_output=max_output,
            )
        place = read_labgrid(self, node.get("labgrid"), f"{key}.labgrid")
        for given in PLACE_GIVES if place else ():
            if node.get(given) is not None:
                self.fail(f"{key}.{given}", "given by the labgrid place", "remove it: the place's resources say it")
        return ChassisSpec(
            name,
            kind,
            None if place else self.management(node.get("management"), f"{key}.management"),
            {} if place else self.consoles(node.get("consoles"), f"{key}.consoles"),
            int(self.number(node, "baudrate", key, DEFAULT_BAUDRATE, True, 50, 4_000_000)),
            logins.chassis,
            self.known_hosts(node, key),
            self.choice(node, "fallback", key, FALLBACKS, default="fail"),
            self.ssh_options(node.get("ssh_options"), f"{key}.ssh_options"),
            None,
            firmware,
            logins.ssh,
            logins.console,
            place,
            limits,
            max_output=max_output,
        )

    def replayed(self, name: str, node: dict, key: str) -> ChassisSpec:
        """A ``type: replay`` chassis: recordings served as the chassis (no addresses, no emulator options)."""
        for other in (*REAL_KEYS, *VIRTUAL_KEYS, "credentials", "firmware"):
            if node.get(other) is not None:
                self.fail(f"{key}.{other}", "not used by a replay chassis", "remove it: the recordings say everything")
        options = read_replay(self, node.get("replay"), f"{key}.replay")
        limits = read_limits(self, node.get("limits"), f"{key}.limits")
        spec = virtual_spec(name, None, Credentials("admin", ""))
        return replace(spec, type="replay", virtual=None, replay=options, limits=limits)

    def management(self, node: Any, key: str) -> SshAddress:
        fix = "add management: {host: <address of the switch>, port: 22}"
        if node is None:
            self.fail(key, "a real chassis needs its management SSH address", fix)
        node = self.mapping(node, key, fix)
        self.keys(node, key, ("host", "port"))
        host = self.string(node, "host", key, fix="add host: <management IP address or name>")
        if not host.strip() or any(char.isspace() for char in host):
            self.fail(f"{key}.host", "not a host name or address", "write the management IP address or DNS name")
        return SshAddress(host, int(self.number(node, "port", key, 22, True, 1, 65535)))

    def consoles(self, node: Any, key: str) -> dict[str, str]:
        fix = "add consoles: {MSM-A: <url>, MSM-B: <url>}"
        if node is None:
            self.fail(key, "a real chassis needs a console URL for MSM-A and MSM-B", fix)
        node = self.mapping(node, key, fix)
        for slot in node:
            if slot not in MSMS:
                self.fail(f"{key}.{slot}", f"not an MSM name{suggest(slot, MSMS)}", "name the consoles MSM-A and MSM-B")
        return {
            slot: self.console_url(
                self.string(node, slot, key, fix=f"add {slot}: <url>; {CONSOLE_FIX}"), f"{key}.{slot}"
            )
            for slot in MSMS
        }

    def console_url(self, url: str, key: str) -> str:
        if url.startswith("/dev/") and len(url) > len("/dev/"):
            return url
        scheme, separator, _ = url.partition("://")
        if not separator:
            self.fail(key, "not a console URL or device path", CONSOLE_FIX)
        if scheme.lower() == "loop":
            return url
        if scheme.lower() not in ("socket", "rfc2217"):
            self.fail(key, f"unsupported console URL scheme {scheme!r}", CONSOLE_FIX)
        if console_endpoint(url) is None:
            self.fail(
                key,
                f"{scheme}:// needs host:port with a port from 1 to 65535",
                f"write it like {scheme}://terminal-server:7001",
            )
        return url

    def known_hosts(self, node: dict, key: str) -> Path | None:
        text = self.string(node, "known_hosts", key)
        if text is None:
            return None
        if not text.strip():
            self.fail(f"{key}.known_hosts", "empty", "give a file path, or leave the key out")
        path = Path(text).expanduser()
        return path if path.is_absolute() else self.path.parent / path

    def ssh_options(self, node: Any, key: str) -> tuple[str, ...]:
        if node is None:
            return ()
        if not isinstance(node, list):
            self.fail(key, f"expected a list of strings, got {kind_of(node)}", 'write it like ["-J", "jumphost.lab"]')
        options = []
        for index, value in enumerate(node):
            if not isinstance(value, str):
                self.fail(f"{key}[{index}]", f"expected a string, got {kind_of(value)}", "quote each option")
            options.append(self.expand(value, f"{key}[{index}]"))
        return tuple(options)

    def virtual(self, node: Any, key: str) -> VirtualOptions:
        if node is None:
            return VirtualOptions()
        node = self.mapping(node, key)
        self.keys(node, key, ("speed", "versions", "sysname", "model"))
        speed = float(
            self.number(
                node,
                "speed",
                key,
                DEFAULT_SPEED,
                False,
                1e-6,
                1e6,
                "write a positive number (real durations are divided by it)",
            )
        )
        model = self.string(node, "model", key, DEFAULT_MODEL)
        if model not in MODELS:
            self.fail(f"{key}.model", f"{model!r} is not a NETGEAR 8800 chassis", f"use one of {', '.join(MODELS)}")
        sysname = self.string(node, "sysname", key, model)
        if not _SYSNAME.fullmatch(sysname):
            self.fail(
                f"{key}.sysname",
                f"{node['sysname']!r} is not a valid SysName",
                "use up to 32 letters, digits, '.', '_', '-' or '~'",
            )
        return VirtualOptions(speed, self.versions(node.get("versions"), f"{key}.versions"), sysname, model)

    def versions(self, node: Any, key: str) -> dict[str, str]:
        if node is None:
            return {}
        node = self.mapping(node, key, "write it like {MSM-A: 12.4.2.8, MSM-B: 12.4.2.8}")
        versions = {}
        for slot in node:
            if slot not in MSMS:
                self.fail(f"{key}.{slot}", f"not an MSM name{suggest(slot, MSMS)}", "give versions for MSM-A and MSM-B")
            text = self.string(node, slot, key, fix="give a version like 12.4.2.8")
            try:
                versions[slot] = str(Version.parse(text))
            except ParseError:
                self.fail(
                    f"{key}.{slot}",
                    f"{node[slot]!r} is not a version a.b.c.d",
                    "write four numbers separated by dots, like 12.4.2.8",
                )
        return versions

    def no_shared_endpoints(self, specs: dict[str, ChassisSpec]) -> None:
        """Refuse two consoles on one URL and two chassis on one management address."""
        seen: dict[tuple, str] = {}
        for spec in specs.values():
            places = [
                (f"chassis.{spec.name}.consoles.{slot}", console_endpoint(url), "console")
                for slot, url in spec.consoles.items()
            ]
            if spec.management is not None:
                address = ("ssh", spec.management.host.lower(), spec.management.port)
                places.append((f"chassis.{spec.name}.management", address, "management address"))
            for where, endpoint, what in places:
                if endpoint is None:
                    continue
                if endpoint in seen:
                    self.fail(
                        where,
                        f"the same {what} as {seen[endpoint]}",
                        f"give each its own {what}; correct one of the two",
                    )
                seen[endpoint] = where


def console_endpoint(url: str) -> tuple | None:
    """What a console URL connects to (TCP host and port, or device), None for loop://."""
    if url.startswith("/dev/"):
        return ("device", os.path.normpath(url))
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        return None
    if parts.scheme.lower() == "loop" or not parts.hostname or not port:
        return None
    return ("tcp", parts.hostname.lower(), port)


def _to_number(text: str, whole: bool) -> float | None:
    """``text`` as an int (``whole``) or a float, None when it is not one."""
    if whole:
        return int(text) if _DIGITS.fullmatch(text) else None
    try:
        return float(text)
    except ValueError:
        return None
