"""MongoDB / FerretDB adapters of the store ports (DESIGN.md section 3, store rules 1-4).

The hot path only inserts and reads by exact `_id`, which both stores serve from an index (on
FerretDB 1.24 thanks to the index our launcher adds, see `deploy/local/ferretdb/idindex.go`;
any other filter scans the collection there):
- a stream is read commit by commit by `_id` (`<aggregate>:<first version>`), each commit
  telling the next id, instead of one range query that would scan every commit;
- "published" is a marker document inserted into `<collection>_published`, so the commit is
  written exactly once and never updated (an update on FerretDB is a read, a change in Go and a
  replace, and this keeps the outbox free of that question).
The sweep (start-up and every few minutes) pages through commits in `_id` order and looks up
their markers: a scan, which is why it is a sweep and not the hot path.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Iterable, Mapping
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, DuplicateKeyError

from relais_kit.store.ports import (
    Claim,
    ConcurrencyConflict,
    NewCommit,
    StoredCommit,
    commit_id,
)

Document = dict[str, Any]
# Commits read per page by the sweep.
_SWEEP_PAGE = 500
_DUPLICATE_KEY = 11000


class MongoEventStore:
    def __init__(self, database: AsyncDatabase[Document], collection: str = "commits") -> None:
        self._commits: AsyncCollection[Document] = database[collection]
        self._published: AsyncCollection[Document] = database[f"{collection}_published"]

    async def ensure_indexes(self) -> None:
        """Declared once at start-up: `_id` already decides races; this one serves MongoDB."""
        await self._commits.create_index(
            [("aggregate_id", ASCENDING), ("version", ASCENDING)],
            unique=True,
            name="aggregate_version",
        )

    async def append(self, commit: NewCommit) -> StoredCommit:
        stored = StoredCommit.new(commit)
        try:
            await self._commits.insert_one(stored.document())
        except DuplicateKeyError as error:
            raise ConcurrencyConflict(commit.aggregate_id, commit.version) from error
        return stored

    async def get(self, commit_id: str) -> StoredCommit | None:
        found = await self._commits.find_one({"_id": commit_id})
        if found is None:
            return None
        published = await self._published.find_one({"_id": commit_id}, {"_id": 1})
        return _stored(found, published is not None)

    async def load(self, aggregate_id: str, after_version: int = 0) -> list[StoredCommit]:
        commits: list[StoredCommit] = []
        version = after_version + 1
        while found := await self._commits.find_one({"_id": commit_id(aggregate_id, version)}):
            commit = StoredCommit.from_document(found)
            commits.append(commit)
            version = commit.last_version + 1
        return commits

    async def unpublished_of(self, aggregate_ids: Collection[str]) -> list[StoredCommit]:
        streams = [c for aggregate in aggregate_ids for c in await self.load(aggregate)]
        waiting = await self._without_markers(streams)
        return sorted(waiting, key=lambda c: c.id)

    async def unpublished(self, limit: int, after: str = "") -> list[StoredCommit]:
        found: list[StoredCommit] = []
        while len(found) < limit:
            cursor = self._commits.find({"_id": {"$gt": after}}).sort("_id", ASCENDING)
            page = [StoredCommit.from_document(d) async for d in cursor.limit(_SWEEP_PAGE)]
            if not page:
                break
            found.extend(await self._without_markers(page))
            after = page[-1].id
        return found[:limit]

    async def _without_markers(self, commits: list[StoredCommit]) -> list[StoredCommit]:
        if not commits:
            return []
        cursor = self._published.find({"_id": {"$in": [c.id for c in commits]}}, {"_id": 1})
        marked = {doc["_id"] async for doc in cursor}
        return [c for c in commits if c.id not in marked]

    async def mark_published(self, commit_ids: Iterable[str]) -> None:
        keys = list(dict.fromkeys(commit_ids))
        if not keys:
            return
        try:
            await self._published.insert_many([{"_id": k} for k in keys], ordered=False)
        except BulkWriteError as error:
            # A marker already there means another relay published it too: that is fine.
            if any(e.get("code") != _DUPLICATE_KEY for e in error.details.get("writeErrors", [])):
                raise


def _stored(document: Document, published: bool) -> StoredCommit:
    return dataclasses.replace(StoredCommit.from_document(document), published=published)


class MongoProcessedEvents:
    """Claims `{_id: "<consumer>:<event id>", ...effect}`: the duplicate key means "done"."""

    def __init__(self, database: AsyncDatabase[Document], collection: str = "processed") -> None:
        self._claims: AsyncCollection[Document] = database[collection]

    async def is_claimed(self, consumer: str, event_id: str) -> bool:
        found = await self._claims.find_one({"_id": Claim(consumer, event_id).id}, {"_id": 1})
        return found is not None

    async def try_claim(
        self, consumer: str, event_id: str, effect: Mapping[str, Any] | None = None
    ) -> bool:
        claim = Claim(consumer, event_id, dict(effect or {}))
        try:
            await self._claims.insert_one({**claim.effect, "_id": claim.id})
        except DuplicateKeyError:
            return False
        return True
