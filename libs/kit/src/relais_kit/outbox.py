"""The outbox relay: publishes appended commits to Kafka in order per aggregate, then marks them.

Hot path: the process that appended a commit hands it to ``notify`` and it is published at once.
The sweep (at start-up, then every ``sweep_interval_s``) publishes what a crashed process left.
At-least-once: a crash between the broker's ack and ``mark_published`` republishes the commit, and
consumers dedupe by event id. One batch is in flight at a time, so a commit is never sent before
the previous commit of its aggregate is acknowledged; before a commit, the relay makes sure its
predecessor (perhaps appended by another process) is published, publishing it first if not.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import groupby
from types import TracebackType

from aiokafka import AIOKafkaProducer
from relais_events.codec import to_record
from relais_events.envelope import Envelope

from relais_kit.settings import ServiceSettings
from relais_kit.store.ports import EventStore, StoredCommit
from relais_kit.topics import TopicSettings
from relais_kit.tracing import context_of, inject

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RelaySettings:
    sweep_interval_s: float = 120.0
    batch_size: int = 500  # commits per broker round trip
    retry_backoff_s: float = 1.0  # after a failed batch (Kafka or store down)


def idempotent_producer(bootstrap: str) -> AIOKafkaProducer:
    return AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True, acks="all")


def relay_for(store: EventStore, settings: ServiceSettings) -> OutboxRelay:
    """The relay a service's bootstrap builds: its broker, its topics, its sweep interval."""
    return OutboxRelay(
        store,
        lambda: idempotent_producer(settings.kafka_bootstrap),
        settings.topics(),
        RelaySettings(sweep_interval_s=settings.outbox_sweep_interval_s),
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
        # Highest version known published, per aggregate: spares the predecessor lookups.
        self._published_through: dict[str, int] = {}
        self._producer: AIOKafkaProducer | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._to_mark: list[str] = []
        self._marks_waiting = asyncio.Event()
        self._all_marked = asyncio.Event()

    async def start(self) -> None:
        self._producer = self._new_producer()
        await self._producer.start()
        # Accepting notifications before the first sweep reads: a commit appended earlier is
        # seen by the sweep, a later one is notified; none falls in between.
        self._tasks = [
            asyncio.create_task(self._publish_notified(), name="outbox-notified"),
            asyncio.create_task(self._sweep_periodically(), name="outbox-sweep"),
            asyncio.create_task(self._mark_acknowledged(), name="outbox-mark"),
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

    def notify(self, commit: StoredCommit) -> None:
        """Publish this just-appended commit soon (dropped when stopped: the sweep has it)."""
        if self._tasks:
            self._pending[commit.id] = commit
            self._wake.set()

    async def sweep(self) -> int:
        """Publish every unpublished commit in the store; returns how many were published."""
        total, after = 0, ""
        while True:
            found = await self._store.unpublished(self._settings.batch_size, after)
            if not found:
                return total
            async with self._lock:
                total += await self._publish(found)
            after = found[-1].id

    async def _publish_notified(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._pending:
                batch = sorted(self._pending)[: self._settings.batch_size]
                try:
                    async with self._lock:
                        await self._publish(self._pending[k] for k in batch)
                except Exception:
                    log.exception("outbox batch failed; retrying")
                    await asyncio.sleep(self._settings.retry_backoff_s)
                    continue
                for key in batch:
                    self._pending.pop(key, None)

    async def _sweep_periodically(self) -> None:
        while True:
            try:
                swept = await self.sweep()
                if swept:
                    log.info("outbox sweep published %d commits", swept)
            except Exception:
                log.exception("outbox sweep failed")
            await asyncio.sleep(self._settings.sweep_interval_s)

    async def _publish(self, commits: Iterable[StoredCommit]) -> int:
        assert self._producer is not None, "start() the relay first"
        groups = {
            aggregate_id: list(group)
            for aggregate_id, group in groupby(sorted(commits, key=lambda c: c.id), _aggregate)
        }
        unsure = [a for a, group in groups.items() if not self._follows_published(a, group)]
        if unsure:
            # An earlier commit may be unpublished (appended by a process that crashed, or whose
            # relay is behind): one read for all these aggregates, merged in before their commits.
            latest = {a: group[-1].version for a, group in groups.items()}  # before any append
            for earlier in await self._store.unpublished_of(unsure):
                group = groups[earlier.aggregate_id]
                if earlier.version < latest[earlier.aggregate_id] and earlier not in group:
                    group.append(earlier)
        ordered = [
            commit
            for aggregate_id, group in groups.items()
            for commit in sorted(group, key=lambda c: c.version)
            if commit.last_version > self._published_through.get(aggregate_id, 0)
        ]
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
            known = self._published_through.get(commit.aggregate_id, 0)
            self._published_through[commit.aggregate_id] = max(known, commit.last_version)
        # Marked in the background: on FerretDB an update costs a pass over the collection, and
        # the next batch need not wait for it. Unmarked at a crash = republished = deduped.
        self._to_mark.extend(c.id for c in ordered)
        self._all_marked.clear()
        self._marks_waiting.set()
        return len(ordered)

    def _follows_published(self, aggregate_id: str, commits: list[StoredCommit]) -> bool:
        """Whether ``commits`` continue, without a gap, what this relay published last."""
        known = self._published_through.get(aggregate_id)
        if known is None:
            return False
        previous = [known, *(c.last_version for c in commits)]
        return all(c.version == v + 1 for c, v in zip(commits, previous, strict=False))

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


def _aggregate(commit: StoredCommit) -> str:
    return commit.aggregate_id


__all__ = ["OutboxRelay", "RelaySettings", "idempotent_producer", "relay_for"]
