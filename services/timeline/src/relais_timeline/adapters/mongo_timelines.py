"""Timelines and the committee case list on MongoDB 7 / FerretDB 1.x.

Store rules (DESIGN.md section 3): a timeline is one document ``{_id: case_id}``, read and
replaced by ``_id`` only, by the one worker owning the case's partition (FerretDB replaces
without re-checking a filter, so a second writer would be a lost update). The committee list is
a small read model with one row per case; its listing filter scans on FerretDB and uses the
declared index on MongoDB.
"""

from __future__ import annotations

from typing import Any, Final

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase

from relais_timeline.application.ports import CasePage
from relais_timeline.domain.committee_case import CommitteeCase
from relais_timeline.domain.timeline import CaseTimeline

Document = dict[str, Any]
TIMELINES: Final = "timelines"
COMMITTEE_CASES: Final = "committee_cases"


class MongoTimelineStore:
    def __init__(self, database: AsyncDatabase[Document]) -> None:
        self._timelines = database[TIMELINES]

    async def get(self, case_id: str) -> CaseTimeline | None:
        document = await self._timelines.find_one({"_id": case_id})
        if document is None:
            return None
        document.pop("_id")
        return CaseTimeline.model_validate(document)

    async def put(self, timeline: CaseTimeline) -> None:
        document = {"_id": timeline.case_id, **timeline.model_dump(mode="json")}
        await self._timelines.replace_one({"_id": timeline.case_id}, document, upsert=True)

    async def case_ids(self) -> list[str]:
        """Every case id (a scan: for the auditor's rebuild, never a request path)."""
        return [d["_id"] async for d in self._timelines.find({}, {"_id": 1})]


class MongoCommitteeCaseList:
    def __init__(self, database: AsyncDatabase[Document]) -> None:
        self._rows = database[COMMITTEE_CASES]

    async def ensure_indexes(self) -> None:
        await self._rows.create_index(
            [("departement", ASCENDING), ("open", ASCENDING), ("_id", ASCENDING)],
            name="departement_open",
        )

    async def put(self, row: CommitteeCase) -> None:
        document = {"_id": row.case_id, **row.model_dump(mode="json")}
        await self._rows.replace_one({"_id": row.case_id}, document, upsert=True)

    async def open_cases(
        self,
        departement: str,
        *,
        kind: str | None = None,
        risk_level: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> CasePage:
        query: Document = {"departement": departement, "open": True}
        if kind is not None:
            query["kind"] = kind
        if risk_level is not None:
            query["risk_level"] = risk_level
        cursor = self._rows.find(query).sort("_id", ASCENDING).skip(offset).limit(limit + 1)
        rows = []
        async for document in cursor:
            document.pop("_id")
            rows.append(CommitteeCase.model_validate(document))
        more = len(rows) > limit
        return CasePage(cases=rows[:limit], next_offset=offset + limit if more else None)
