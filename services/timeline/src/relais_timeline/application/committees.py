"""Committee use cases: the département's case list, meetings, and cases as known at a meeting.

A comité local d'aide aux victimes works per département (DOMAIN.md "Who uses it"): only its
members (committee_member acting for that département) list its cases and hold its meetings.
"""

from __future__ import annotations

from dataclasses import dataclass

from relais_events.catalogue.timeline import AccessPurpose
from relais_events.envelope import new_envelope, new_event_id
from relais_events.vocabulary import Actor, Role

from relais_timeline.application.access_log import AccessLog, Caller, safe_identifier
from relais_timeline.application.errors import CaseNotVisible, MeetingNotFound, NotThisCommittee
from relais_timeline.application.ports import (
    CasePage,
    Clock,
    CommitteeCaseList,
    EventOutbox,
    MeetingStore,
    TimelineStore,
)
from relais_timeline.application.reads import TimelineView
from relais_timeline.domain.committee import (
    CommitteeMeeting,
    as_known_at,
    hold_meeting,
    meeting_held,
)
from relais_timeline.domain.errors import CaseNotInMeeting
from relais_timeline.domain.visibility import View, committee_departements, visible_entries

PAGE = 200  # rows read per round when a meeting snapshots every open case


@dataclass(frozen=True)
class Committees:
    timelines: TimelineStore
    committee_cases: CommitteeCaseList
    meetings: MeetingStore
    outbox: EventOutbox
    access_log: AccessLog
    clock: Clock

    def _ensure_member(self, caller: Caller, departement: str) -> None:
        if not committee_departements(caller.reader, [departement]):
            raise NotThisCommittee(departement)

    async def cases(
        self,
        caller: Caller,
        departement: str,
        *,
        kind: str | None,
        risk_level: str | None,
        limit: int,
        offset: int,
    ) -> CasePage:
        """A page of the open cases; each case shown is an access, logged as such."""
        self._ensure_member(caller, departement)
        page = await self.committee_cases.open_cases(
            departement, kind=kind, risk_level=risk_level, limit=limit, offset=offset
        )
        now = self.clock()
        for case in page.cases:
            await self.access_log.record(
                caller,
                Role.COMMITTEE_MEMBER,
                case_id=case.case_id,
                departement=departement,
                resource="case",
                purpose=AccessPurpose.COMMITTEE_REVIEW,
                now=now,
            )
        return page

    async def hold(self, caller: Caller, departement: str) -> CommitteeMeeting:
        """Snapshot every open case of the département, record it, publish meeting_held."""
        self._ensure_member(caller, departement)
        timelines = []
        offset: int | None = 0
        while offset is not None:
            page = await self.committee_cases.open_cases(departement, limit=PAGE, offset=offset)
            for row in page.cases:
                timeline = await self.timelines.get(row.case_id)
                if timeline is not None and timeline.departement == departement:
                    timelines.append(timeline)
            offset = page.next_offset
        held_at = self.clock()
        meeting = hold_meeting(new_event_id(), departement, held_at, timelines)
        await self.meetings.add(meeting)
        envelope = new_envelope(
            meeting_held(meeting),
            source="timeline",
            subject=meeting.meeting_id,
            aggregate_id=meeting.meeting_id,
            aggregate_version=1,
            actor=Actor(
                role=Role.COMMITTEE_MEMBER,
                org=safe_identifier(caller.org),
                jurisdiction=departement,
            ),
            jurisdiction=departement,
            now=held_at,
        )
        await self.outbox.append(meeting.meeting_id, [envelope])
        return meeting

    async def case_at_meeting(
        self, caller: Caller, departement: str, meeting_id: str, case_id: str
    ) -> TimelineView:
        """The case as the committee knew it at the meeting (hashes to the recorded hash)."""
        self._ensure_member(caller, departement)
        meeting = await self.meetings.get(meeting_id)
        if meeting is None or meeting.departement != departement:
            raise MeetingNotFound(meeting_id)
        timeline = await self.timelines.get(case_id)
        if timeline is None:
            raise CaseNotVisible(case_id)
        try:
            known = as_known_at(meeting, timeline)
        except CaseNotInMeeting as error:
            raise CaseNotVisible(case_id) from error
        await self.access_log.record(
            caller,
            Role.COMMITTEE_MEMBER,
            case_id=case_id,
            departement=departement,
            resource="timeline",
            purpose=AccessPurpose.COMMITTEE_REVIEW,
            now=self.clock(),
        )
        return TimelineView(
            case_id=case_id,
            departement=departement,
            view=View.SUMMARIES,
            entries=visible_entries(known, View.SUMMARIES),
            watermark=meeting.snapshot_of(case_id).watermark,
            case_hash=known.case_hash,
        )
