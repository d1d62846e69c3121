"""The referral index rows on MongoDB / FerretDB: one document per referral, ``_id`` = its id.

One writer per row: the worker consuming the referrals partition its case keys. ``put`` reads
the row by ``_id`` and replaces it unless the stored version is newer (with one writer, that
only skips a redelivery). Listings filter on the partner or the referrer (indexed on MongoDB, a
scan on FerretDB, which is why pages are small).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, Final

from pymongo.asynchronous.database import AsyncDatabase
from relais_kit.indexes import declare_index

from relais_referrals.adapters.instants import from_text, to_text
from relais_referrals.application.ports import IndexRow
from relais_referrals.domain.referral import ReferralStatus

ROWS: Final = "referral_index"
Document = dict[str, Any]


def _row(doc: Document) -> IndexRow:
    return IndexRow(
        referral_id=doc["_id"],
        case_id=doc["case_id"],
        departement=doc.get("departement"),
        partner_id=doc["partner_id"],
        referrer_org=doc.get("referrer_org"),
        status=ReferralStatus(doc["status"]),
        sent_at=from_text(doc["sent_on"]),
        version=int(doc["version"]),
    )


class MongoReferralIndex:
    def __init__(self, database: AsyncDatabase[Document]) -> None:
        self._rows = database[ROWS]

    async def ensure_indexes(self) -> None:
        await declare_index(self._rows, [("partner_id", 1), ("status", 1), ("sent_on", 1)])
        await declare_index(self._rows, [("referrer_org", 1), ("sent_on", -1)])

    async def get(self, referral_id: str) -> IndexRow | None:
        doc = await self._rows.find_one({"_id": referral_id})
        return _row(doc) if doc is not None else None

    async def put(self, row: IndexRow) -> None:
        stored = await self.get(row.referral_id)
        if stored is not None and stored.version > row.version:
            return
        document = {
            "case_id": row.case_id,
            "departement": row.departement,
            "partner_id": row.partner_id,
            "referrer_org": row.referrer_org,
            "status": row.status.value,
            "sent_on": to_text(row.sent_at),
            "version": row.version,
        }
        await self._rows.replace_one({"_id": row.referral_id}, document, upsert=True)

    async def for_partner(
        self, partner_id: str, statuses: Collection[ReferralStatus], limit: int
    ) -> list[IndexRow]:
        if not statuses:
            return []
        query = {"partner_id": partner_id, "status": {"$in": [s.value for s in statuses]}}
        cursor = self._rows.find(query).sort([("sent_on", 1), ("_id", 1)]).limit(limit)
        return [_row(d) for d in await cursor.to_list()]

    async def for_referrer(
        self, org: str, departements: Collection[str], limit: int
    ) -> list[IndexRow]:
        if not departements:
            return []
        query = {"referrer_org": org, "departement": {"$in": list(departements)}}
        cursor = self._rows.find(query).sort([("sent_on", -1), ("_id", -1)]).limit(limit)
        return [_row(d) for d in await cursor.to_list()]
