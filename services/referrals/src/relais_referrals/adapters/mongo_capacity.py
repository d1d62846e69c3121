"""The copy of the shelter service's places on MongoDB / FerretDB: insert-only documents.

Each document is keyed by what the shelter event names (a site, a declaration's event id, an
allocation), so a redelivered event hits a duplicate key and changes nothing, and no document is
ever updated: no writer to coordinate at all. Reads filter on the site or the operator (indexed
on MongoDB; small scans on FerretDB: capacity is shown before a send, not on a hot path).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any, Final

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError
from relais_kit.indexes import declare_index

from relais_referrals.adapters.instants import day_from, day_text, from_text, to_text
from relais_referrals.application.ports import Site
from relais_referrals.domain.capacity import Declaration, Stay

Document = dict[str, Any]
SITES: Final = "shelter_sites"
DECLARATIONS: Final = "shelter_declarations"
STAYS: Final = "shelter_stays"
RELEASES: Final = "shelter_releases"


async def _insert(collection: AsyncCollection[Document], document: Document) -> None:
    try:
        await collection.insert_one(document)
    except DuplicateKeyError:
        return  # a redelivery


class MongoShelterCapacity:
    def __init__(self, database: AsyncDatabase[Document]) -> None:
        self._sites = database[SITES]
        self._declarations = database[DECLARATIONS]
        self._stays = database[STAYS]
        self._releases = database[RELEASES]

    async def ensure_indexes(self) -> None:
        await declare_index(self._sites, [("operator_org", 1), ("departement", 1)])
        await declare_index(self._declarations, "site_id")
        await declare_index(self._stays, "site_id")

    async def add_site(self, site: Site) -> None:
        document = {
            "_id": site.site_id,
            "operator_org": site.operator_org,
            "departement": site.departement,
        }
        await _insert(self._sites, document)

    async def add_declaration(self, declaration: Declaration) -> None:
        document = {
            "_id": declaration.event_id,
            "site_id": declaration.site_id,
            "first_night": day_text(declaration.first_night),
            "last_night": day_text(declaration.last_night),
            "places": declaration.places,
            "declared_at": to_text(declaration.declared_at),
        }
        await _insert(self._declarations, document)

    async def add_stay(self, stay: Stay) -> None:
        document = {
            "_id": stay.allocation_id,
            "site_id": stay.site_id,
            "first_night": day_text(stay.first_night),
            "nights": stay.nights,
            "persons": stay.persons,
        }
        await _insert(self._stays, document)

    async def add_release(self, allocation_id: str, last_night: dt.date) -> None:
        await _insert(self._releases, {"_id": allocation_id, "last_night": day_text(last_night)})

    async def sites_of(self, operator_org: str, departement: str) -> list[Site]:
        query = {"operator_org": operator_org, "departement": departement}
        docs = await self._sites.find(query).sort("_id", 1).to_list()
        return [Site(d["_id"], d["operator_org"], d["departement"]) for d in docs]

    async def declarations(self, site_ids: Collection[str]) -> list[Declaration]:
        docs = await self._declarations.find({"site_id": {"$in": list(site_ids)}}).to_list()
        return [
            Declaration(
                site_id=d["site_id"],
                first_night=day_from(d["first_night"]),
                last_night=day_from(d["last_night"]),
                places=int(d["places"]),
                declared_at=from_text(d["declared_at"]),
                event_id=d["_id"],
            )
            for d in docs
        ]

    async def stays(self, site_ids: Collection[str]) -> list[Stay]:
        docs = await self._stays.find({"site_id": {"$in": list(site_ids)}}).to_list()
        ids = [d["_id"] for d in docs]
        releases = {
            r["_id"]: day_from(r["last_night"])
            for r in await self._releases.find({"_id": {"$in": ids}}).to_list()
        }
        return [
            Stay(
                allocation_id=d["_id"],
                site_id=d["site_id"],
                first_night=day_from(d["first_night"]),
                nights=int(d["nights"]),
                persons=int(d["persons"]),
                released_after=releases.get(d["_id"]),
            )
            for d in docs
        ]
