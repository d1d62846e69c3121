"""What the api answers: its own types, separate from the domain's state and the events."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict
from relais_events.catalogue.timeline import PartitionOffset

from relais_timeline.application.reads import TimelineView
from relais_timeline.domain.committee import CommitteeMeeting
from relais_timeline.domain.committee_case import CommitteeCase
from relais_timeline.domain.visibility import View, VisibleEntry


class TimelineOut(BaseModel):
    model_config = ConfigDict(frozen=True)

    case_id: str
    departement: str | None
    view: View
    entries: list[VisibleEntry]
    watermark: list[PartitionOffset]
    case_hash: str
    as_of: dt.datetime | None = None
    meeting_id: str | None = None

    @classmethod
    def of(cls, view: TimelineView, meeting_id: str | None = None) -> TimelineOut:
        return cls(
            case_id=view.case_id,
            departement=view.departement,
            view=view.view,
            entries=view.entries,
            watermark=list(view.watermark),
            case_hash=view.case_hash,
            as_of=view.as_of,
            meeting_id=meeting_id,
        )


class CasePageOut(BaseModel):
    model_config = ConfigDict(frozen=True)

    cases: list[CommitteeCase]
    next_offset: int | None


class MeetingCaseOut(BaseModel):
    model_config = ConfigDict(frozen=True)

    case_id: str
    case_hash: str
    watermark: list[PartitionOffset]


class MeetingOut(BaseModel):
    model_config = ConfigDict(frozen=True)

    meeting_id: str
    departement: str
    held_at: dt.datetime
    watermark: list[PartitionOffset]
    cases: list[MeetingCaseOut]

    @classmethod
    def of(cls, meeting: CommitteeMeeting) -> MeetingOut:
        return cls(
            meeting_id=meeting.meeting_id,
            departement=meeting.departement,
            held_at=meeting.held_at,
            watermark=list(meeting.watermark),
            cases=[
                MeetingCaseOut(
                    case_id=c.case_id, case_hash=c.case_hash, watermark=list(c.watermark)
                )
                for c in meeting.cases
            ],
        )
