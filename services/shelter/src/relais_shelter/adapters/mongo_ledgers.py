"""The shelter's small read models on MongoDB / FerretDB: sites per département, envelope holes,
the funder's claim ledger. Insert-only (a redelivery or a retry hits a duplicate key and changes
nothing) except a hole, deleted by ``_id`` once taken again.

Listings filter on a field: indexed on MongoDB (``declare_index``), a scan on FerretDB, where
only ``_id`` reaches SQL. The directory and the holes are small; the ledger grows with claims
and is read by the envelope page and the monthly statement, not by a claim (a claim counts the
envelope's units by ``_id``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, Final

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError
from relais_kit.indexes import declare_index
from relais_kit.instants import from_text, to_text

from relais_shelter.adapters.mongo_reservations import insert_counting_duplicates
from relais_shelter.application.ports import ClaimRecord

Document = dict[str, Any]
SITES: Final = "shelter_sites"
HOLES: Final = "shelter_envelope_holes"
CLAIMS: Final = "shelter_claims"


async def _insert(collection: AsyncCollection[Document], document: Document) -> None:
    try:
        await collection.insert_one(document)
    except DuplicateKeyError:
        return  # written already


class MongoSiteDirectory:
    def __init__(self, database: AsyncDatabase[Document]) -> None:
        self._sites = database[SITES]

    async def ensure_indexes(self) -> None:
        await declare_index(self._sites, "departement")

    async def add(self, site_id: str, departement: str) -> None:
        await _insert(self._sites, {"_id": site_id, "departement": departement})

    async def in_departement(self, departement: str) -> list[str]:
        found = await self._sites.find({"departement": departement}).sort("_id", 1).to_list()
        return [d["_id"] for d in found]


class MongoEnvelopeHoles:
    def __init__(self, database: AsyncDatabase[Document]) -> None:
        self._holes = database[HOLES]

    async def ensure_indexes(self) -> None:
        await declare_index(self._holes, "envelope_id")

    async def add(self, envelope_id: str, units: Sequence[int]) -> None:
        documents = [
            {"_id": f"{envelope_id}:{u}", "envelope_id": envelope_id, "unit": u} for u in units
        ]
        await insert_counting_duplicates(self._holes, documents)

    async def of(self, envelope_id: str) -> list[int]:
        found = await self._holes.find({"envelope_id": envelope_id}).to_list()
        return sorted(int(d["unit"]) for d in found)

    async def remove(self, envelope_id: str, unit: int) -> None:
        await self._holes.delete_one({"_id": f"{envelope_id}:{unit}"})


class MongoClaimLedger:
    def __init__(self, database: AsyncDatabase[Document]) -> None:
        self._claims = database[CLAIMS]

    async def ensure_indexes(self) -> None:
        await declare_index(self._claims, [("envelope_id", 1), ("night", 1)])

    async def add(self, record: ClaimRecord) -> None:
        await _insert(
            self._claims,
            {
                "_id": record.claim_id,
                "envelope_id": record.envelope_id,
                "night": record.night.isoformat(),
                "departement": record.departement,
                "persons": record.persons,
                "amount_cents": record.amount_cents,
                "reason": record.reason,
                "decided_at": to_text(record.decided_at),
            },
        )

    async def of_envelope(self, envelope_id: str) -> list[ClaimRecord]:
        found = await self._claims.find({"envelope_id": envelope_id}).to_list()
        records = [
            ClaimRecord(
                claim_id=d["_id"],
                envelope_id=d["envelope_id"],
                night=_day(d["night"]),
                departement=d["departement"],
                persons=int(d["persons"]),
                amount_cents=int(d["amount_cents"]),
                reason=d["reason"],
                decided_at=from_text(d["decided_at"]),
            )
            for d in found
        ]
        return sorted(records, key=lambda r: (r.night, r.decided_at, r.claim_id))


def _day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)
