"""The deadline schedule and the firings on MongoDB / FerretDB.

Both are decided by inserts (store rule 1): a schedule entry is inserted once per key and
removed by ``_id``; a firing is claimed by inserting its ``_id`` and completed by its claimer
alone (rule 2). ``due`` filters on ``due_on`` (indexed on MongoDB, a scan of a small collection
on FerretDB): a sweep, not a hot path.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Final

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError
from relais_events.catalogue.protection_orders import DeadlineKind
from relais_kit.indexes import declare_index

from relais_protection_orders.adapters.instants import from_text, to_text
from relais_protection_orders.application.ports import Firing, ScheduledDeadline

SCHEDULE: Final = "deadline_schedule"
FIRINGS: Final = "deadline_firings"


class MongoDeadlineSchedule:
    def __init__(self, database: AsyncDatabase[dict[str, Any]]) -> None:
        self._entries = database[SCHEDULE]

    async def ensure_indexes(self) -> None:
        await declare_index(self._entries, "due_on")

    async def add(self, entries: Sequence[ScheduledDeadline]) -> None:
        for entry in entries:
            document = {
                "_id": entry.key,
                "order_id": entry.order_id,
                "kind": entry.kind.value,
                "due_on": to_text(entry.due_at),
                "version": entry.version,
                "scheduled_at": to_text(entry.scheduled_at),
            }
            try:
                await self._entries.insert_one(document)
            except DuplicateKeyError:
                continue  # already scheduled, by an earlier attempt or commit

    async def due(self, now: datetime, limit: int) -> list[ScheduledDeadline]:
        cursor = self._entries.find({"due_on": {"$lte": to_text(now)}})
        documents = await cursor.sort([("due_on", 1), ("_id", 1)]).limit(limit).to_list()
        return [
            ScheduledDeadline(
                order_id=d["order_id"],
                kind=DeadlineKind(d["kind"]),
                due_at=from_text(d["due_on"]),
                version=int(d["version"]),
                scheduled_at=from_text(d["scheduled_at"]),
            )
            for d in documents
        ]

    async def remove(self, key: str) -> None:
        await self._entries.delete_one({"_id": key})


class MongoDeadlineFirings:
    def __init__(self, database: AsyncDatabase[dict[str, Any]]) -> None:
        self._firings = database[FIRINGS]

    async def claim(self, firing: Firing) -> bool:
        try:
            await self._firings.insert_one(
                {"_id": firing.key, "owner": firing.owner, "claimed_at": to_text(firing.claimed_at)}
            )
        except DuplicateKeyError:
            return False
        return True

    async def get(self, key: str) -> Firing | None:
        doc = await self._firings.find_one({"_id": key})
        if doc is None:
            return None
        completed = doc.get("completed_at")
        return Firing(
            key=key,
            owner=doc["owner"],
            claimed_at=from_text(doc["claimed_at"]),
            completed_at=from_text(completed) if completed else None,
        )

    async def complete(self, key: str, at: datetime) -> None:
        await self._firings.update_one({"_id": key}, {"$set": {"completed_at": to_text(at)}})
