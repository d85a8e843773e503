"""The syntax of the image commands, as data for :mod:`.grammar`.

``download image <host> <file> {vr <vr>} {block-size <n>} {primary|secondary} {msm <A|B>}``,
``install image <file> {primary|secondary} {msm <A|B>}`` and
``use image {partition} <primary|secondary> {msm <A|B>}``: every combination of the optional
parts, in that order, as the EXOS command reference writes them.
"""

from __future__ import annotations

import itertools
import re


def _combinations(head: str, handler: str, *options: tuple[str, ...]) -> dict[str, tuple[str, str]]:
    """``head`` followed by one choice (or nothing: ``""``) of each option group, in order."""
    entries = {}
    for choice in itertools.product(*options):
        entries[" ".join([head, *(part for part in choice if part)])] = (handler, "config")
    return entries


_PARTITION = ("", "primary", "secondary")
_MSM = ("", "msm <slot>")

SYNTAX: dict[str, tuple[str, str]] = {
    **_combinations(
        "download image <host> <file>",
        "download_image",
        ("", "vr <vr>"),
        ("", "block-size <blocksize>"),
        _PARTITION,
        _MSM,
    ),
    **_combinations("install image <file>", "install_image", _PARTITION, _MSM),
    **_combinations("use image", "use_image", ("", "partition"), ("primary", "secondary"), _MSM),
}

ARGUMENTS = {
    "host": re.compile(r"^[A-Za-z0-9][\w.:-]*$"),
    "file": re.compile(r"^[\w./~+-]+$"),
    "vr": re.compile(r"^[\w-]+$"),
    "blocksize": re.compile(r"^\d{1,5}$"),
}
