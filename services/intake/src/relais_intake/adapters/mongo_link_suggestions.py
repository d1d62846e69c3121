"""Link suggestions on MongoDB/FerretDB, by exact ``_id`` lookups only (store rules 1 and 3).

A person's open cases in a département live in numbered slots ``<departement>:<person_key>#<n>``,
one document per case: a new case takes the first free slot by INSERT, so two cases of one
person opened at the same moment both land (a shared list updated in place could lose one on
FerretDB, whose updates are read-modify-replace). Reading walks the slots by ``_id`` until the
first missing one: a person has a handful of cases, so that is a handful of indexed lookups.
A closed case keeps its slot, marked closed, so the walk never meets a hole; only the closing
handler of that case writes to it (store rule 2).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, Final

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

COLLECTION: Final = "link_suggestions"
_MAX_SLOTS: Final = 1000  # far beyond any real person; stops a runaway walk


class MongoLinkSuggestions:
    def __init__(self, database: AsyncDatabase[dict[str, Any]], collection: str = COLLECTION):
        self._slots: AsyncCollection[dict[str, Any]] = database[collection]

    async def add(self, departement: str, person_key: str, case_id: str) -> None:
        prefix = _prefix(departement, person_key)
        n = 0
        while n < _MAX_SLOTS:
            found = await self._slots.find_one({"_id": f"{prefix}#{n}"})
            if found is not None:
                if found["case_id"] == case_id:
                    return
                n += 1
                continue
            try:
                await self._slots.insert_one(
                    {"_id": f"{prefix}#{n}", "case_id": case_id, "open": True}
                )
                return
            except DuplicateKeyError:
                continue  # another case took slot n: read it and move on
        raise RuntimeError(f"no free suggestion slot under {departement}")

    async def remove(self, departement: str, person_key: str, case_id: str) -> None:
        async for slot in self._walk(departement, person_key):
            if slot["case_id"] == case_id:
                await self._slots.update_one({"_id": slot["_id"]}, {"$set": {"open": False}})

    async def open_cases(self, departement: str, person_key: str) -> list[str]:
        return [s["case_id"] async for s in self._walk(departement, person_key) if s["open"]]

    async def _walk(self, departement: str, person_key: str) -> AsyncIterator[dict[str, Any]]:
        prefix = _prefix(departement, person_key)
        for n in range(_MAX_SLOTS):
            slot = await self._slots.find_one({"_id": f"{prefix}#{n}"})
            if slot is None:
                return
            yield slot


def _prefix(departement: str, person_key: str) -> str:
    return f"{departement}:{person_key}"
