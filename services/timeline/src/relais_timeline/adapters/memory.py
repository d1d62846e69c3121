"""In-memory adapters: the same Protocols as the Mongo ones, for fast tests."""

from __future__ import annotations

from collections.abc import Sequence

from relais_timeline.application.ports import CasePage, MeetingAlreadyHeld
from relais_timeline.domain.committee import CommitteeMeeting
from relais_timeline.domain.committee_case import CommitteeCase
from relais_timeline.domain.timeline import CaseTimeline


class MemoryTimelineStore:
    def __init__(self) -> None:
        self.timelines: dict[str, CaseTimeline] = {}

    async def get(self, case_id: str) -> CaseTimeline | None:
        return self.timelines.get(case_id)

    async def put(self, timeline: CaseTimeline) -> None:
        self.timelines[timeline.case_id] = timeline

    async def put_many(self, timelines: Sequence[CaseTimeline]) -> None:
        for timeline in timelines:
            await self.put(timeline)

    async def add_new(self, timelines: Sequence[CaseTimeline]) -> set[str]:
        existing = {t.case_id for t in timelines if t.case_id in self.timelines}
        for timeline in timelines:
            if timeline.case_id not in existing:
                self.timelines[timeline.case_id] = timeline
        return existing


class MemoryCommitteeCaseList:
    def __init__(self) -> None:
        self.rows: dict[str, CommitteeCase] = {}

    async def put_many(self, rows: Sequence[CommitteeCase]) -> None:
        for row in rows:
            await self.put(row)

    async def put(self, row: CommitteeCase) -> None:
        self.rows[row.case_id] = row

    async def add_new(self, rows: Sequence[CommitteeCase]) -> set[str]:
        existing = {r.case_id for r in rows if r.case_id in self.rows}
        for row in rows:
            if row.case_id not in existing:
                self.rows[row.case_id] = row
        return existing

    async def open_cases(
        self,
        departement: str,
        *,
        kind: str | None = None,
        risk_level: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> CasePage:
        matching = [
            row
            for _, row in sorted(self.rows.items())
            if row.departement == departement
            and row.open
            and (kind is None or row.kind == kind)
            and (risk_level is None or row.risk_level == risk_level)
        ]
        page = matching[offset : offset + limit]
        more = len(matching) > offset + limit
        return CasePage(cases=page, next_offset=offset + limit if more else None)


class MemoryMeetingStore:
    def __init__(self) -> None:
        self.meetings: dict[str, CommitteeMeeting] = {}

    async def add(self, meeting: CommitteeMeeting) -> None:
        if meeting.meeting_id in self.meetings:
            raise MeetingAlreadyHeld(meeting.meeting_id)
        self.meetings[meeting.meeting_id] = meeting

    async def get(self, meeting_id: str) -> CommitteeMeeting | None:
        return self.meetings.get(meeting_id)
