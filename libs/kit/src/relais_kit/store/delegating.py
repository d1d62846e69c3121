"""An event store that hands every call to another: subclass it to intercept some of them.

Tests use it to lose races on purpose, to crash between two steps, or to count round trips;
overriding one method leaves the others faithful to the real store.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from relais_kit.store.ports import (
    EventStore,
    LedgerEntry,
    NewCommit,
    OutboxSession,
    Snapshot,
    StoredCommit,
)


class DelegatingEventStore:
    def __init__(self, inner: EventStore) -> None:
        self.inner = inner

    @property
    def session(self) -> str:
        return self.inner.session

    async def append(self, commit: NewCommit) -> StoredCommit:
        return await self.inner.append(commit)

    async def get(self, commit_id: str) -> StoredCommit | None:
        return await self.inner.get(commit_id)

    async def load(self, aggregate_id: str, after_version: int = 0) -> list[StoredCommit]:
        return await self.inner.load(aggregate_id, after_version)

    async def snapshot(self, aggregate_id: str) -> Snapshot | None:
        return await self.inner.snapshot(aggregate_id)

    async def save_snapshot(self, snapshot: Snapshot) -> None:
        await self.inner.save_snapshot(snapshot)

    async def unpublished(self, limit: int, after: str = "") -> list[StoredCommit]:
        return await self.inner.unpublished(limit, after)

    async def unpublished_of(self, aggregate_ids: Collection[str]) -> list[StoredCommit]:
        return await self.inner.unpublished_of(aggregate_ids)

    async def mark_published(self, commit_ids: Iterable[str]) -> None:
        await self.inner.mark_published(commit_ids)

    async def outbox_sessions(self) -> list[OutboxSession]:
        return await self.inner.outbox_sessions()

    async def ledger_entry(self, session: str, number: int) -> LedgerEntry | None:
        return await self.inner.ledger_entry(session, number)

    async def checkpoint(self, session: str, published_through: int, *, alive: bool) -> None:
        await self.inner.checkpoint(session, published_through, alive=alive)

    async def forget_session(self, session: str) -> None:
        await self.inner.forget_session(session)

    def published_through(self) -> int:
        return self.inner.published_through()

    async def purge_published(self, first: str, below: str) -> int:
        return await self.inner.purge_published(first, below)
