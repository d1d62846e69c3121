"""The cases learnt from intake, and the partner directory listing, on MongoDB / FerretDB.

``cases``: one document per case, ``_id`` = case id, replaced whole by its one writer (the
worker owning the case's intake partition); read by ``_id``. ``partner_directory``: one insert
per partner (a duplicate key is a redelivery); listed by département (indexed on MongoDB, a
scan of a small collection on FerretDB).
"""

from __future__ import annotations

from typing import Any, Final

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError
from relais_events.vocabulary import CaseKind, PartnerKind, RiskLevel
from relais_kit.indexes import declare_index

from relais_referrals.domain.case_facts import CaseFacts
from relais_referrals.domain.partner import Partner

CASES: Final = "cases"
PARTNERS: Final = "partner_directory"
Document = dict[str, Any]


class MongoCaseDirectory:
    def __init__(self, database: AsyncDatabase[Document]) -> None:
        self._cases = database[CASES]

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
        await self._cases.replace_one({"_id": facts.case_id}, document, upsert=True)


class MongoPartnerDirectory:
    def __init__(self, database: AsyncDatabase[Document]) -> None:
        self._partners = database[PARTNERS]

    async def ensure_indexes(self) -> None:
        await declare_index(self._partners, "departements")

    async def add(self, partner: Partner) -> None:
        document = {
            "_id": partner.partner_id,
            "kind": partner.kind.value,
            "org": partner.org,
            "departements": list(partner.departements),
        }
        try:
            await self._partners.insert_one(document)
        except DuplicateKeyError:
            return  # already listed

    async def serving(self, departement: str, kind: PartnerKind | None) -> list[Partner]:
        query: Document = {"departements": departement}
        if kind is not None:
            query["kind"] = kind.value
        docs = await self._partners.find(query).sort("_id", 1).to_list()
        return [
            Partner(d["_id"], PartnerKind(d["kind"]), d["org"], tuple(d["departements"]))
            for d in docs
        ]
