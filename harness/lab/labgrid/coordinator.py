"""labgrid's coordinator as the harness uses it: places, who holds them, acquire and release,
reservations (by a place's name, or by tags for a pool).

Each run acquires as ``HOST/USER.hilPID``, so two runs of one user (two working folders, two
xdist workers) are told apart by the coordinator, and a holder on this host can be checked for
being alive. A session is opened per operation (a wait keeps one open and polls its
reservation, which keeps the reservation alive); a place stays acquired between sessions.
"""

from __future__ import annotations

import asyncio
import getpass
import os
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass

import grpc
from labgrid.remote.client import ClientSession, ensure_event_loop
from labgrid.remote.common import Reservation, ReservationState
from labgrid.remote.generated import labgrid_coordinator_pb2 as pb
from labgrid.util.proxy import proxymanager

from drivers.deadline import Deadline
from harness.errors import ChassisUnavailable
from harness.lab.labgrid import DEFAULT_PORT
from harness.lab.leftovers import pid_alive

CONNECT_TIMEOUT = 10.0  # seconds to reach the coordinator and read its places
POLL = 1.0  # seconds between reservation polls (a reservation not polled for 60 s expires)
PROGRESS = 15.0  # seconds between progress lines while waiting


class CoordinatorUnavailable(ChassisUnavailable):
    """The labgrid coordinator cannot be reached, or refused a request."""


class PlaceTaken(ChassisUnavailable):
    """The place (or every place with the tags) stayed taken until the deadline."""


@dataclass(frozen=True)
class Resource:
    """One resource of an acquired place, by its name in the place."""

    name: str
    cls: str
    args: dict
    extra: dict


class _Session(ClientSession):
    """labgrid's client session, acquiring under the harness's own identity."""

    identity: tuple[str, str] = ("", "")

    def gethostname(self) -> str:
        return self.identity[0]

    def getuser(self) -> str:
        return self.identity[1]


class Coordinator:
    """One labgrid coordinator (``HOST[:PORT]``) and this run's identity on it."""

    def __init__(self, address: str, host: str | None = None, user: str | None = None):
        self.address = address
        self.host = host or socket.gethostname()
        self.user = user or f"{getpass.getuser()}.hil{os.getpid()}"

    @property
    def identity(self) -> str:
        """``HOST/USER`` as the coordinator shows the holder of a place."""
        return f"{self.host}/{self.user}"

    @contextmanager
    def session(self) -> Iterator[_Session]:
        """A connected client session, closed afterwards."""
        loop = ensure_event_loop()
        address = proxymanager.get_grpc_address(self.address, default_port=DEFAULT_PORT)
        session = _Session(address, loop)
        session.identity = (self.host, self.user)
        try:
            loop.run_until_complete(asyncio.wait_for(session.start(), CONNECT_TIMEOUT))
        except BaseException as error:  # grpc and labgrid raise many kinds; one message for all
            # closed also when interrupted: the coordinator refuses a second session of this
            # run's identity (the release after a Ctrl-C or SIGTERM) while this one is open
            self._close(session)
            if not isinstance(error, Exception):
                raise
            raise CoordinatorUnavailable(
                f"labgrid coordinator {self.address} does not answer ({type(error).__name__}); start "
                "labgrid-coordinator there, or point --lg-coordinator / LG_COORDINATOR at the right one"
            ) from None
        try:
            yield session
        finally:
            self._close(session)

    @staticmethod
    def _close(session: _Session) -> None:
        """Stop the session and close its channel, also when an interrupt cuts the stop short:
        the coordinator keys client streams by connection, and this process's next session (the
        release) shares the connection, so an open stream left behind makes it fail."""
        interrupted: BaseException | None = None
        for step in (session.stop, session.close):
            try:
                with suppress(Exception):  # closing a broken channel: nothing left to save
                    session.loop.run_until_complete(step())
            except BaseException as interrupt:  # Ctrl-C or SIGTERM: close first, then raise it
                interrupted = interrupted or interrupt
        if interrupted is not None:
            raise interrupted

    def _call(self, session: _Session, method: str, request):
        """One coordinator request; its refusal becomes a ``CoordinatorUnavailable``."""
        try:
            answer = session.loop.run_until_complete(getattr(session.stub, method)(request))
            session.loop.run_until_complete(session.sync_with_coordinator())
            return answer
        except grpc.aio.AioRpcError as error:
            raise CoordinatorUnavailable(f"labgrid coordinator {self.address}: {error.details()}") from None

    # -- places -------------------------------------------------------------------------
    def place(self, session: _Session, name: str):
        """The place called ``name`` (labgrid's ``Place``)."""
        place = session.places.get(name)
        if place is None:
            raise CoordinatorUnavailable(
                f"labgrid coordinator {self.address} has no place {name!r}; create it: "
                f"labgrid-client -x {self.address} -p {name} create && "
                f"labgrid-client -x {self.address} -p {name} add-match '*/{name}/*'"
            )
        return place

    def holder(self, place) -> str:
        """Who holds ``place``, since when, and the command that frees it."""
        since = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(place.changed))
        host, _, user = str(place.acquired).partition("/")
        gone = ""
        if host == self.host and ".hil" in user:
            pid = user.rsplit(".hil", 1)[1]
            if pid.isdigit() and not pid_alive(int(pid)):
                gone = ", a run that is gone (killed?)"
        return (
            f"place {place.name} is held by {place.acquired} since {since}{gone}; when that run is over, "
            f"free it with: labgrid-client -x {self.address} -p {place.name} release-from {place.acquired}"
        )

    def define_place(self, name: str, pattern: str, tags: dict[str, str], comment: str = "") -> bool:
        """Make sure the place ``name`` exists, matches ``pattern`` and has ``tags``; True when
        it was created here (then with ``comment``, saying who made it)."""
        with self.session() as session:
            created = name not in session.places
            if created:
                self._call(session, "AddPlace", pb.AddPlaceRequest(name=name))
                if comment:
                    self._call(session, "SetPlaceComment", pb.SetPlaceCommentRequest(placename=name, comment=comment))
            if not any(str(m) == pattern for m in session.places[name].matches):
                self._call(session, "AddPlaceMatch", pb.AddPlaceMatchRequest(placename=name, pattern=pattern))
            if tags:
                self._call(session, "SetPlaceTags", pb.SetPlaceTagsRequest(placename=name, tags=tags))
        return created

    def place_comment(self, name: str) -> str | None:
        """The comment of the place ``name`` (None: no such place)."""
        with self.session() as session:
            place = session.places.get(name)
            return None if place is None else str(place.comment or "")

    def delete_place(self, name: str) -> None:
        """Delete the place ``name`` (a run that still holds it keeps nothing it can use)."""
        with self.session() as session:
            if name in session.places:
                self._call(session, "DeletePlace", pb.DeletePlaceRequest(name=name))

    def resources(self, name: str) -> dict[str, Resource]:
        """The resources of the place ``name``, acquired by this run, by their name in the place."""
        with self.session() as session:
            place = self.place(session, name)
            entries = session.get_target_resources(place)
        return {
            key[0]: Resource(key[0], entry.cls, dict(entry.args), dict(entry.extra)) for key, entry in entries.items()
        }

    # -- acquire and release -----------------------------------------------------------
    def acquire(self, name: str, wait: float, say: Callable[[str], None]) -> None:
        """Acquire the place ``name``; when it is taken, wait in a reservation for it (saying
        so, with the elapsed time) up to ``wait`` seconds, then raise ``PlaceTaken``."""
        self.acquire_any({"name": name}, wait, say, what=f"place {name}")

    def acquire_any(self, tags: dict[str, str], wait: float, say: Callable[[str], None], what: str = "") -> str:
        """Acquire a free place whose tags include ``tags`` (``name`` is a place's name),
        waiting in a reservation up to ``wait`` seconds; the place's name."""
        what = what or "a place with tags " + ",".join(f"{k}={v}" for k, v in sorted(tags.items()))
        deadline = Deadline(wait)
        with self.session() as session:
            reservation = self._reserve(session, tags)
            try:
                name = self._wait_allocated(session, reservation, deadline, what, say)
                self._call(session, "AcquirePlace", pb.AcquirePlaceRequest(placename=name))
                return name
            finally:
                self._cancel(session, reservation.token)

    def _reserve(self, session: _Session, tags: dict[str, str]) -> Reservation:
        request = pb.CreateReservationRequest(filters={"main": pb.Reservation.Filter(filter=tags)}, prio=0.0)
        return Reservation.from_pb2(self._call(session, "CreateReservation", request).reservation)

    def _wait_allocated(self, session, reservation: Reservation, deadline: Deadline, what: str, say) -> str:
        said = 0.0
        while True:
            polled = self._call(session, "PollReservation", pb.PollReservationRequest(token=reservation.token))
            state = Reservation.from_pb2(polled.reservation)
            if state.state in (ReservationState.allocated, ReservationState.acquired):
                return state.allocations["main"][0]
            if state.state is not ReservationState.waiting:
                raise CoordinatorUnavailable(f"labgrid reservation for {what} became {state.state.name}")
            held = self._holders(session, reservation.filters["main"])
            if deadline.expired:
                raise PlaceTaken(f"{what} stayed taken for {deadline.seconds:g} s (--lg-wait): {held}")
            elapsed = deadline.seconds - deadline.remaining()
            if elapsed >= said:
                say(
                    f"waiting up to {deadline.seconds:g} s (--lg-wait) in labgrid reservation {reservation.token} "
                    f"for {what}, {elapsed:.0f} s so far: {held}"
                )
                said = elapsed + PROGRESS
            session.loop.run_until_complete(asyncio.sleep(min(POLL, max(deadline.remaining(), 0.01))))

    def _holders(self, session: _Session, tags: dict[str, str]) -> str:
        """Who holds the places ``tags`` select."""
        wanted = set(tags.items())
        places = [p for p in session.places.values() if wanted <= set(p.tags.items()) | {("name", p.name)}]
        held = [self.holder(p) for p in places if p.acquired]
        if not places:
            return "no place has these tags: labgrid-client set-tags adds them"
        return "; ".join(held) or "reserved for other runs"

    def _cancel(self, session: _Session, token: str) -> None:
        try:
            self._call(session, "CancelReservation", pb.CancelReservationRequest(token=token))
        except CoordinatorUnavailable:  # expired already: nothing to cancel
            pass

    def release(self, name: str) -> None:
        """Release the place ``name`` if this run still holds it (atomic on the coordinator)."""
        with self.session() as session:
            self._call(session, "ReleasePlace", pb.ReleasePlaceRequest(placename=name, fromuser=self.identity))

    def held(self, name: str) -> bool:
        """True while this run holds the place ``name``."""
        with self.session() as session:
            return self.place(session, name).acquired == self.identity
