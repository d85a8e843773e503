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
    return Logins(chassis, overrides.get("ssh"), overrides.get("console"))


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
