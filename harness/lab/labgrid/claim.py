"""Places held for a run: one named place (a testbed chassis with ``labgrid: {place}``), or a free
place with given tags from the coordinator's pool (``--lg-tags``).

The place is acquired before the first plan (waiting in a labgrid reservation while it is taken,
with progress and a deadline) and released after the last: ``release()`` runs in the fixture's
``finally``, which pytest also runs on a failure and on Ctrl-C; while a place is held, SIGTERM
(when nothing else handles it) is turned into Ctrl-C so that it is released then too. A run that
is killed outright (SIGKILL, a lost host) leaves the place acquired: the next run that wants it
says who holds it and the command that frees it.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable
from dataclasses import replace

from harness.lab.labgrid.coordinator import Coordinator
from harness.lab.labgrid.place import place_endpoints, spec_for_place
from harness.lab.labgrid.power import PlacePower
from harness.testbed.logins import LabgridPlace
from harness.testbed.schema import ChassisSpec

DEFAULT_WAIT = 600.0  # seconds a run waits for a taken place


class PlaceClaim:
    """A place this run holds: ``spec`` (its endpoints filled in), ``power`` (None without power
    resources); ``release()`` gives it back, then ``inner`` (a pool lock, when there is one)."""

    def __init__(self, coordinator: Coordinator, place: str, template: ChassisSpec, inner=None):
        self.coordinator = coordinator
        self.place = place
        self.inner = inner
        self._released = False
        endpoints = place_endpoints(place, coordinator.resources(place))
        self.power = PlacePower(place, endpoints.power) if endpoints.power else None
        self.spec = spec_for_place(replace(template, labgrid=LabgridPlace(place)), endpoints)
        self._previous_sigterm = _sigterm_to_interrupt()  # last: a claim that failed holds no handler

    def release(self) -> None:
        """Release the place (only if this run still holds it), then the inner claim; idempotent."""
        if self._released:
            return
        self._released = True
        try:
            self.coordinator.release(self.place)
        finally:
            _restore_sigterm(self._previous_sigterm)
            if self.inner is not None:
                self.inner.release()


def hold_place(address: str, spec: ChassisSpec, wait: float, say: Callable[[str], None], inner=None) -> PlaceClaim:
    """Acquire the place of the testbed chassis ``spec`` on the coordinator at ``address``."""
    assert spec.labgrid is not None
    place, coordinator = spec.labgrid.place, Coordinator(address)
    try:
        coordinator.acquire(place, wait, say)
    except KeyboardInterrupt:  # it may have come after the coordinator gave the place
        _let_go(coordinator, place, inner)
        raise
    except BaseException:
        if inner is not None:
            inner.release()
        raise
    return _claim(coordinator, place, spec, inner, say, f"acquired labgrid place {place} as {coordinator.identity}")


def hold_tagged(
    address: str, template: ChassisSpec, tags: dict[str, str], wait: float, say: Callable[[str], None]
) -> PlaceClaim:
    """Acquire a free place with ``tags``; ``template`` gives the logins and options of the chassis."""
    coordinator = Coordinator(address)
    place = coordinator.acquire_any(tags, wait, say)
    real = replace(template, name=place, type="real", virtual=None)  # no testbed: its virtual default's logins
    tagged = ",".join(f"{k}={v}" for k, v in sorted(tags.items()))
    return _claim(
        coordinator, place, real, None, say, f"acquired labgrid place {place} ({tagged}) as {coordinator.identity}"
    )


def _claim(coordinator: Coordinator, place: str, spec: ChassisSpec, inner, say, acquired: str) -> PlaceClaim:
    """The claim on a place the coordinator has just given this run. Whatever stops it before the
    claim exists (a SIGTERM right after ``acquired`` is printed, a place without consoles) gives
    the place back: nothing else would."""
    try:
        say(acquired)
        return PlaceClaim(coordinator, place, spec, inner)
    except BaseException:
        _let_go(coordinator, place, inner)
        raise


def _let_go(coordinator: Coordinator, place: str, inner) -> None:
    """Release ``place`` if this run holds it (the coordinator checks), then ``inner``; a failure
    to release is not raised over what stopped the run."""
    try:
        with contextlib.suppress(Exception):  # the error that got us here is the one to report
            coordinator.release(place)
    finally:
        if inner is not None:
            inner.release()


def parse_tags(text: str) -> dict[str, str]:
    """``model=xcm8810,site=lab2`` as a dict; ``ValueError`` with the fix when malformed."""
    tags = {}
    for pair in filter(None, (p.strip() for p in text.split(","))):
        key, sep, value = pair.partition("=")
        if not sep or not key or not value:
            raise ValueError(f"--lg-tags: {pair!r} is not KEY=VALUE; write it like model=xcm8810,site=lab2")
        tags[key] = value
    if not tags:
        raise ValueError("--lg-tags: no tags given; write it like model=xcm8810")
    return tags


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def _sigterm_to_interrupt():
    """Make SIGTERM a Ctrl-C while a place is held, unless someone else handles it already."""
    if threading.current_thread() is not threading.main_thread():
        return None
    if signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        return None
    return signal.signal(signal.SIGTERM, _interrupt)


def _restore_sigterm(previous) -> None:
    if previous is not None and threading.current_thread() is threading.main_thread():
        if signal.getsignal(signal.SIGTERM) is _interrupt:
            signal.signal(signal.SIGTERM, previous)
