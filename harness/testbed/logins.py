"""The ``credentials`` and ``labgrid`` entries of a testbed chassis.

``credentials`` gives one login for every endpoint, and may give the management SSH and the
MSM consoles logins of their own, for labs whose console login differs from the SSH one::

    credentials:
      username: admin                                   # every endpoint, unless overridden
      password: "${LAB_PW}"
      ssh: {username: netops, password: "${SSH_PW}"}    # optional: the management SSH login
      console: {username: admin, password: "${CON_PW}"} # optional: both MSM consoles' login

An override without a password takes the chassis's password. ``labgrid: {place: NAME}`` makes
a real chassis a labgrid place: its consoles and management address come from the place's
resources (:mod:`harness.lab.labgrid`), so the entry gives neither.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

ENDPOINTS = ("ssh", "console")
LOGIN_KEYS = ("username", "password")
_PLACE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]*")


@dataclass(frozen=True)
class Credentials:
    """A login; ``repr``/``str`` never show the password."""

    username: str
    password: str = field(default="", repr=False)

    def __repr__(self) -> str:
        return f"Credentials(username={self.username!r}, password='********')"

    __str__ = __repr__


@dataclass(frozen=True)
class Logins:
    """The chassis login and the per-endpoint ones (None: the chassis login serves)."""

    chassis: Credentials
    ssh: Credentials | None = None
    console: Credentials | None = None


@dataclass(frozen=True)
class LabgridPlace:
    """A chassis that is a labgrid place; the coordinator comes from the run's options."""

    place: str


def read_logins(reader: Any, node: Any, key: str, kind: str) -> Logins:
    """Check and build the ``credentials`` entry; ``reader`` is the testbed's ``_Reader``."""
    if node is None:
        if kind == "real":
            reader.fail(key, "missing", "add credentials: {username: admin, password: ${VAR}}")
        return Logins(Credentials("admin", ""))
    node = reader.mapping(node, key)
    reader.keys(node, key, LOGIN_KEYS + ENDPOINTS)
    chassis = _login(reader, node, key, None)
    overrides = {}
    for endpoint in ENDPOINTS:
        if node.get(endpoint) is not None:
            where = f"{key}.{endpoint}"
            sub = reader.mapping(
                node[endpoint], where, f"write it like {endpoint}: {{username: admin, password: ${{VAR}}}}"
            )
            reader.keys(sub, where, LOGIN_KEYS)
            overrides[endpoint] = _login(reader, sub, where, chassis.password)
    logins = Logins(chassis, overrides.get("ssh"), overrides.get("console"))
    _check_passwords(reader, node, key, logins)
    return logins


def _check_passwords(reader: Any, node: dict, key: str, logins: Logins) -> None:
    """Refuse a password the device cannot take, naming where it is written (never its value).

    A control character (a line break above all) is acted on by the CLI's line editor: the
    part after a line break is typed as a command. The MSM consoles take ASCII only: a
    non-ASCII password fails every console login ("login incorrect") while SSH takes it."""
    given = [(key, logins.chassis.password)]
    given += [(f"{key}.{e}", getattr(logins, e).password) for e in ENDPOINTS if _own_password(node, e)]
    for where, password in given:
        bad = next((char for char in password if ord(char) < 0x20 or ord(char) == 0x7F), None)
        if bad is not None:
            what = (
                "a line break, which ends the password there: the switch's CLI takes the rest as a command"
                if bad in "\r\n"
                else f"the control character U+{ord(bad):04X}, which the switch's line editor acts on"
            )
            reader.fail(f"{where}.password", f"holds {what}", "use a password of printable characters only")
    console = logins.console.password if logins.console is not None else logins.chassis.password
    if not console.isascii():
        where = f"{key}.console" if _own_password(node, "console") else key
        reader.fail(
            f"{where}.password",
            "holds characters that are not ASCII, which an MSM console login cannot take (every console "
            "login fails with 'login incorrect' while SSH passes)",
            "use an ASCII password, or give the consoles their own: console: {username: .., password: ..}",
        )


def _own_password(node: dict, endpoint: str) -> bool:
    sub = node.get(endpoint)
    return isinstance(sub, dict) and sub.get("password") is not None


def _login(reader: Any, node: dict, key: str, default_password: str | None) -> Credentials:
    username = reader.string(node, "username", key, fix="add username: admin")
    if not username.strip():
        reader.fail(f"{key}.username", "empty", "give the account name, e.g. admin")
    if any(char.isspace() or not char.isprintable() for char in username) or len(username) > 32:
        reader.fail(
            f"{key}.username", "not an account name", "give one word of up to 32 characters, no spaces, e.g. admin"
        )
    password = reader.string(node, "password", key)
    return Credentials(username, password if password is not None else (default_password or ""))


def read_labgrid(reader: Any, node: Any, key: str) -> LabgridPlace | None:
    """Check and build the ``labgrid`` entry (``{place: NAME}``)."""
    if node is None:
        return None
    node = reader.mapping(node, key, "write it like labgrid: {place: lab-8810-1}")
    reader.keys(node, key, ("place",))
    place = reader.string(node, "place", key, fix="add place: <the labgrid place of this chassis>")
    if not _PLACE.fullmatch(place):
        reader.fail(f"{key}.place", "not a labgrid place name", "use letters, digits, '.', '_', ':' and '-'")
    return LabgridPlace(place)
