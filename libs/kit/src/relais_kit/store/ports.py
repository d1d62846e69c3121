"""The store ports every service's write path and the relay depend on (DESIGN.md section 3).

A commit is one document holding the events one command produced. Its ``_id`` is
``"<aggregate_id>:<version>"`` where ``version`` is the aggregate version of its FIRST event (the
expected version + 1): two writers who loaded the same stream race for the same ``_id`` whatever the
number of events each adds, and the insert's duplicate-key error tells the loser. (Keying by the
LAST version would let a 1-event and a 2-event commit both "win" from the same expected version.)
The commit document is also its own outbox entry: written once, never updated; the Mongo
adapter records "published" as a marker document (see ``store/mongo.py`` for why).

How a sweep finds what a crashed process left unpublished without scanning every commit (the
Mongo-compatible store can only look documents up by exact ``_id`` without a scan, on FerretDB):
each process writing commits is an outbox SESSION, and every batch of commits it writes carries,
in the same write, a LEDGER ENTRY numbered 1, 2, 3... in its session listing the batch's commit
ids. A session records how far its entries are all published (``published_through``) and when its
process last said it was alive. A sweep reads the small list of sessions and, for each one that
stopped (or its own), walks the entries after its checkpoint by exact ``_id``: its cost follows
what is unpublished, never the size of the log.

A snapshot is a hint, never the record: the folded state of an aggregate at some version, which
saves folding the stream from the start. Any writer may overwrite it with an older one; a load
reads the commits after it by ``_id`` and the version insert catches a stale one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from relais_events.codec import to_record
from relais_events.envelope import Envelope

VERSION_DIGITS = 10  # zero-padded so that `_id` order is version order within an aggregate


def commit_id(aggregate_id: str, version: int) -> str:
    return f"{aggregate_id}:{version:0{VERSION_DIGITS}d}"


class ConcurrencyConflict(Exception):  # noqa: N818  (a domain outcome, not a crash)
    """Another writer already appended the commit starting at ``version``: reload and retry."""

    def __init__(self, aggregate_id: str, version: int) -> None:
        super().__init__(f"{aggregate_id} already has a commit at version {version}")
        self.aggregate_id = aggregate_id
        self.version = version


@dataclass(frozen=True)
class NewCommit:
    """What a command handler appends: its events, versions ``version`` .. ``last_version``.

    ``follows`` is the id of the aggregate's commit it was decided after (None for the first):
    the relay publishes a commit only once that one is published.
    """

    aggregate_id: str
    version: int
    events: tuple[Mapping[str, Any], ...]
    topic: str  # the logical topic (namespaced by the relay's TopicSettings)
    traceparent: str | None = None
    follows: str | None = None

    def __post_init__(self) -> None:
        if self.version < 1 or not self.events:
            raise ValueError("a commit holds at least one event, from version 1 on")
        numbers = [e.get("aggregateversion") for e in self.events]
        if any(n is not None for n in numbers) and numbers != list(
            range(self.version, self.version + len(self.events))
        ):
            # A gap or a repeat here would break every consumer's "no version gap" check.
            raise ValueError(f"event versions {numbers} do not follow from {self.version}")
        if (self.version == 1) != (self.follows is None):
            raise ValueError("a commit follows another exactly when it is not the first")

    @classmethod
    def of(
        cls,
        envelopes: Sequence[Envelope],
        traceparent: str | None = None,
        follows: str | None = None,
    ) -> NewCommit:
        """The commit of envelopes of one aggregate; topic from the catalogue."""
        first = envelopes[0]
        version = first.aggregateversion
        if follows is None and version > 1:
            # Callers that do not know the previous commit's first version (tests, tools):
            # the previous EVENT is in a commit that starts at or before it; the relay treats
            # an unknown predecessor as "check the store".
            follows = commit_id(first.aggregateid, version - 1)
        return cls(
            aggregate_id=first.aggregateid,
            version=version,
            events=tuple(e.model_dump(mode="json") for e in envelopes),
            topic=to_record(first).topic,
            traceparent=traceparent if traceparent is not None else first.traceparent,
            follows=follows,
        )

    @property
    def id(self) -> str:
        return commit_id(self.aggregate_id, self.version)


@dataclass(frozen=True)
class StoredCommit:
    id: str
    aggregate_id: str
    version: int
    events: tuple[Mapping[str, Any], ...]
    topic: str
    traceparent: str | None = None
    follows: str | None = None
    published: bool = False

    @property
    def last_version(self) -> int:
        return self.version + len(self.events) - 1

    def document(self) -> dict[str, Any]:
        return {
            "_id": self.id,
            "aggregate_id": self.aggregate_id,
            "version": self.version,
            "events": [dict(e) for e in self.events],
            "topic": self.topic,
            "traceparent": self.traceparent,
            "follows": self.follows,
        }

    @classmethod
    def from_document(cls, doc: Mapping[str, Any]) -> StoredCommit:
        return cls(
            id=doc["_id"],
            aggregate_id=doc["aggregate_id"],
            version=doc["version"],
            events=tuple(doc["events"]),
            topic=doc["topic"],
            traceparent=doc.get("traceparent"),
            follows=doc.get("follows"),
            published=bool(doc.get("published", False)),
        )

    @classmethod
    def new(cls, commit: NewCommit) -> StoredCommit:
        return cls(
            id=commit.id,
            aggregate_id=commit.aggregate_id,
            version=commit.version,
            events=commit.events,
            topic=commit.topic,
            traceparent=commit.traceparent,
            follows=commit.follows,
        )


def events_of(commits: Iterable[StoredCommit]) -> list[Mapping[str, Any]]:
    """The event documents of a loaded stream, in version order."""
    return [event for commit in commits for event in commit.events]


@dataclass(frozen=True)
class Snapshot:
    """The folded state of an aggregate after ``version`` (see the module docstring)."""

    aggregate_id: str
    version: int
    schema: str  # which aggregate shape wrote ``state`` (``Aggregate.schema``)
    state: str  # JSON text: opaque to the store, so no nested-array rule can bite
    subject: str | None
    jurisdiction: str | None
    last_event_id: str | None
    last_hash: str | None
    last_commit_id: str | None
    created_at: dt.datetime | None


@dataclass(frozen=True)
class OutboxSession:
    """One process that writes commits, as the sweeps see it."""

    session: str
    started_at: dt.datetime
    heartbeat_at: dt.datetime  # its relay says it is alive; a stale one is swept by others
    published_through: int  # every ledger entry up to this number is published


@dataclass(frozen=True)
class LedgerEntry:
    """Which commits one batch of a session held (some may have lost their version race)."""

    session: str
    number: int
    commits: tuple[str, ...]
    at: dt.datetime


class EventStore(Protocol):
    @property
    def session(self) -> str:
        """This store's outbox session (one per process)."""
        ...

    async def append(self, commit: NewCommit) -> StoredCommit:
        """Insert the commit; raises ConcurrencyConflict when its ``_id`` is taken."""
        ...

    async def get(self, commit_id: str) -> StoredCommit | None:
        """One commit by ``_id``, with whether it is marked published: how the relay walks back
        from a commit to a predecessor nobody published (a process crashed in between)."""
        ...

    async def load(self, aggregate_id: str, after_version: int = 0) -> list[StoredCommit]:
        """The aggregate's commits starting after ``after_version``, in version order.

        ``after_version`` is a version the caller loaded (a commit boundary).
        """
        ...

    async def snapshot(self, aggregate_id: str) -> Snapshot | None:
        """The aggregate's latest snapshot written, if any (it may lag the stream)."""
        ...

    async def save_snapshot(self, snapshot: Snapshot) -> None:
        """Keep ``snapshot``; an adapter may write it behind (it is only a hint)."""
        ...

    async def unpublished(self, limit: int, after: str = "") -> list[StoredCommit]:
        """Up to ``limit`` unpublished commits with ``_id`` > ``after``, in ``_id`` order.

        A scan of the whole log, for tests and tools: the relay's sweep walks the ledger instead.
        """
        ...

    async def unpublished_of(self, aggregate_ids: Collection[str]) -> list[StoredCommit]:
        """The unpublished commits of these aggregates, in ``_id`` order (one read for all)."""
        ...

    async def mark_published(self, commit_ids: Iterable[str]) -> None:
        """Record these commits as published (a marker each); this session's checkpoint moves
        past every ledger entry whose commits are all marked."""
        ...

    async def outbox_sessions(self) -> list[OutboxSession]:
        """Every session with entries not yet known published (a small list)."""
        ...

    async def ledger_entry(self, session: str, number: int) -> LedgerEntry | None: ...

    async def checkpoint(self, session: str, published_through: int, *, alive: bool) -> None:
        """Move ``session``'s checkpoint (never back) and forget the entries up to it;
        ``alive``: the session's own relay says its process is alive."""
        ...

    async def forget_session(self, session: str) -> None:
        """Drop a stopped session whose entries are all published (its checkpoint's end)."""
        ...

    def published_through(self) -> int:
        """How far this store's own session is published, as this process knows it."""
        ...

    async def purge_published(self, first: str, below: str) -> int:
        """Delete the PUBLISHED commits with ``first <= _id < below`` and their markers; how
        many were deleted here. An unpublished one is kept (its events are not on Kafka yet).
        For aggregates of one commit that nothing loads again and whose ids sort by time
        (access-log entries): the retention sweep. A scan on FerretDB: a sweep's, not a
        request's."""
        ...


@dataclass(frozen=True)
class Claim:
    consumer: str
    event_id: str
    effect: Mapping[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.consumer}:{self.event_id}"


class ProcessedEvents(Protocol):
    """Which events a consumer has applied: one document per (consumer, event id).

    The runner checks ``is_claimed`` before the handler and calls ``try_claim`` AFTER it, so a
    crash in between re-runs an idempotent handler rather than losing its effect. A handler whose
    whole effect is one document passes it as ``effect``: effect and claim are then one insert.
    """

    async def is_claimed(self, consumer: str, event_id: str) -> bool: ...

    async def try_claim(
        self, consumer: str, event_id: str, effect: Mapping[str, Any] | None = None
    ) -> bool:
        """Record the event as applied; False when it already was (the duplicate key)."""
        ...
