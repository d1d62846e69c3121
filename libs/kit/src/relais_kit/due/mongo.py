"""The due schedule and the firings on MongoDB / FerretDB.

Both are decided by inserts (store rule 1): an entry is inserted once per key and removed by
``_id``; a firing is claimed by inserting its ``_id`` and completed by its claimer alone (rule
2). ``due`` filters on ``due_on`` (indexed on MongoDB, a scan of a small collection on
FerretDB): a sweep, not a hot path.

An entry's document is ``{_id: key, <the fields that name what it watches>, due_on, version,
scheduled_at}`` (its dataclass dumped by pydantic, an enum as its value) and a firing's ``{_id,
owner, claimed_at[, completed_at]}``, instants as fixed-width UTC text (``relais_kit.instants``):
the shapes the services wrote before the kit held these adapters, so their collections are read
as they are.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, Final, Generic

from pydantic import TypeAdapter
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

from relais_kit.due.ports import E, Firing
from relais_kit.indexes import declare_index
from relais_kit.instants import from_text, to_text

Document = dict[str, Any]
# The fields the adapter writes itself, from the entry's timing; the rest is the entry's own.
TIMING: Final = frozenset({"_id", "due_on", "due_at", "version", "scheduled_at"})


class MongoDueSchedule(Generic[E]):
    """Entries of ``entry_type`` in ``entries``: one collection per kind of work."""

    def __init__(self, entries: AsyncCollection[Document], entry_type: type[E]) -> None:
        self._entries = entries
        self._shape: TypeAdapter[E] = TypeAdapter(entry_type)

    async def ensure_indexes(self) -> None:
        await declare_index(self._entries, "due_on")

    async def add(self, entries: Sequence[E]) -> None:
        for entry in entries:
            fields = self._shape.dump_python(entry, mode="json")
            document = {
                "_id": entry.key,
                **{k: v for k, v in fields.items() if k not in TIMING},
                "due_on": to_text(entry.due_at),
                "version": entry.version,
                "scheduled_at": to_text(entry.scheduled_at),
            }
            try:
                await self._entries.insert_one(document)
            except DuplicateKeyError:
                continue  # already scheduled, by an earlier attempt or commit

    async def due(self, now: dt.datetime, limit: int) -> list[E]:
        cursor = self._entries.find({"due_on": {"$lte": to_text(now)}})
        documents = await cursor.sort([("due_on", 1), ("_id", 1)]).limit(limit).to_list()
        return [self._entry(d) for d in documents]

    async def remove(self, key: str) -> None:
        await self._entries.delete_one({"_id": key})

    def _entry(self, document: Document) -> E:
        return self._shape.validate_python(
            {k: v for k, v in document.items() if k not in TIMING}
            | {
                "due_at": from_text(document["due_on"]),
                "version": int(document["version"]),
                "scheduled_at": from_text(document["scheduled_at"]),
            }
        )


class MongoFirings:
    def __init__(self, firings: AsyncCollection[Document]) -> None:
        self._firings = firings

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
        document = await self._firings.find_one({"_id": key})
        if document is None:
            return None
        completed = document.get("completed_at")
        return Firing(
            key=key,
            owner=document["owner"],
            claimed_at=from_text(document["claimed_at"]),
            completed_at=from_text(completed) if completed else None,
        )

    async def complete(self, key: str, at: dt.datetime) -> None:
        # One writer: the claimer (rule 2), so a read-modify-replace cannot lose a write.
        await self._firings.update_one({"_id": key}, {"$set": {"completed_at": to_text(at)}})
