"""Timelines and the committee case list on MongoDB 7 / FerretDB 1.x.

Store rules (DESIGN.md section 3): a timeline is one document ``{_id: case_id}``, read and
replaced by ``_id`` only, by the one worker owning the case's partition (FerretDB replaces
without re-checking a filter, so a second writer would be a lost update). The committee list is
a small read model with one row per case; its listing filter scans on FerretDB and uses the
declared index on MongoDB.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase
from relais_kit.indexes import declare_index
from relais_kit.inserting import insert_new
from relais_kit.replacing import replace_by_id

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
        await self.put_many([timeline])

    async def put_many(self, timelines: Sequence[CaseTimeline]) -> None:
        # One writer per case (the worker owning its partition): a plain replace by `_id`.
        await replace_by_id(self._timelines, [_timeline_document(t) for t in timelines])

    async def add_new(self, timelines: Sequence[CaseTimeline]) -> set[str]:
        return await insert_new(self._timelines, [_timeline_document(t) for t in timelines])

    async def case_ids(self) -> list[str]:
        """Every case id (a scan: for the auditor's rebuild, never a request path)."""
        return [d["_id"] async for d in self._timelines.find({}, {"_id": 1})]


def _timeline_document(timeline: CaseTimeline) -> Document:
    return {"_id": timeline.case_id, **timeline.model_dump(mode="json")}


class MongoCommitteeCaseList:
    def __init__(self, database: AsyncDatabase[Document]) -> None:
        self._rows = database[COMMITTEE_CASES]

    async def ensure_indexes(self) -> None:
        await declare_index(
            self._rows,
            [("departement", ASCENDING), ("open", ASCENDING), ("_id", ASCENDING)],
            name="departement_open",
        )

    async def put(self, row: CommitteeCase) -> None:
        await self.put_many([row])

    async def put_many(self, rows: Sequence[CommitteeCase]) -> None:
        # Written by the worker owning the case, like its timeline.
        await replace_by_id(self._rows, [_row_document(r) for r in rows])

    async def add_new(self, rows: Sequence[CommitteeCase]) -> set[str]:
        return await insert_new(self._rows, [_row_document(r) for r in rows])

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


def _row_document(row: CommitteeCase) -> Document:
    return {"_id": row.case_id, **row.model_dump(mode="json")}
