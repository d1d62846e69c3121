"""In-process adapters of the store ports: the fakes behind fast handler tests.

They keep the Mongo adapter's semantics (the contract suite runs on both): an append is decided
by the `_id`, and no await happens between the check and the write, so it is atomic in asyncio.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Collection, Iterable, Mapping
from typing import Any

from relais_kit.store.ledger import SessionProgress
from relais_kit.store.ports import (
    Claim,
    ConcurrencyConflict,
    LedgerEntry,
    NewCommit,
    OutboxSession,
    Snapshot,
    StoredCommit,
    commit_id,
)


class MemoryEventStore:
    """One store shared by every "process" of a test; each ``append`` is one ledger entry."""

    def __init__(self, session: str = "memory") -> None:
        self._commits: dict[str, StoredCommit] = {}
        self._snapshots: dict[str, Snapshot] = {}
        self._session = session
        self._entries: dict[tuple[str, int], LedgerEntry] = {}
        self._sessions: dict[str, OutboxSession] = {}
        self._progress = SessionProgress()

    @property
    def session(self) -> str:
        return self._session

    async def append(self, commit: NewCommit) -> StoredCommit:
        if commit.id in self._commits:
            raise ConcurrencyConflict(commit.aggregate_id, commit.version)
        stored = StoredCommit.new(commit)
        self._commits[stored.id] = stored
        now = dt.datetime.now(dt.UTC)
        self._sessions.setdefault(self._session, OutboxSession(self._session, now, now, 0))
        number = 1 + max((n for s, n in self._entries if s == self._session), default=0)
        self._entries[(self._session, number)] = LedgerEntry(
            self._session, number, (stored.id,), now
        )
        self._progress.written(number, [stored.id])
        return stored

    async def get(self, commit_id: str) -> StoredCommit | None:
        return self._commits.get(commit_id)

    async def load(self, aggregate_id: str, after_version: int = 0) -> list[StoredCommit]:
        loaded: list[StoredCommit] = []
        next_id = commit_id(aggregate_id, after_version + 1)
        while (found := self._commits.get(next_id)) is not None:
            loaded.append(found)
            next_id = commit_id(aggregate_id, found.last_version + 1)
        return loaded

    async def snapshot(self, aggregate_id: str) -> Snapshot | None:
        return self._snapshots.get(aggregate_id)

    async def save_snapshot(self, snapshot: Snapshot) -> None:
        self._snapshots[snapshot.aggregate_id] = snapshot

    async def unpublished(self, limit: int, after: str = "") -> list[StoredCommit]:
        waiting = sorted(k for k, c in self._commits.items() if not c.published and k > after)
        return [self._commits[k] for k in waiting[:limit]]

    async def unpublished_of(self, aggregate_ids: Collection[str]) -> list[StoredCommit]:
        wanted = set(aggregate_ids)
        return [
            self._commits[k]
            for k in sorted(self._commits)
            if self._commits[k].aggregate_id in wanted and not self._commits[k].published
        ]

    async def mark_published(self, commit_ids: Iterable[str]) -> None:
        keys = list(commit_ids)
        for key in keys:
            if key in self._commits:
                self._commits[key] = dataclasses.replace(self._commits[key], published=True)
        self._progress.published(keys)

    async def outbox_sessions(self) -> list[OutboxSession]:
        return list(self._sessions.values())

    async def ledger_entry(self, session: str, number: int) -> LedgerEntry | None:
        return self._entries.get((session, number))

    async def checkpoint(self, session: str, published_through: int, *, alive: bool) -> None:
        known = self._sessions.get(session)
        if known is None:
            if not alive:
                return
            now = dt.datetime.now(dt.UTC)
            known = OutboxSession(session, now, now, 0)
        through = max(known.published_through, published_through)
        heartbeat = dt.datetime.now(dt.UTC) if alive else known.heartbeat_at
        self._sessions[session] = dataclasses.replace(
            known, published_through=through, heartbeat_at=heartbeat
        )
        for key in [k for k in self._entries if k[0] == session and k[1] <= through]:
            del self._entries[key]

    async def forget_session(self, session: str) -> None:
        self._sessions.pop(session, None)

    def published_through(self) -> int:
        return self._progress.published_through

    async def purge_published(self, first: str, below: str) -> int:
        old = [k for k, c in self._commits.items() if first <= k < below and c.published]
        for key in old:
            del self._commits[key]
        return len(old)


class MemoryProcessedEvents:
    def __init__(self) -> None:
        self.claims: dict[str, Claim] = {}

    async def is_claimed(self, consumer: str, event_id: str) -> bool:
        return Claim(consumer, event_id).id in self.claims

    async def try_claim(
        self, consumer: str, event_id: str, effect: Mapping[str, Any] | None = None
    ) -> bool:
        claim = Claim(consumer, event_id, dict(effect or {}))
        if claim.id in self.claims:
            return False
        self.claims[claim.id] = claim
        return True
