"""MongoDB / FerretDB adapters of the store ports (DESIGN.md section 3, store rules 1-4).

The hot path only inserts and reads by exact `_id`, which both stores serve from an index (on
FerretDB 1.24 thanks to the index our launcher adds, see `deploy/local/ferretdb/idindex.go`;
any other filter scans the collection there):
- a stream is read commit by commit by `_id` (`<aggregate>:<first version>`), each commit
  telling the next id, after the aggregate's snapshot (`<collection>_snapshots`, by `_id`), so a
  load costs two round trips however long the stream;
- appends go through a group commit that writes each batch with its outbox ledger entry
  (`store/mongo_outbox.py`), markers through a plain one (`batching.InsertBatcher`): the
  concurrent inserts of the process are one `insert_many` each time;
- "published" is a marker document inserted into `<collection>_published`, so the commit is
  written exactly once and never updated (an update on FerretDB is a read, a change in Go and a
  replace, and this keeps the outbox free of that question).
The relay's sweep walks the ledger entries of stopped sessions by exact `_id` (see
`store/ports.py`): its cost follows what is left unpublished, not the size of the log.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Collection, Iterable
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError
from relais_events.envelope import new_event_id

from relais_kit.batching import BatchSettings, InsertBatcher, WriteBehind
from relais_kit.indexes import declare_index
from relais_kit.store.ledger import SessionProgress
from relais_kit.store.mongo_outbox import LEDGER, LedgerBatcher, Sessions
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

Document = dict[str, Any]
# Commits read per page by the sweep.
_SWEEP_PAGE = 500


class MongoEventStore:
    def __init__(
        self,
        database: AsyncDatabase[Document],
        collection: str = "commits",
        batching: BatchSettings | None = None,
        session: str | None = None,
    ) -> None:
        self._commits: AsyncCollection[Document] = database[collection]
        self._published: AsyncCollection[Document] = database[f"{collection}_published"]
        self._snapshots: AsyncCollection[Document] = database[f"{collection}_snapshots"]
        sessions: AsyncCollection[Document] = database[f"{collection}_sessions"]
        self._session = session or f"s-{new_event_id()}"
        self._progress = SessionProgress()
        self._appends = LedgerBatcher(
            self._commits, sessions, self._session, self._progress.written, batching
        )
        self._sessions = Sessions(self._commits, sessions)
        self._marks = InsertBatcher(self._published, batching)
        self._snapshot_writes = WriteBehind(self._snapshots)

    @property
    def session(self) -> str:
        return self._session

    async def ensure_indexes(self) -> None:
        """Declared once at start-up: `_id` already decides races; this one serves MongoDB."""
        await declare_index(
            self._commits,
            [("aggregate_id", ASCENDING), ("version", ASCENDING)],
            unique=True,
            name="aggregate_version",
        )

    async def open_session(self) -> None:
        """Register this process's outbox session before its first commit (start-up)."""
        await self._appends.register()

    async def close(self) -> None:
        """Write the snapshots still queued (the commits and markers are written when awaited)."""
        await self._snapshot_writes.close()

    async def append(self, commit: NewCommit) -> StoredCommit:
        stored = StoredCommit.new(commit)
        try:
            await self._appends.insert(stored.document())
        except DuplicateKeyError as error:
            raise ConcurrencyConflict(commit.aggregate_id, commit.version) from error
        return stored

    async def get(self, commit_id: str) -> StoredCommit | None:
        found = await self._commits.find_one({"_id": commit_id})
        if found is None:
            return None
        marked = await self._is_marked(commit_id)
        return dataclasses.replace(StoredCommit.from_document(found), published=marked)

    async def load(self, aggregate_id: str, after_version: int = 0) -> list[StoredCommit]:
        commits: list[StoredCommit] = []
        version = after_version + 1
        while found := await self._commits.find_one({"_id": commit_id(aggregate_id, version)}):
            commit = StoredCommit.from_document(found)
            commits.append(commit)
            version = commit.last_version + 1
        return commits

    async def snapshot(self, aggregate_id: str) -> Snapshot | None:
        found = await self._snapshots.find_one({"_id": aggregate_id})
        if found is None:
            return None
        found.pop("_id")
        created = found.pop("created_at", None)
        return Snapshot(
            aggregate_id=aggregate_id,
            created_at=dt.datetime.fromisoformat(created) if created else None,
            **found,
        )

    async def save_snapshot(self, snapshot: Snapshot) -> None:
        document = {
            "_id": snapshot.aggregate_id,
            "version": snapshot.version,
            "schema": snapshot.schema,
            "state": snapshot.state,
            "subject": snapshot.subject,
            "jurisdiction": snapshot.jurisdiction,
            "last_event_id": snapshot.last_event_id,
            "last_hash": snapshot.last_hash,
            "last_commit_id": snapshot.last_commit_id,
            # Text, not a BSON date: those keep milliseconds only, and the time must come back
            # exactly as the envelope has it.
            "created_at": snapshot.created_at.isoformat() if snapshot.created_at else None,
        }
        self._snapshot_writes.put(document)

    async def flush_snapshots(self) -> None:
        """Wait for the snapshots written behind (tests and benches count on them)."""
        await self._snapshot_writes.flush()

    async def unpublished_of(self, aggregate_ids: Collection[str]) -> list[StoredCommit]:
        streams = [c for aggregate in aggregate_ids for c in await self.load(aggregate)]
        waiting = await self._without_markers(streams)
        return sorted(waiting, key=lambda c: c.id)

    async def unpublished(self, limit: int, after: str = "") -> list[StoredCommit]:
        found: list[StoredCommit] = []
        while len(found) < limit:
            cursor = self._commits.find({"_id": {"$gt": after}}).sort("_id", ASCENDING)
            page = [d async for d in cursor.limit(_SWEEP_PAGE)]
            if not page:
                break
            after = page[-1]["_id"]
            commits = [StoredCommit.from_document(d) for d in page if not _is_entry(d)]
            found.extend(await self._without_markers(commits))
        return found[:limit]

    async def _without_markers(self, commits: list[StoredCommit]) -> list[StoredCommit]:
        # One exact `_id` look-up each: `$in` would scan every marker on FerretDB.
        return [c for c in commits if not await self._is_marked(c.id)]

    async def _is_marked(self, commit_id: str) -> bool:
        return await self._published.find_one({"_id": commit_id}, {"_id": 1}) is not None

    async def mark_published(self, commit_ids: Iterable[str]) -> None:
        keys = list(dict.fromkeys(commit_ids))
        # A marker already there means another relay published it too: that is fine.
        await self._marks.insert_all([{"_id": k} for k in keys], ignore_duplicates=True)
        self._progress.published(keys)

    async def outbox_sessions(self) -> list[OutboxSession]:
        return await self._sessions.all()

    async def ledger_entry(self, session: str, number: int) -> LedgerEntry | None:
        return await self._sessions.entry(session, number)

    async def checkpoint(self, session: str, published_through: int, *, alive: bool) -> None:
        await self._sessions.checkpoint(session, published_through, alive=alive)

    async def forget_session(self, session: str) -> None:
        await self._sessions.forget_session(session)

    def published_through(self) -> int:
        return self._progress.published_through

    async def purge_published(self, first: str, below: str) -> int:
        deleted, bound = 0, {"$gte": first, "$lt": below}
        while True:
            cursor = self._commits.find({"_id": bound}, {"_id": 1}).sort("_id", ASCENDING)
            page = [str(d["_id"]) async for d in cursor.limit(_SWEEP_PAGE)]
            if not page:
                return deleted
            for old in page:
                # Exact `_id` look-ups and deletes, one entry at a time: `$in` scans on
                # FerretDB, and a delete of many statements is what hangs it (README).
                if old.startswith(LEDGER) or not await self._is_marked(old):
                    continue
                removed = await self._commits.delete_one({"_id": old})
                await self._published.delete_one({"_id": old})
                deleted += removed.deleted_count  # another process may have purged it first
            bound = {"$gt": page[-1], "$lt": below}


def _is_entry(document: Document) -> bool:
    return str(document["_id"]).startswith(LEDGER)


class MongoProcessedEvents:
    """Claims `{_id: "<consumer>:<event id>", ...effect}`: the duplicate key means "done"."""

    def __init__(self, database: AsyncDatabase[Document], collection: str = "processed") -> None:
        self._claims: AsyncCollection[Document] = database[collection]

    async def is_claimed(self, consumer: str, event_id: str) -> bool:
        found = await self._claims.find_one({"_id": Claim(consumer, event_id).id}, {"_id": 1})
        return found is not None

    async def try_claim(self, consumer: str, event_id: str, effect: Any | None = None) -> bool:
        claim = Claim(consumer, event_id, dict(effect or {}))
        try:
            await self._claims.insert_one({**claim.effect, "_id": claim.id})
        except DuplicateKeyError:
            return False
        return True
