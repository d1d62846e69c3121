"""The clerk's dashboard rows on MongoDB / FerretDB: one document per order, ``_id`` = order id.

``save`` reads the row by ``_id`` and replaces it unless the stored version is newer. It is not
a lock (FerretDB re-checks no filter): two commits of one order a few milliseconds apart may
leave the row one version behind until the order's next commit or the manager's next visit.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Final

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError
from relais_events.catalogue.protection_orders import DeadlineKind
from relais_kit.indexes import declare_index

from relais_protection_orders.adapters.instants import LAST, from_text, to_text
from relais_protection_orders.application.ports import DashboardRow

ROWS: Final = "order_dashboard"


def _document(row: DashboardRow) -> dict[str, Any]:
    return {
        "_id": row.order_id,
        "case_id": row.case_id,
        "departement": row.departement,
        "status": row.status,
        "version": row.version,
        "next_deadline": row.next_deadline.value if row.next_deadline else None,
        "next_due_on": to_text(row.next_due_at) if row.next_due_at else LAST,
        "flags": list(row.flags),
        "ruling_overdue": row.ruling_overdue,
        "updated_at": to_text(row.updated_at),
    }


def _row(doc: dict[str, Any]) -> DashboardRow:
    due = doc["next_due_on"]
    return DashboardRow(
        order_id=doc["_id"],
        case_id=doc["case_id"],
        departement=doc["departement"],
        status=doc["status"],
        version=int(doc["version"]),
        next_deadline=DeadlineKind(doc["next_deadline"]) if doc["next_deadline"] else None,
        next_due_at=None if due == LAST else from_text(due),
        flags=tuple(doc["flags"]),
        ruling_overdue=bool(doc["ruling_overdue"]),
        updated_at=from_text(doc["updated_at"]),
    )


class MongoDashboard:
    def __init__(self, database: AsyncDatabase[dict[str, Any]]) -> None:
        self._rows = database[ROWS]

    async def ensure_indexes(self) -> None:
        await declare_index(self._rows, [("departement", 1), ("next_due_on", 1), ("_id", 1)])

    async def save(self, row: DashboardRow) -> None:
        for _ in range(2):
            stored = await self._rows.find_one({"_id": row.order_id}, {"version": 1})
            if stored is not None and int(stored["version"]) > row.version:
                return
            try:
                await self._rows.replace_one({"_id": row.order_id}, _document(row), upsert=True)
                return
            except DuplicateKeyError:
                continue  # two first writes raced on the upsert: read again

    async def get(self, order_id: str) -> DashboardRow | None:
        doc = await self._rows.find_one({"_id": order_id})
        return _row(doc) if doc else None

    async def query(
        self,
        departements: Sequence[str],
        status: str | None,
        due_before: datetime | None,
        limit: int,
    ) -> list[DashboardRow]:
        where: dict[str, Any] = {"departement": {"$in": list(departements)}}
        if status is not None:
            where["status"] = status
        if due_before is not None:
            where["next_due_on"] = {"$lt": to_text(due_before)}
        cursor = self._rows.find(where).sort([("next_due_on", 1), ("_id", 1)]).limit(limit)
        return [_row(d) for d in await cursor.to_list()]
