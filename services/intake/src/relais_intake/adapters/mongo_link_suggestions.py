"""Link suggestions on MongoDB/FerretDB, by exact ``_id`` lookups only (store rules 1 and 3).

A person's open cases in a département live in numbered slots ``<departement>:<person_key>#<n>``,
one document per case: a new case takes the first free slot by INSERT, so two cases of one
person opened at the same moment both land (a shared list updated in place could lose one on
FerretDB, whose updates are read-modify-replace). Reading walks the slots by ``_id`` until the
first missing one: a person has a handful of cases, so that is a handful of indexed lookups.
A person seen for the first time costs one insert (slot 0, tried first). A closed case keeps its
slot, marked closed, so the walk never meets a hole; its one writer is the handler that closed
that case (store rule 2).

Each case's person is kept under ``case:<case_id>`` (``case.opened`` v2 seals the person key in
the log), inserted in the same ``insert_many`` as the person's first slot. Erasing the case
deletes that document and blanks the case id of its slot: the slot stays (no hole in the walk)
but no longer ties the person key to the erased case.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any, Final

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError
from relais_kit.batching import InsertBatcher

from relais_intake.application.ports import CasePerson

COLLECTION: Final = "link_suggestions"
_MAX_SLOTS: Final = 1000  # far beyond any real person; stops a runaway walk


class MongoLinkSuggestions:
    def __init__(self, database: AsyncDatabase[dict[str, Any]], collection: str = COLLECTION):
        self._slots: AsyncCollection[dict[str, Any]] = database[collection]
        self._inserts = InsertBatcher(self._slots)

    async def add(self, departement: str, person_key: str, case_id: str) -> None:
        await self._remember(departement, person_key, case_id)
        await self._add_and_walk(departement, person_key, case_id)

    async def add_and_list(self, departement: str, person_key: str, case_id: str) -> list[str]:
        prefix = _prefix(departement, person_key)
        # Queued together, so the group commit sends both in one insert_many.
        first, _ = await asyncio.gather(
            self._inserts.insert(_slot(prefix, 0, case_id)),
            self._remember(departement, person_key, case_id),
            return_exceptions=True,
        )
        if first is None:
            return []  # slot 0 was free: nobody else has this person's key here
        if not isinstance(first, DuplicateKeyError):
            raise first
        found = await self._add_and_walk(departement, person_key, case_id)
        return [c for c in found if c != case_id]

    async def _remember(self, departement: str, person_key: str, case_id: str) -> None:
        person = {"_id": _person_id(case_id), "departement": departement, "person_key": person_key}
        with contextlib.suppress(DuplicateKeyError):  # added twice: the first one stands
            await self._inserts.insert(person)

    async def person_of(self, case_id: str) -> CasePerson | None:
        found = await self._slots.find_one({"_id": _person_id(case_id)})
        if found is None:
            return None
        return CasePerson(str(found["departement"]), str(found["person_key"]))

    async def _add_and_walk(self, departement: str, person_key: str, case_id: str) -> list[str]:
        """Take the first free slot unless the case has one; the open cases met on the way."""
        prefix = _prefix(departement, person_key)
        found: list[str] = []
        added = False
        n = 0
        while n < _MAX_SLOTS:
            slot = await self._slots.find_one({"_id": f"{prefix}#{n}"})
            if slot is None:
                if added:
                    return found
                try:
                    await self._inserts.insert(_slot(prefix, n, case_id))
                except DuplicateKeyError:
                    continue  # another case took slot n: read it and move on
                return [*found, case_id]
            added = added or slot["case_id"] == case_id
            if slot["open"]:
                found.append(slot["case_id"])
            n += 1
        raise RuntimeError(f"no free suggestion slot under {departement}")

    async def remove(self, case_id: str) -> None:
        person = await self.person_of(case_id)
        if person is not None:
            await self._close_slot(person, case_id, {"open": False})

    async def forget(self, case_id: str) -> None:
        # One writer: the erasure of that case (store rule 2). The slot first, then the person:
        # a crash in between leaves the person, so a retry finds the slot again.
        person = await self.person_of(case_id)
        if person is None:
            return
        await self._close_slot(person, case_id, {"open": False, "case_id": ""})
        await self._slots.delete_one({"_id": _person_id(case_id)})

    async def _close_slot(self, person: CasePerson, case_id: str, change: dict[str, Any]) -> None:
        async for slot in self._walk(person.departement, person.person_key):
            if slot["case_id"] == case_id:
                await self._slots.update_one({"_id": slot["_id"]}, {"$set": change})

    async def open_cases(self, departement: str, person_key: str) -> list[str]:
        return [s["case_id"] async for s in self._walk(departement, person_key) if s["open"]]

    async def _walk(self, departement: str, person_key: str) -> AsyncIterator[dict[str, Any]]:
        prefix = _prefix(departement, person_key)
        for n in range(_MAX_SLOTS):
            slot = await self._slots.find_one({"_id": f"{prefix}#{n}"})
            if slot is None:
                return
            yield slot


def _person_id(case_id: str) -> str:
    # Slot ids start with a département code, never with "case:".
    return f"case:{case_id}"


def _prefix(departement: str, person_key: str) -> str:
    return f"{departement}:{person_key}"


def _slot(prefix: str, n: int, case_id: str) -> dict[str, Any]:
    return {"_id": f"{prefix}#{n}", "case_id": case_id, "open": True}
