"""The SLA escalation schedule and its firings on MongoDB / FerretDB.

Both are decided by inserts (store rule 1): an entry is inserted once per key and removed by
``_id``; a firing is claimed by inserting its ``_id`` and completed by its claimer alone (rule
2). ``due`` filters on ``due_on`` (indexed on MongoDB, a scan of a small collection on
FerretDB): a sweep, not a hot path.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, Final

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError
from relais_kit.indexes import declare_index

from relais_referrals.adapters.instants import from_text, to_text
from relais_referrals.application.ports import Firing, ScheduledEscalation

SCHEDULE: Final = "escalation_schedule"
FIRINGS: Final = "escalation_firings"
Document = dict[str, Any]


class MongoEscalationSchedule:
    def __init__(self, database: AsyncDatabase[Document]) -> None:
        self._entries = database[SCHEDULE]

    async def ensure_indexes(self) -> None:
        await declare_index(self._entries, "due_on")

    async def add(self, entries: Sequence[ScheduledEscalation]) -> None:
        for entry in entries:
            document = {
                "_id": entry.key,
                "stream_id": entry.stream_id,
                "referral_id": entry.referral_id,
                "due_on": to_text(entry.due_at),
                "version": entry.version,
                "scheduled_at": to_text(entry.scheduled_at),
            }
            try:
                await self._entries.insert_one(document)
            except DuplicateKeyError:
                continue  # already scheduled by an earlier attempt

    async def due(self, now: dt.datetime, limit: int) -> list[ScheduledEscalation]:
        cursor = self._entries.find({"due_on": {"$lte": to_text(now)}})
        documents = await cursor.sort([("due_on", 1), ("_id", 1)]).limit(limit).to_list()
        return [
            ScheduledEscalation(
                stream_id=d["stream_id"],
                referral_id=d["referral_id"],
                due_at=from_text(d["due_on"]),
                version=int(d["version"]),
                scheduled_at=from_text(d["scheduled_at"]),
            )
            for d in documents
        ]

    async def remove(self, key: str) -> None:
        await self._entries.delete_one({"_id": key})


class MongoEscalationFirings:
    def __init__(self, database: AsyncDatabase[Document]) -> None:
        self._firings = database[FIRINGS]

    async def claim(self, firing: Firing) -> bool:
        document = {
            "_id": firing.key,
            "owner": firing.owner,
            "claimed_at": to_text(firing.claimed_at),
        }
        try:
            await self._firings.insert_one(document)
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

    async def complete(self, key: str, at: dt.datetime) -> None:
        await self._firings.update_one({"_id": key}, {"$set": {"completed_at": to_text(at)}})
