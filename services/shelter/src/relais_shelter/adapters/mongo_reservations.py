"""Reservations, operations and holdings on MongoDB / FerretDB: every read and write by ``_id``.

FerretDB 1.24 with SQLite sends only an exact ``{_id: value}`` filter to SQL; anything else,
``$in`` included, scans the collection (measured here: 1.7 s for a ``$in`` of ten ids at 20,000
documents, 4 ms for one exact look-up). So a batch of keys is inserted in ONE ``insert_many``
(unordered: each duplicate is a lost race, reported per key) and looked up or released key by
key, concurrently. A release reads the key's holder before deleting it by ``_id``, so another
holder's key is never deleted; only the operation's own writers release it (the command, or the
sweep after its lease), which keeps that read-then-delete from racing a new holder.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Sequence
from typing import Any, Final

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, DuplicateKeyError
from relais_kit.instants import from_text, to_text
from relais_kit.replacing import replace_by_id

from relais_shelter.application.ports import Operation, OperationKind, Outcome

Document = dict[str, Any]
RESERVATIONS: Final = "shelter_reservations"
OPERATIONS: Final = "shelter_operations"
OUTCOMES: Final = "shelter_outcomes"
HOLDINGS: Final = "shelter_holdings"
DUPLICATE_KEY: Final = 11000


async def insert_counting_duplicates(
    collection: AsyncCollection[Document], documents: Sequence[Document]
) -> set[int]:
    """Insert every document; the positions of those whose ``_id`` existed already."""
    if not documents:
        return set()
    try:
        await collection.insert_many(list(documents), ordered=False)
    except BulkWriteError as error:
        errors = error.details.get("writeErrors", [])
        if any(e.get("code") != DUPLICATE_KEY for e in errors):
            raise
        return {int(e["index"]) for e in errors}
    return set()


class MongoReservations:
    def __init__(self, database: AsyncDatabase[Document]) -> None:
        self._keys = database[RESERVATIONS]

    async def insert(self, keys: Sequence[str], holder: str) -> set[str]:
        documents = [{"_id": k, "holder": holder} for k in keys]
        lost = await insert_counting_duplicates(self._keys, documents)
        return {keys[i] for i in lost}

    async def holders(self, keys: Sequence[str]) -> dict[str, str]:
        found = await asyncio.gather(*(self._keys.find_one({"_id": k}) for k in keys))
        return {d["_id"]: d["holder"] for d in found if d is not None}

    async def release(self, keys: Sequence[str], holder: str) -> None:
        async def one(key: str) -> None:
            found = await self._keys.find_one({"_id": key})
            if found is not None and found["holder"] == holder:
                await self._keys.delete_one({"_id": key})

        await asyncio.gather(*(one(k) for k in keys))


class MongoOperations:
    """In-flight operations (a small collection: each is forgotten once done) and their
    outcomes (kept: an outcome is decided once, and a late writer must still find it)."""

    def __init__(self, database: AsyncDatabase[Document]) -> None:
        self._running = database[OPERATIONS]
        self._outcomes = database[OUTCOMES]

    async def begin(self, operation: Operation) -> None:
        await self._running.insert_one(_document(operation))

    async def note(self, operation: Operation) -> None:
        await replace_by_id(self._running, [_document(operation)])

    async def decide(self, op_id: str, outcome: Outcome) -> Outcome:
        try:
            await self._outcomes.insert_one({"_id": op_id, "outcome": str(outcome)})
        except DuplicateKeyError:
            found = await self._outcomes.find_one({"_id": op_id})
            if found is None:  # pragma: no cover  (outcomes are never deleted)
                raise
            return Outcome(found["outcome"])
        return outcome

    async def finish(self, op_id: str) -> None:
        await self._running.delete_one({"_id": op_id})

    async def started_before(self, instant: dt.datetime) -> list[Operation]:
        # A scan on FerretDB, of in-flight operations only: the sweep's, never a request's.
        documents = await self._running.find({}).to_list()
        operations = [_operation(d) for d in documents]
        return sorted(
            (o for o in operations if o.started_at < instant),
            key=lambda o: (o.started_at, o.op_id),
        )


def _document(operation: Operation) -> Document:
    return {
        "_id": operation.op_id,
        "kind": str(operation.kind),
        "holder": operation.holder,
        "started_at": to_text(operation.started_at),
        "held": list(operation.held),
        "command": operation.command,
    }


def _operation(document: Document) -> Operation:
    return Operation(
        op_id=document["_id"],
        kind=OperationKind(document["kind"]),
        holder=document["holder"],
        started_at=from_text(document["started_at"]),
        held=tuple(document["held"]),
        command=document["command"],
    )


class MongoHoldings:
    def __init__(self, database: AsyncDatabase[Document]) -> None:
        self._holdings = database[HOLDINGS]

    async def keep(self, allocation_id: str, keys: Sequence[str]) -> None:
        await replace_by_id(self._holdings, [{"_id": allocation_id, "keys": list(keys)}])

    async def of(self, allocation_id: str) -> list[str]:
        found = await self._holdings.find_one({"_id": allocation_id})
        return list(found["keys"]) if found is not None else []
