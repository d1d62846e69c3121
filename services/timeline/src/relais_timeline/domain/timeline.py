"""CaseTimeline: the causally ordered record of one case that every committee reads the same.

Rules (DESIGN.md section 5):
- An event whose ``dependson`` are not all in the timeline is held (pending) until they are,
  then released, and its release may release others (transitively).
- A redelivered event id (already an entry or held) changes nothing.
- Order: causes first, and otherwise by (``time``, ``id``): a topological order of the
  ``dependson`` graph that always takes, among the events whose causes are all placed, the
  earliest by (time, id). Time and id belong to the events, not to their arrival, so any
  arrival order of the same events gives the same sequence.
  DESIGN.md says (causal depth, time, id). That is deterministic too, but depth grows with the
  length of each service's own chain, so a protection order's first event (depth 0) would be
  shown before a police report filed days earlier at depth 5. Committees read a timeline:
  this order keeps causality and otherwise reads chronologically. ``depth`` is still recorded.
- Case hash: ``h0 = SHA-256("relais.timeline.v1:" + case_id)``, then for each entry in order
  ``h = SHA-256(h_prev bytes || entry event hash bytes)``; the hex of the last ``h``.
- Incremental: an event whose causes are placed and which comes after every entry by
  (time, id) is where the full order would put it, last (Kahn's algorithm never picks it while
  another entry is ready): it is appended and the hash extended by one step. Only an event that
  lands in the middle (a late arrival, a clock behind) costs a re-sort and a re-hash.
- ``known_at`` of an entry = the latest ``logged_at`` among it and its dependencies: the instant
  the log held everything needed to release it (``?as_of`` reads by it).
- Watermark: per (topic, partition), the greatest offset of an event applied to this case.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import heapq
from collections.abc import Callable, Iterable

from pydantic import AwareDatetime, BaseModel, ConfigDict
from relais_events.catalogue.intake import CaseOpened
from relais_events.catalogue.timeline import (
    AccessLogged,
    AccessLogPurged,
    CommitteeMeetingHeld,
    PartitionOffset,
)

from relais_timeline.domain.summary import EventSummary

CASE_OPENED = CaseOpened.TYPE
# The timeline context's own events are about the case, not facts of it: the access log is kept
# apart from the data (DOMAIN.md "Data protection"), a meeting's subject is the meeting, and a
# purge of old access entries is about no case.
NOT_CASE_FACTS = frozenset({AccessLogged.TYPE, CommitteeMeetingHeld.TYPE, AccessLogPurged.TYPE})


class TimelineEntry(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    event: EventSummary
    depth: int
    known_at: AwareDatetime


class CaseTimeline(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    case_id: str
    departement: str | None = None
    entries: tuple[TimelineEntry, ...] = ()
    pending: tuple[EventSummary, ...] = ()  # held, sorted by id so the state is order-free
    watermark: tuple[PartitionOffset, ...] = ()
    case_hash: str

    def seen(self, event_id: str) -> bool:
        return any(e.event.event_id == event_id for e in self.entries) or any(
            p.event_id == event_id for p in self.pending
        )

    @property
    def is_case(self) -> bool:
        """A case's timeline, not a site's or a partner's: an entry names it as its case."""
        return any(e.event.data.get("case_id") == self.case_id for e in self.entries)

    def entry(self, event_id: str) -> TimelineEntry | None:
        return next((e for e in self.entries if e.event.event_id == event_id), None)


def genesis_hash(case_id: str) -> str:
    return hashlib.sha256(f"relais.timeline.v1:{case_id}".encode()).hexdigest()


def chain(case_id: str, entries: Iterable[TimelineEntry]) -> str:
    """The case hash of ``entries`` taken in the order given (see module docstring)."""
    digest = bytes.fromhex(genesis_hash(case_id))
    for entry in entries:
        digest = hashlib.sha256(digest + bytes.fromhex(entry.event.event_hash)).digest()
    return digest.hex()


def empty_timeline(case_id: str) -> CaseTimeline:
    return CaseTimeline(case_id=case_id, case_hash=genesis_hash(case_id))


def apply(timeline: CaseTimeline, event: EventSummary) -> CaseTimeline:
    """The timeline after ``event`` arrives: held, released (with what it unblocks) or ignored."""
    return apply_all(timeline, [event])


def apply_all(timeline: CaseTimeline, events: Iterable[EventSummary]) -> CaseTimeline:
    """The timeline after ``events`` arrive, in any order; the same timeline object when every
    one of them was already there (a redelivery changes nothing)."""
    seen = {e.event.event_id for e in timeline.entries} | {p.event_id for p in timeline.pending}
    fresh: list[EventSummary] = []
    for event in events:
        if event.event_id not in seen:
            seen.add(event.event_id)
            fresh.append(event)
    if not fresh:
        return timeline
    entries = {e.event.event_id: e for e in timeline.entries}
    pending = [*timeline.pending, *fresh]
    placed: list[TimelineEntry] = []
    released = True
    while released:
        released = False
        for held in sorted(pending, key=_key):
            if all(d in entries for d in held.depends_on):
                entry = _entry(held, [entries[d] for d in held.depends_on])
                entries[held.event_id] = entry
                placed.append(entry)
                pending.remove(held)
                released = True
    watermark = timeline.watermark
    for event in fresh:
        watermark = _advance(watermark, event)
    if not placed:
        return timeline.model_copy(
            update={
                "pending": tuple(sorted(pending, key=lambda p: p.event_id)),
                "watermark": watermark,
            }
        )
    return _appended(timeline, placed, pending, watermark) or _rebuilt(
        timeline, entries.values(), pending, watermark
    )


def _appended(
    timeline: CaseTimeline,
    placed: list[TimelineEntry],
    pending: list[EventSummary],
    watermark: tuple[PartitionOffset, ...],
) -> CaseTimeline | None:
    """``timeline`` with ``placed`` at its end, if that is where the full order puts them."""
    last = max((_key(e.event) for e in timeline.entries), default=None)
    ordered = _causal_order(placed)
    for entry in ordered:
        key = _key(entry.event)
        if last is not None and key <= last:
            return None
        last = key
    digest = bytes.fromhex(timeline.case_hash)
    for entry in ordered:
        digest = hashlib.sha256(digest + bytes.fromhex(entry.event.event_hash)).digest()
    entries = (*timeline.entries, *ordered)
    departement = timeline.departement
    if departement is None or any(e.event.type == CASE_OPENED for e in ordered):
        departement = _departement(entries)
    return CaseTimeline(
        case_id=timeline.case_id,
        departement=departement,
        entries=entries,
        pending=tuple(sorted(pending, key=lambda p: p.event_id)),
        watermark=watermark,
        case_hash=digest.hex(),
    )


def _key(event: EventSummary) -> tuple[dt.datetime, str]:
    return (event.time, event.event_id)


def restrict(timeline: CaseTimeline, keep: Callable[[TimelineEntry], bool]) -> CaseTimeline:
    """The timeline as it was when only the entries ``keep`` accepts (and their causes) existed.

    An entry is kept only with all its dependencies, so the view is itself causally closed.
    Pending events are dropped (a past view answers "what was known"); the watermark becomes
    the greatest offset among the kept entries.
    """
    kept: dict[str, TimelineEntry] = {}
    for entry in timeline.entries:  # in order: causes come first
        if keep(entry) and all(d in kept for d in entry.event.depends_on):
            kept[entry.event.event_id] = entry
    watermark: tuple[PartitionOffset, ...] = ()
    for entry in kept.values():
        watermark = _advance(watermark, entry.event)
    return _rebuilt(timeline, kept.values(), (), watermark)


def as_of(timeline: CaseTimeline, instant: dt.datetime) -> CaseTimeline:
    """Entries the log held by ``instant`` (by ``known_at``)."""
    return restrict(timeline, lambda entry: entry.known_at <= instant)


def within(timeline: CaseTimeline, watermark: Iterable[PartitionOffset]) -> CaseTimeline:
    """Entries read at or below ``watermark``; an entry without an origin (a test) is kept."""
    limits = {(w.topic, w.partition): w.offset for w in watermark}

    def read_by_then(entry: TimelineEntry) -> bool:
        origin = entry.event.origin
        if origin is None:
            return True
        limit = limits.get((origin.topic, origin.partition))
        return limit is not None and origin.offset <= limit

    return restrict(timeline, read_by_then)


def _entry(event: EventSummary, dependencies: list[TimelineEntry]) -> TimelineEntry:
    return TimelineEntry(
        event=event,
        depth=1 + max((d.depth for d in dependencies), default=-1),
        known_at=max([event.logged_at, *(d.known_at for d in dependencies)]),
    )


def _rebuilt(
    timeline: CaseTimeline,
    entries: Iterable[TimelineEntry],
    pending: Iterable[EventSummary],
    watermark: Iterable[PartitionOffset],
) -> CaseTimeline:
    ordered = _causal_order(entries)
    return CaseTimeline(
        case_id=timeline.case_id,
        departement=_departement(ordered),
        entries=ordered,
        pending=tuple(sorted(pending, key=lambda p: p.event_id)),
        watermark=tuple(watermark),
        case_hash=chain(timeline.case_id, ordered),
    )


def _causal_order(entries: Iterable[TimelineEntry]) -> tuple[TimelineEntry, ...]:
    """Kahn's algorithm taking the earliest ready entry by (time, id) at every step."""
    by_id = {e.event.event_id: e for e in entries}
    waiting: dict[str, int] = {}
    dependents: dict[str, list[str]] = {}
    for event_id, entry in by_id.items():
        causes = {d for d in entry.event.depends_on if d in by_id}
        waiting[event_id] = len(causes)
        for cause in causes:
            dependents.setdefault(cause, []).append(event_id)
    ready = [(e.event.time, i) for i, e in by_id.items() if waiting[i] == 0]
    heapq.heapify(ready)
    ordered: list[TimelineEntry] = []
    while ready:
        _, event_id = heapq.heappop(ready)
        ordered.append(by_id[event_id])
        for dependent in dependents.get(event_id, ()):
            waiting[dependent] -= 1
            if waiting[dependent] == 0:
                heapq.heappush(ready, (by_id[dependent].event.time, dependent))
    return tuple(ordered)


def _departement(ordered: tuple[TimelineEntry, ...]) -> str | None:
    """The case's département: the one ``case.opened`` names, else the first known jurisdiction.

    Taken from the ordered entries, never from arrival, so every replica agrees.
    """
    for entry in ordered:
        if entry.event.type == CASE_OPENED and isinstance(entry.event.data.get("departement"), str):
            return str(entry.event.data["departement"])
    return next((e.event.jurisdiction for e in ordered if e.event.jurisdiction), None)


def _advance(
    watermark: tuple[PartitionOffset, ...], event: EventSummary
) -> tuple[PartitionOffset, ...]:
    origin = event.origin
    if origin is None:
        return watermark
    offsets = {(w.topic, w.partition): w.offset for w in watermark}
    key = (origin.topic, origin.partition)
    offsets[key] = max(offsets.get(key, origin.offset), origin.offset)
    return tuple(
        PartitionOffset(topic=t, partition=p, offset=o) for (t, p), o in sorted(offsets.items())
    )
