"""The partner directory listing on MongoDB / FerretDB (the cases learnt from intake are the
kit's ``relais_kit.cases.mongo.MongoCaseDirectory``, in the ``cases`` collection).

``partner_directory``: one insert per partner (a duplicate key is a redelivery); listed by
département (indexed on MongoDB, a scan of a small collection on FerretDB).
"""

from __future__ import annotations

from typing import Any, Final

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError
from relais_events.vocabulary import PartnerKind
from relais_kit.indexes import declare_index

from relais_referrals.domain.partner import Partner

PARTNERS: Final = "partner_directory"
Document = dict[str, Any]


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
