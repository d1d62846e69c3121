"""CommitteeMeeting: what a comité local d'aide aux victimes knew on the day it met.

A meeting records, for each case of its département, the case hash and the case's watermark at
that moment (DESIGN.md section 5). Reading a case "as known at that meeting" keeps the entries
read at or below the case's watermark (and whose causes were too): that view hashes to the
recorded case hash, which is how an auditor checks the answer.

Why per-case watermarks and not only one: cases live on different partitions of the re-keyed
topic, each worker at its own pace, so a single watermark taken while reading the cases one by
one can include an event that one case had not yet received. The ``committee.meeting_held``
event carries the pointwise maximum (a summary for auditors) and the case hashes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from pydantic import AwareDatetime, BaseModel, ConfigDict
from relais_events.catalogue.timeline import CaseHash, CommitteeMeetingHeld, PartitionOffset

from relais_timeline.domain.errors import CaseNotInMeeting, OutsideDepartement
from relais_timeline.domain.timeline import CaseTimeline, within

PARIS = ZoneInfo("Europe/Paris")  # committees meet on French civil dates (DOMAIN.md deadlines)


class CaseSnapshot(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    case_id: str
    case_hash: str
    watermark: tuple[PartitionOffset, ...]


class CommitteeMeeting(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    meeting_id: str
    departement: str
    held_at: AwareDatetime
    cases: tuple[CaseSnapshot, ...]

    @property
    def watermark(self) -> tuple[PartitionOffset, ...]:
        """Pointwise maximum of the cases' watermarks."""
        offsets: dict[tuple[str, int], int] = {}
        for case in self.cases:
            for w in case.watermark:
                key = (w.topic, w.partition)
                offsets[key] = max(offsets.get(key, w.offset), w.offset)
        return tuple(
            PartitionOffset(topic=t, partition=p, offset=o) for (t, p), o in sorted(offsets.items())
        )

    def snapshot_of(self, case_id: str) -> CaseSnapshot:
        found = next((c for c in self.cases if c.case_id == case_id), None)
        if found is None:
            raise CaseNotInMeeting(f"case {case_id} was not before meeting {self.meeting_id}")
        return found


def hold_meeting(
    meeting_id: str, departement: str, held_at: dt.datetime, timelines: Iterable[CaseTimeline]
) -> CommitteeMeeting:
    """Snapshot the given timelines, which must all belong to the meeting's département."""
    cases = []
    for timeline in sorted(timelines, key=lambda t: t.case_id):
        if timeline.departement != departement:
            raise OutsideDepartement(f"case {timeline.case_id} is not of {departement}")
        cases.append(
            CaseSnapshot(
                case_id=timeline.case_id,
                case_hash=timeline.case_hash,
                watermark=timeline.watermark,
            )
        )
    return CommitteeMeeting(
        meeting_id=meeting_id, departement=departement, held_at=held_at, cases=tuple(cases)
    )


def as_known_at(meeting: CommitteeMeeting, timeline: CaseTimeline) -> CaseTimeline:
    """The case as the committee knew it at ``meeting``; hashes to the recorded case hash."""
    return within(timeline, meeting.snapshot_of(timeline.case_id).watermark)


def meeting_held(meeting: CommitteeMeeting) -> CommitteeMeetingHeld:
    return CommitteeMeetingHeld(
        meeting_id=meeting.meeting_id,
        departement=meeting.departement,
        held_on=meeting.held_at.astimezone(PARIS).date(),
        watermark=list(meeting.watermark),
        case_hashes=[CaseHash(case_id=c.case_id, hash=c.case_hash) for c in meeting.cases],
    )
