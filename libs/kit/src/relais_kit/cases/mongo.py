"""The case directory on MongoDB / FerretDB: one document per case, ``_id`` = case id.

Replaced whole by its one writer (the worker owning the case's intake partition, DESIGN.md
store rule 2) and read by ``_id`` (store rule 3: the hot read is an exact ``_id``). The document
shape is the one referrals wrote before the kit held this adapter, so its ``cases`` collection
is read as it is.
"""

from __future__ import annotations

from typing import Any, Final

from pymongo.asynchronous.database import AsyncDatabase
from relais_events.vocabulary import CaseKind, RiskLevel

from relais_kit.cases.facts import CaseFacts

CASES: Final = "cases"
Document = dict[str, Any]


class MongoCaseDirectory:
    def __init__(self, database: AsyncDatabase[Document], collection: str = CASES) -> None:
        self._cases = database[collection]

    async def get(self, case_id: str) -> CaseFacts | None:
        doc = await self._cases.find_one({"_id": case_id})
        if doc is None:
            return None
        return CaseFacts(
            case_id=doc["_id"],
            departement=doc["departement"],
            kind=CaseKind(doc["kind"]) if doc.get("kind") else None,
            minor_victim=bool(doc["minor_victim"]),
            risk_level=RiskLevel(doc["risk_level"]) if doc.get("risk_level") else None,
            closed=bool(doc["closed"]),
            last_event_id=doc.get("last_event_id"),
            version=int(doc["version"]),
        )

    async def put(self, facts: CaseFacts) -> None:
        document = {
            "departement": facts.departement,
            "kind": facts.kind.value if facts.kind else None,
            "minor_victim": facts.minor_victim,
            "risk_level": facts.risk_level.value if facts.risk_level else None,
            "closed": facts.closed,
            "last_event_id": facts.last_event_id,
            "version": facts.version,
        }
        # One statement, by its one writer: not the bulk replace FerretDB hangs on.
        await self._cases.replace_one({"_id": facts.case_id}, document, upsert=True)
