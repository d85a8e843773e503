"""``python -m bench.profile``: where a console round trip of ``CliSession`` spends its time.

Prints the cProfile of ``show switch`` over the ``socket://`` console of a virtual chassis,
with and without a transcript, and the microseconds of Python each command costs.
"""

from __future__ import annotations

import cProfile
import io
import pstats
import sys
import tempfile
from pathlib import Path

from bench.common import Emulator, Figures, timed
from drivers import CliSession, SerialTransport, Transcript


def profile(url: str, transcript: Transcript | None, count: int) -> tuple[Figures, str]:
    """Round trip figures of ``count`` show switch, and the top of their profile."""
    session = CliSession(SerialTransport(url), transcript=transcript)
    session.connect(60)
    try:
        figures = Figures.of([timed(lambda: session.run("show switch"))[0] for _ in range(count)])
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(count):
            session.run("show switch")
        profiler.disable()
    finally:
        session.close()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(12)
    return figures, out.getvalue()


def main(count: int = 1000) -> int:
    work = Path(tempfile.mkdtemp(prefix="xcm-profile-"))
    with Emulator("--speed", "100") as emulator:
        url = emulator.endpoints["consoles"]["MSM-A"]["tcp"]
        for label, transcript in (("with a transcript", Transcript(work / "t.log")), ("without", None)):
            figures, text = profile(url, transcript, count)
            print(
                f"== show switch over socket://, {label}: median {figures.median * 1e6:.0f} us, "
                f"p95 {figures.p95 * 1e6:.0f} us"
            )
            print("\n".join(text.splitlines()[:24]))
            if transcript is not None:
                transcript.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000))
