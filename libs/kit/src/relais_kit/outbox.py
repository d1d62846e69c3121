"""The outbox relay: publishes appended commits to Kafka in order per aggregate, then marks them.

Hot path: the process that appended a commit hands it to ``notify`` and it is published at once,
from what it was handed: nothing is read back. A commit names the commit it follows
(``follows``); it goes out once that one is known published: by this relay (a bounded memory of
the ids it published), in the same batch, or by the marker another relay wrote (read by
``_id``). Only a predecessor nobody has published (a process that crashed between its append and
its publish) costs a read of the aggregate's unpublished commits, which are then sent first. A
version-1 commit follows nothing and is in order by definition (an access-log entry, a new case).

The sweep (at start-up, then every ``sweep_interval_s``) publishes what a crashed process left,
and what this one could not keep in memory: it walks the outbox ledger (``store/ports.py``) of
every session that stopped saying it is alive, and of its own, from their checkpoints, by exact
``_id``; its cost follows what is unpublished, never the size of the log. Every ``heartbeat_s``
the relay says its session is alive and moves its checkpoint.
At-least-once: a crash between the broker's ack and the marker republishes the commit, and
consumers dedupe by event id. One batch is in flight at a time. Memory is bounded: at most
``max_pending`` commits wait in memory (beyond that the sweep has them) and ``remember`` ids.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from types import TracebackType

from aiokafka import AIOKafkaProducer
from relais_events.codec import to_record
from relais_events.envelope import Envelope

from relais_kit.producers import idempotent_producer
from relais_kit.settings import ServiceSettings
from relais_kit.store.ports import EventStore, StoredCommit
from relais_kit.topics import TopicSettings
from relais_kit.tracing import context_of, inject

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RelaySettings:
    sweep_interval_s: float = 15.0
    batch_size: int = 500  # commits per broker round trip
    retry_backoff_s: float = 1.0  # after a failed batch (Kafka or store down)
    max_pending: int = 20_000  # notified commits held in memory; beyond, the sweep has them
    remember: int = 50_000  # ids of commits published lately (predecessor checks)
    heartbeat_s: float = 5.0  # how often this process says its session is alive
    stopped_after_s: float = 30.0  # a session silent this long is swept by the others
    grace_s: float = 5.0  # this session's own entries younger than this are still in flight


def relay_for(store: EventStore, settings: ServiceSettings) -> OutboxRelay:
    """The relay a service's runtime builds: its broker, its topics, its sweep interval."""
    return OutboxRelay(
        store,
        lambda: idempotent_producer(settings.kafka_bootstrap, linger_ms=2),
        settings.topics(),
        RelaySettings(
            sweep_interval_s=settings.outbox_sweep_interval_s,
            stopped_after_s=settings.outbox_stopped_after_s
            or max(30.0, 2 * settings.outbox_sweep_interval_s),
        ),
    )


class OutboxRelay:
    def __init__(
        self,
        store: EventStore,
        producer: Callable[[], AIOKafkaProducer],
        topics: TopicSettings,
        settings: RelaySettings | None = None,
    ) -> None:
        self._store = store
        self._new_producer = producer
        self._topics = topics
        self._settings = settings or RelaySettings()
        self._pending: dict[str, StoredCommit] = {}
        self._wake = asyncio.Event()
        self._lock = asyncio.Lock()
        self._published: OrderedDict[str, None] = OrderedDict()
        self._producer: AIOKafkaProducer | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._to_mark: list[str] = []
        self._marks_waiting = asyncio.Event()
        self._all_marked = asyncio.Event()
        self._dropped = 0
        self.swept = asyncio.Event()  # set once the start-up sweep is over (tests, readiness)
        self._drained = asyncio.Event()
        self._drained.set()

    async def start(self) -> None:
        self._producer = self._new_producer()
        await self._producer.start()
        # Accepting notifications before the first sweep reads: a commit appended earlier is
        # seen by the sweep, a later one is notified; none falls in between.
        self._tasks = [
            asyncio.create_task(self._publish_notified(), name="outbox-notified"),
            asyncio.create_task(self._sweep_periodically(), name="outbox-sweep"),
            asyncio.create_task(self._mark_acknowledged(), name="outbox-mark"),
            asyncio.create_task(self._heartbeat(), name="outbox-heartbeat"),
        ]

    async def stop(self) -> None:
        """Stop now: whatever is unmarked is republished by the next sweep (at-least-once)."""
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._producer is not None:
            await self._producer.stop()
            self._producer = None
        self._pending.clear()
        self._to_mark.clear()

    async def __aenter__(self) -> OutboxRelay:
        await self.start()
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def pending(self) -> int:
        """Commits handed to ``notify`` and not yet acknowledged by the broker."""
        return len(self._pending)

    @property
    def remembered(self) -> int:
        """How many ids the relay keeps in memory (bounded by ``remember``)."""
        return len(self._published) + len(self._pending) + len(self._to_mark)

    async def check_kafka(self) -> None:
        """Readiness: the brokers answer a metadata request (raises otherwise)."""
        if self._producer is None:
            raise RuntimeError("the relay is not started")
        await self._producer.client.fetch_all_metadata()

    def notify(self, commit: StoredCommit) -> None:
        """Publish this just-appended commit soon (dropped when stopped: the sweep has it)."""
        if not self._tasks:
            return
        if len(self._pending) >= self._settings.max_pending:
            self._dropped += 1
            if self._dropped == 1 or self._dropped % 10_000 == 0:
                log.warning("outbox: %d commits left to the sweep (Kafka slow?)", self._dropped)
            return
        self._pending[commit.id] = commit
        self._drained.clear()
        self._wake.set()

    async def sweep(self) -> int:
        """Publish what stopped sessions, and this one, left unpublished; how many commits."""
        total, now = 0, dt.datetime.now(dt.UTC)
        stopped_after = dt.timedelta(seconds=self._settings.stopped_after_s)
        for session in await self._store.outbox_sessions():
            own = session.session == self._store.session
            if not own and now - session.heartbeat_at < stopped_after:
                continue  # alive: its own relay publishes it
            start = self._store.published_through() if own else session.published_through
            published, reached = await self._sweep_session(session.session, start, own, now)
            total += published
            if own:
                continue
            if reached > session.published_through:
                await self._store.checkpoint(session.session, reached, alive=False)
            elif reached == session.published_through:
                await self._store.forget_session(session.session)  # stopped, all published
        return total

    async def _sweep_session(
        self, session: str, after: int, own: bool, now: dt.datetime
    ) -> tuple[int, int]:
        """Walk ``session``'s ledger from ``after``; how many published, the last entry seen."""
        total, number = 0, after
        grace = dt.timedelta(seconds=self._settings.grace_s)
        while (entry := await self._store.ledger_entry(session, number + 1)) is not None:
            if own and now - entry.at < grace:
                break  # being published by this very process
            found = [c for i in entry.commits if (c := await self._store.get(i)) is not None]
            waiting = [c for c in found if not c.published and c.id not in self._pending]
            if waiting:
                async with self._lock:
                    total += await self._publish(waiting)
            marked = [c.id for c in found if c.published]
            if own and marked:  # published by another relay: this process's checkpoint moves
                await self._store.mark_published(marked)
            number = entry.number
        return total, number

    async def _heartbeat(self) -> None:
        while True:
            await asyncio.sleep(self._settings.heartbeat_s)
            try:
                await self._store.checkpoint(
                    self._store.session, self._store.published_through(), alive=True
                )
            except Exception:
                log.warning("outbox heartbeat failed; retrying", exc_info=True)

    async def _publish_notified(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._pending:
                batch = list(self._pending)[: self._settings.batch_size]
                try:
                    async with self._lock:
                        await self._publish(self._pending[k] for k in batch)
                except Exception:
                    log.exception("outbox batch failed; retrying")
                    await asyncio.sleep(self._settings.retry_backoff_s)
                    continue
                for key in batch:
                    self._pending.pop(key, None)
            self._drained.set()

    async def _sweep_periodically(self) -> None:
        while True:
            try:
                swept = await self.sweep()
                if swept:
                    log.info("outbox sweep published %d commits", swept)
            except Exception:
                log.exception("outbox sweep failed")
            self.swept.set()
            await asyncio.sleep(self._settings.sweep_interval_s)

    async def _publish(self, commits: Iterable[StoredCommit]) -> int:
        assert self._producer is not None, "start() the relay first"
        batch = {c.id: c for c in commits if c.id not in self._published}
        for commit in list(batch.values()):
            # Its predecessors that nobody published (a process crashed between its append and
            # its publish) go first: the store has them, and the log keeps the aggregate's order.
            for earlier in await self._unpublished_before(commit, batch):
                batch.setdefault(earlier.id, earlier)
        ordered = sorted(batch.values(), key=lambda c: (c.aggregate_id, c.version))
        acks = [
            await self._producer.send(
                self._topics.name(commit.topic),
                key=record.key,
                value=record.value,
                headers=inject(record.headers, context_of(commit.traceparent)),
            )
            for commit in ordered
            for record in map(to_record, map(Envelope.model_validate, commit.events))
        ]
        await asyncio.gather(*acks)  # the broker has them all: only now may they be marked
        for commit in ordered:
            self._remember(commit.id)
        # Marked in the background: the next batch need not wait for the store.
        # Unmarked at a crash = republished = deduped.
        self._to_mark.extend(c.id for c in ordered)
        if len(self._to_mark) > self._settings.max_pending:  # the store is away: forget the
            del self._to_mark[: len(self._to_mark) - self._settings.max_pending]  # oldest marks
        self._all_marked.clear()
        self._marks_waiting.set()
        return len(ordered)

    async def _unpublished_before(
        self, commit: StoredCommit, batch: dict[str, StoredCommit]
    ) -> list[StoredCommit]:
        """The unpublished commits ``commit`` follows, walked back by ``_id`` to one that is
        known published: nothing to read when this relay published the predecessor itself."""
        found: list[StoredCommit] = []
        follows = commit.follows
        while follows is not None and follows not in self._published and follows not in batch:
            previous = await self._store.get(follows)
            if previous is None:  # a tool guessed the predecessor's id: ask for the whole stream
                return [
                    c
                    for c in await self._store.unpublished_of([commit.aggregate_id])
                    if c.version < commit.version
                ]
            if previous.published:
                self._remember(follows)
                break
            found.append(previous)
            follows = previous.follows
        return found

    def _remember(self, commit_id: str) -> None:
        self._published[commit_id] = None
        self._published.move_to_end(commit_id)
        while len(self._published) > self._settings.remember:
            self._published.popitem(last=False)

    async def _mark_acknowledged(self) -> None:
        while True:
            await self._marks_waiting.wait()
            self._marks_waiting.clear()
            while self._to_mark:
                batch = self._to_mark[: self._settings.batch_size]
                try:
                    await self._store.mark_published(batch)
                except Exception:
                    log.exception("marking published failed; retrying")
                    await asyncio.sleep(self._settings.retry_backoff_s)
                    continue
                del self._to_mark[: len(batch)]
            self._all_marked.set()

    async def marked(self) -> None:
        """Wait until every acknowledged commit is marked published (tests, graceful stops)."""
        if self._to_mark:
            await self._all_marked.wait()

    async def drained(self) -> None:
        """Wait until every notified commit is acknowledged by the broker and marked."""
        await self._drained.wait()
        await self.marked()


__all__ = ["OutboxRelay", "RelaySettings", "idempotent_producer", "relay_for"]
