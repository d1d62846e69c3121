"""Committee use cases: the département's case list, meetings, and cases as known at a meeting.

A comité local d'aide aux victimes works per département (DOMAIN.md "Who uses it"): only its
members (committee_member acting for that département) list its cases and hold its meetings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from relais_events.catalogue.timeline import AccessPurpose
from relais_events.envelope import new_event_id
from relais_events.vocabulary import Role
from relais_kit.application import Acting, Aggregate, WritePath
from relais_kit.application.access_log import AccessLog, Shown

from relais_timeline.application.errors import CaseNotVisible, MeetingNotFound, NotThisCommittee
from relais_timeline.application.ports import (
    CasePage,
    CommitteeCaseList,
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
from relais_timeline.domain.visibility import (
    View,
    committee_departements,
    reader_of,
    visible_entries,
)

PAGE = 200  # rows read per round when a meeting snapshots every open case
# A meeting is an aggregate of its own, written once (``committee.meeting_held``).
MEETING: Final[Aggregate[None]] = Aggregate(
    "committee_meeting",
    initial=None,
    evolve=lambda state, _: state,
    state_type=None,
    snapshots=False,
)


@dataclass(frozen=True)
class Committees:
    timelines: TimelineStore
    committee_cases: CommitteeCaseList
    meetings: MeetingStore
    write_path: WritePath
    access_log: AccessLog

    def _ensure_member(self, caller: Acting, departement: str) -> None:
        if not committee_departements(reader_of(caller), [departement]):
            raise NotThisCommittee(departement)

    async def cases(
        self,
        caller: Acting,
        departement: str,
        *,
        kind: str | None,
        risk_level: str | None,
        limit: int,
        offset: int,
        purpose: AccessPurpose,
    ) -> CasePage:
        """A page of the open cases, after ONE access-log entry naming every case it shows (an
        empty page showed no case and logs nothing)."""
        self._ensure_member(caller, departement)
        page = await self.committee_cases.open_cases(
            departement, kind=kind, risk_level=risk_level, limit=limit, offset=offset
        )
        if page.cases:
            await self.access_log.record(
                caller.as_role(Role.COMMITTEE_MEMBER),
                "case",
                purpose,
                [Shown(case.case_id, departement) for case in page.cases],
            )
        return page

    async def hold(self, caller: Acting, departement: str) -> CommitteeMeeting:
        """Snapshot every open case of the département, publish meeting_held, keep it."""
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
        meeting = hold_meeting(
            f"meeting-{new_event_id()}", departement, self.write_path.clock.now(), timelines
        )
        # The event first: it is the record. A crash before the read model is written leaves
        # a meeting the log has and the api does not show yet, never the other way round.
        await self.write_path.append_new(
            MEETING,
            meeting.meeting_id,
            [meeting_held(meeting)],
            acting=caller.as_role(Role.COMMITTEE_MEMBER),
            subject=meeting.meeting_id,
            jurisdiction=departement,
        )
        await self.meetings.add(meeting)
        return meeting

    async def case_at_meeting(
        self,
        caller: Acting,
        departement: str,
        meeting_id: str,
        case_id: str,
        purpose: AccessPurpose,
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
        last_seen = known.entries[-1].event.event_id if known.entries else None
        await self.access_log.record(
            caller.as_role(Role.COMMITTEE_MEMBER),
            "timeline",
            purpose,
            [Shown(case_id, departement, last_seen)],
        )
        return TimelineView(
            case_id=case_id,
            departement=departement,
            view=View.SUMMARIES,
            entries=visible_entries(known, View.SUMMARIES),
            watermark=meeting.snapshot_of(case_id).watermark,
            case_hash=known.case_hash,
        )
