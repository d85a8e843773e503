"""``hil image build`` and the image options of ``hil run`` (argument parsing and the work)."""

from __future__ import annotations

import argparse
from pathlib import Path

from harness.firmware.images import DEFAULT_SIZE, PLATFORM, build_image, parse_size


def add_run_options(run: argparse.ArgumentParser) -> None:
    """``hil run --image FILE --image-version A.B.C.D --tftp-address ADDRESS``."""
    run.add_argument("--image", type=Path, help="image file to validate (overrides the testbed's firmware.image)")
    run.add_argument("--image-version", help="the version that image carries, a.b.c.d")
    run.add_argument("--tftp-address", help="this host's address the chassis reaches (the TFTP server binds to it)")
    run.add_argument(
        "--accept-left-on",
        action="store_true",
        help="do not fail the run when the firmware plans cannot put the chassis back as they found it",
    )


def run_arguments(args: argparse.Namespace) -> list[str]:
    """The pytest options for the image options given to ``hil run``."""
    given = (("--image", args.image), ("--image-version", args.image_version), ("--tftp-address", args.tftp_address))
    accept = ["--accept-left-on"] if getattr(args, "accept_left_on", False) else []
    return [f"{option}={value}" for option, value in given if value is not None] + accept


def add_image_command(sub) -> None:
    """``hil image build --version V [--platform P] [--size N] -o FILE``."""
    image = sub.add_parser("image", help="image files for the virtual chassis")
    actions = image.add_subparsers(dest="image_command", required=True)
    build = actions.add_parser("build", help="build an emulator image file (header + padding)")
    build.add_argument("--version", required=True, help="the version it carries, a.b.c.d")
    build.add_argument("--platform", default=PLATFORM, help=f"platform in the header (default {PLATFORM})")
    build.add_argument(
        "--size",
        default=str(DEFAULT_SIZE),
        help=f"payload size: bytes, or with K/M/G (default {DEFAULT_SIZE // 2**20}M)",
    )
    build.add_argument("-o", "--output", type=Path, required=True, help="file to write")
    build.set_defaults(handler=build_command)


def build_command(args: argparse.Namespace) -> int:
    path = build_image(args.output, args.version, args.platform, parse_size(args.size))
    print(f"{path}: {args.platform} image, version {args.version}, {path.stat().st_size} bytes")
    return 0
