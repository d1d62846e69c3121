"""The one write path of Relais: load, decide, seal, sign, append, publish (see the package doc).

Loading costs a constant number of store round trips however long the stream: the aggregate's
snapshot by ``_id`` (or the in-process cache of recent states), then the commits after it by
``_id``. A command trusts a cached or snapshotted state without reading the tail first, because
the version insert checks it anyway: if anything was appended since, the insert conflicts and
the command is decided again on a fresh load. A command that fails a rule on such a state is
decided again on a fresh one too, so no rule is ever refused on stale information.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from relais_events.catalogue import Event
from relais_events.envelope import Envelope, payload
from relais_events.integrity import Signer
from relais_events.pii import KeyStore

from relais_kit.application.acting import Acting
from relais_kit.application.aggregate import Aggregate, Loaded
from relais_kit.application.clock import Clock
from relais_kit.application.envelopes import sealed_envelopes
from relais_kit.store.ports import (
    ConcurrencyConflict,
    EventStore,
    NewCommit,
    Snapshot,
    StoredCommit,
)

S = TypeVar("S")

Decide = Callable[[Loaded[S], dt.datetime], Sequence[Event]]
"""The command, decided on the loaded aggregate at ``now``: the service's pure ``decide``."""

PersonalData = Callable[[Event], Mapping[str, Any] | None]
"""What of an event is personal data, sealed in its ``pii`` with the case's data key."""

BeforeAppend = Callable[[Loaded[S], S, int, dt.datetime], Awaitable[None]]
"""Told (state before, state after, the commit's last version, now) just before the append,
e.g. to schedule the deadlines the new state opens (a crash then leaves an extra entry, never a
committed deadline nobody watches)."""

CommitListener = Callable[[StoredCommit], None]


class AggregateBusy(Exception):  # noqa: N818  (named after what happened)
    """The aggregate changed under every attempt; nothing was written. Reload and retry."""

    rule = "AggregateBusy"

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(f"{aggregate_id} kept changing; nothing was written")
        self.aggregate_id = aggregate_id


@dataclass(frozen=True)
class Committed(Generic[S]):
    """What a command did: the aggregate after it and the envelopes it committed (maybe none)."""

    loaded: Loaded[S]
    envelopes: tuple[Envelope, ...] = ()

    @property
    def state(self) -> S:
        return self.loaded.state

    @property
    def event_ids(self) -> tuple[str, ...]:
        return tuple(e.id for e in self.envelopes)


@dataclass
class WritePath:
    store: EventStore
    keys: KeyStore
    signer: Signer
    clock: Clock
    on_commit: CommitListener = field(default=lambda _: None)
    max_attempts: int = 5
    cache_size: int = 10_000
    _cache: OrderedDict[tuple[str, str], Loaded[Any]] = field(
        default_factory=OrderedDict, repr=False
    )

    @property
    def service(self) -> str:
        return self.signer.service

    def over(self, store: EventStore) -> WritePath:
        """The same write path on another store, with a cache of its own (a second process, or
        a test store that loses races on purpose)."""
        return WritePath(
            store,
            self.keys,
            self.signer,
            self.clock,
            on_commit=self.on_commit,
            max_attempts=self.max_attempts,
            cache_size=self.cache_size,
        )

    async def load(self, aggregate: Aggregate[S], aggregate_id: str) -> Loaded[S]:
        """The aggregate with everything committed before this call (reads use it)."""
        start = self._cached(aggregate, aggregate_id) or await self._snapshot(
            aggregate, aggregate_id
        )
        return await self._tail(aggregate, start or Loaded(aggregate_id, aggregate.initial))

    async def execute(
        self,
        aggregate: Aggregate[S],
        aggregate_id: str,
        decide: Decide[S],
        *,
        acting: Acting,
        subject: str | None = None,
        jurisdiction: str | None = None,
        personal_data: PersonalData | None = None,
        new: bool = False,
        depends_on: Sequence[str] = (),
        cause: Envelope | None = None,
        before_append: BeforeAppend[S] | None = None,
    ) -> Committed[S]:
        """Decide ``decide`` on the aggregate and append what it returns as ONE commit.

        ``subject`` (the case id) and ``jurisdiction`` (the département) name a NEW aggregate;
        an existing one carries its own. The caller must act for the département, before anything
        is decided: else ``NotVisible`` on an existing aggregate (answered as a missing one) and
        ``OutsideJurisdiction`` for a new one; on an aggregate that does not exist and names
        none, ``decide`` says what that means (usually "not found").
        ``new``: the id was just drawn, so nothing is read first. ``cause``: the event a
        process manager reacts to.
        Raises the domain's errors (nothing written) or, after ``max_attempts``,
        ``AggregateBusy``.
        """
        fresh = False
        for attempt in range(self.max_attempts):
            if new and attempt == 0:
                loaded, verified = Loaded(aggregate_id, aggregate.initial), True
            else:
                loaded, verified = await self._start(aggregate, aggregate_id, fresh)
            if loaded.exists:
                acting.ensure_sees(loaded.jurisdiction)
            elif jurisdiction is not None:
                acting.ensure_acts_for(jurisdiction)  # nothing to check on a missing one
            now = self.clock.now()
            try:
                events = list(decide(loaded, now))
            except Exception:
                if verified or not await self._has_tail(aggregate_id, loaded):
                    raise
                fresh = True  # decided on a stale state: decide again on a fresh one
                continue
            if not events:
                return Committed(loaded)
            try:
                return await self._append(
                    aggregate,
                    loaded,
                    events,
                    acting=acting,
                    subject=loaded.subject if loaded.exists else subject,
                    jurisdiction=loaded.jurisdiction if loaded.exists else jurisdiction,
                    personal_data=personal_data,
                    new=not loaded.exists,
                    depends_on=depends_on,
                    cause=cause,
                    before_append=before_append,
                    now=now,
                )
            except ConcurrencyConflict:
                fresh = True
                self._forget(aggregate, aggregate_id)
        raise AggregateBusy(aggregate_id)

    async def append_new(
        self,
        aggregate: Aggregate[S],
        aggregate_id: str,
        events: Sequence[Event],
        *,
        acting: Acting,
        subject: str,
        jurisdiction: str | None,
        depends_on: Sequence[str] = (),
    ) -> Committed[S]:
        """The one commit of an aggregate just created and never loaded again (an access-log
        entry): nothing read, no snapshot, no jurisdiction check (the read it records did it)."""
        loaded: Loaded[S] = Loaded(aggregate_id, aggregate.initial)
        return await self._append(
            aggregate,
            loaded,
            list(events),
            acting=acting,
            subject=subject,
            jurisdiction=jurisdiction,
            personal_data=None,
            new=True,
            depends_on=depends_on,
            cause=None,
            before_append=None,
            now=self.clock.now(),
        )

    async def _append(
        self,
        aggregate: Aggregate[S],
        loaded: Loaded[S],
        events: list[Event],
        *,
        acting: Acting,
        subject: str | None,
        jurisdiction: str | None,
        personal_data: PersonalData | None,
        new: bool,
        depends_on: Sequence[str],
        cause: Envelope | None,
        before_append: BeforeAppend[S] | None,
        now: dt.datetime,
    ) -> Committed[S]:
        if subject is None:
            raise ValueError(f"a new {aggregate.name} needs the subject (case id) it is about")
        state = aggregate.fold(loaded.state, events)
        envelopes = await sealed_envelopes(
            self.signer,
            self.keys,
            loaded,
            events,
            actor=acting.actor(jurisdiction),
            subject=subject,
            jurisdiction=jurisdiction,
            personal_data=personal_data,
            new_case_key=new and subject == loaded.aggregate_id,
            depends_on=depends_on,
            cause=cause,
            now=now,
        )
        if before_append is not None:
            await before_append(loaded, state, envelopes[-1].aggregateversion, now)
        stored = await self.store.append(NewCommit.of(envelopes, follows=loaded.last_commit_id))
        self.on_commit(stored)  # the outbox relay publishes it at once
        last = envelopes[-1]
        after = Loaded(
            aggregate_id=loaded.aggregate_id,
            state=state,
            version=last.aggregateversion,
            subject=subject,
            jurisdiction=jurisdiction,
            last_event_id=last.id,
            last_hash=last.hash,
            last_commit_id=stored.id,
            created_at=loaded.created_at if loaded.exists else envelopes[0].time,
        )
        self._keep(aggregate, after)
        if aggregate.snapshots and stored.version > 1:
            # The adapter writes it behind: never a round trip on the request path. A first
            # commit needs none (its stream is one read long).
            await self.store.save_snapshot(snapshot_of(aggregate, after))
        return Committed(after, tuple(envelopes))

    async def _start(
        self, aggregate: Aggregate[S], aggregate_id: str, fresh: bool
    ) -> tuple[Loaded[S], bool]:
        """Where a command starts from, and whether it is known to be the latest state."""
        if not fresh:
            start = self._cached(aggregate, aggregate_id) or await self._snapshot(
                aggregate, aggregate_id
            )
            if start is not None:
                return start, False
        return await self.load(aggregate, aggregate_id), True

    async def _has_tail(self, aggregate_id: str, loaded: Loaded[Any]) -> bool:
        return bool(await self.store.load(aggregate_id, loaded.version))

    async def _tail(self, aggregate: Aggregate[S], start: Loaded[S]) -> Loaded[S]:
        commits = await self.store.load(start.aggregate_id, start.version)
        if not commits:
            return start
        envelopes = [Envelope.model_validate(e) for c in commits for e in c.events]
        first, last = envelopes[0], envelopes[-1]
        loaded = Loaded(
            aggregate_id=start.aggregate_id,
            state=aggregate.fold(start.state, [payload(e) for e in envelopes]),
            version=last.aggregateversion,
            subject=start.subject if start.exists else first.subject,
            jurisdiction=start.jurisdiction if start.exists else first.jurisdiction,
            last_event_id=last.id,
            last_hash=last.hash,
            last_commit_id=commits[-1].id,
            created_at=start.created_at if start.exists else first.time,
        )
        self._keep(aggregate, loaded)
        return loaded

    async def _snapshot(self, aggregate: Aggregate[S], aggregate_id: str) -> Loaded[S] | None:
        if not aggregate.snapshots:
            return None
        found = await self.store.snapshot(aggregate_id)
        if found is None or found.schema != aggregate.schema:
            return None
        return Loaded(
            aggregate_id=aggregate_id,
            state=aggregate.load_state(found.state),
            version=found.version,
            subject=found.subject,
            jurisdiction=found.jurisdiction,
            last_event_id=found.last_event_id,
            last_hash=found.last_hash,
            last_commit_id=found.last_commit_id,
            created_at=found.created_at,
        )

    def _cached(self, aggregate: Aggregate[S], aggregate_id: str) -> Loaded[S] | None:
        found = self._cache.get((aggregate.name, aggregate_id))
        if found is not None:
            self._cache.move_to_end((aggregate.name, aggregate_id))
        return found

    def _keep(self, aggregate: Aggregate[S], loaded: Loaded[S]) -> None:
        if not aggregate.snapshots or self.cache_size <= 0:
            return
        key = (aggregate.name, loaded.aggregate_id)
        known = self._cache.get(key)
        if known is None or known.version <= loaded.version:
            self._cache[key] = loaded
            self._cache.move_to_end(key)
        while len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)

    def _forget(self, aggregate: Aggregate[Any], aggregate_id: str) -> None:
        self._cache.pop((aggregate.name, aggregate_id), None)


def snapshot_of(aggregate: Aggregate[S], loaded: Loaded[S]) -> Snapshot:
    return Snapshot(
        aggregate_id=loaded.aggregate_id,
        version=loaded.version,
        schema=aggregate.schema,
        state=aggregate.dump_state(loaded.state),
        subject=loaded.subject,
        jurisdiction=loaded.jurisdiction,
        last_event_id=loaded.last_event_id,
        last_hash=loaded.last_hash,
        last_commit_id=loaded.last_commit_id,
        created_at=loaded.created_at,
    )


__all__ = ["AggregateBusy", "Committed", "Decide", "PersonalData", "WritePath"]
