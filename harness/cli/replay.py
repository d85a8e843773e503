"""``hil replay`` and ``hil parity``: recordings (``reports/recordings/*.jsonl``) read back
through the parsers, and held against the emulator."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from harness.replay.recordings import NotARecording, Recorded, read_recording, shown

EXIT_OK, EXIT_FAILED, EXIT_NOT_A_RECORDING = 0, 1, 2


def add_replay_commands(sub) -> None:
    """Register ``replay`` and ``parity`` on the ``hil`` subparsers."""
    replay_parser = sub.add_parser("replay", help="read recordings through the parsers; ok or what was unreadable")
    replay_parser.add_argument("files", nargs="+", type=Path, metavar="FILE", help="recordings (.jsonl)")
    replay_parser.add_argument(
        "--testbed-out",
        type=Path,
        metavar="DIR",
        help="also make the recordings a regression case: copy them into DIR with a testbed.yaml "
        "whose chassis (type: replay) serves them; hil run --testbed DIR/testbed.yaml runs the plans on it",
    )
    replay_parser.set_defaults(handler=replay)
    parity_parser = sub.add_parser(
        "parity", help="send recorded commands to a virtual chassis in the recorded state; print each difference"
    )
    parity_parser.add_argument("files", nargs="+", type=Path, metavar="FILE", help="recordings (.jsonl)")
    parity_parser.add_argument(
        "--workdir", type=Path, default=Path("reports/parity"), help="transcripts of the virtual chassis"
    )
    parity_parser.set_defaults(handler=parity)


def _read_all(files: list[Path]) -> tuple[list[Recorded], int]:
    recordings, broken = [], 0
    for path in files:
        try:
            recordings.append(read_recording(path))
        except NotARecording as error:
            print(f"hil: {error}", file=sys.stderr)
            broken += 1
    return recordings, broken


def _runs(recordings: list[Recorded]) -> list[list[Recorded]]:
    """The recordings grouped by chassis: the sessions of one run are replayed together."""
    runs: dict[str, list[Recorded]] = {}
    for recorded in recordings:
        runs.setdefault(recorded.header.chassis, []).append(recorded)
    return list(runs.values())


def _title(recorded: Recorded) -> str:
    h = recorded.header
    where = f"chassis {h.chassis}, session {h.session} ({shown(h.transport, 20)}), started {shown(h.started, 40)}"
    return f"{shown(str(recorded.path))}: {where}"


def replay(args: argparse.Namespace) -> int:
    """Every recorded command through its parser: ``ok`` or what could not be read."""
    from harness.replay.reading import NO_PARSER, read_output

    recordings, broken = _read_all(args.files)
    unreadable = 0
    for recorded in recordings:
        print(_title(recorded))
        if not recorded.exchanges:
            unreadable += 1
            print(
                f"  no command sent at a recognised prompt; the last line the device printed: '{shown(recorded.last_line)}'"
            )
        for number, exchange in enumerate(recorded.exchanges, 1):
            reading = read_output(exchange)
            unreadable += reading.failed
            result = "-" if reading.status == NO_PARSER else reading.describe()
            print(f"  {number:>4}  {shown(exchange.command, 60):<32} {result}", flush=True)
    if unreadable:
        print(f"{unreadable} output(s) could not be read: extend harness/parsers for these shapes")
    if args.testbed_out is not None and not broken:
        from harness.replay.case import write_case

        testbed = write_case(recordings, args.testbed_out)
        print(f"replay testbed: {testbed}; run the plans on it with: hil run --testbed {testbed}")
    return EXIT_NOT_A_RECORDING if broken else EXIT_FAILED if unreadable else EXIT_OK


def parity(args: argparse.Namespace) -> int:
    """Each recording held against a virtual chassis in its recorded state."""
    from harness.replay.parity import IGNORED_DESCRIPTION, compare

    recordings, broken = _read_all(args.files)
    different = 0
    if broken:
        return EXIT_NOT_A_RECORDING
    for index, run in enumerate(_runs(recordings)):
        for recorded in run:
            print(_title(recorded), flush=True)
        different += compare(run, args.workdir / str(index), lambda line: print(line, flush=True))
    print(f"{different} command(s) differ (not compared: {IGNORED_DESCRIPTION})")
    return EXIT_NOT_A_RECORDING if broken else EXIT_FAILED if different else EXIT_OK
