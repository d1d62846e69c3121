"""The use cases over the memory adapters: projection, reads, committees, the access log."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from relais_events.catalogue.shelter import SiteRegistered
from relais_events.catalogue.timeline import AccessLogged, AccessPurpose, CommitteeMeetingHeld
from relais_events.envelope import Envelope, new_envelope, payload
from relais_events.integrity import Signer
from relais_events.pii import MemoryKeyStore
from relais_events.vocabulary import Actor, Role
from relais_kit.application import Acting, ManualClock, WritePath, pseudonym
from relais_kit.application.access_log import AccessLog
from relais_kit.store import StoredCommit
from relais_kit.store.memory import MemoryEventStore
from relais_timeline.adapters.applied_events import AppliedRegistry
from relais_timeline.adapters.memory import (
    MemoryCommitteeCaseList,
    MemoryMeetingStore,
    MemoryTimelineStore,
)
from relais_timeline.application.committees import Committees
from relais_timeline.application.errors import (
    CaseNotVisible,
    EventNotYetApplied,
    NotThisCommittee,
)
from relais_timeline.application.projection import Arrival, TimelineProjection
from relais_timeline.application.reads import TimelineReads
from relais_timeline.domain.committee_case import committee_case
from relais_timeline.domain.summary import Origin
from relais_timeline.testing import case_history, report

NOW = dt.datetime(2026, 3, 9, 18, 0, tzinfo=dt.UTC)
MEMBER = Acting("member-1", Role.COMMITTEE_MEMBER, "clav-75", frozenset({"75"}))
AUDITOR = Acting("auditor@ccomptes.fr", Role.AUDITOR, "igj", frozenset({"*"}))
ELSEWHERE = Acting("member-2", Role.COMMITTEE_MEMBER, "clav-93", frozenset({"93"}))
REVIEW, AUDIT = AccessPurpose.COMMITTEE_REVIEW, AccessPurpose.AUDIT


class World:
    def __init__(self) -> None:
        self.timelines = MemoryTimelineStore()
        self.cases = MemoryCommitteeCaseList()
        self.committed: list[StoredCommit] = []
        signer = Signer("timeline", "timeline-test", Ed25519PrivateKey.generate())
        write_path = WritePath(
            MemoryEventStore(),
            MemoryKeyStore(),
            signer,
            ManualClock(NOW),
            on_commit=self.committed.append,
        )
        self.projection = TimelineProjection(self.timelines, self.cases)
        access = AccessLog(write_path)
        self.applied = AppliedRegistry()
        self.reads = TimelineReads(self.timelines, access, self.applied, wait_s=0.2)
        self.committees = Committees(
            self.timelines, self.cases, MemoryMeetingStore(), write_path, access
        )
        self.offset = 0

    @property
    def envelopes(self) -> list[Envelope]:
        """Everything the timeline service itself committed, in order (signed)."""
        return [Envelope.model_validate(e) for c in self.committed for e in c.events]

    async def feed(self, *envelopes: Envelope) -> None:
        for envelope in envelopes:
            self.offset += 1
            origin = Origin(topic="relais.intake.v1", partition=0, offset=self.offset)
            await self.projection.project(envelope, envelope.time, origin)

    def logged(self) -> list[AccessLogged]:
        return [
            event
            for event in (payload(e) for e in self.envelopes)
            if isinstance(event, AccessLogged)
        ]


async def test_projection_is_idempotent_and_keeps_the_access_log_out_of_cases() -> None:
    world = World()
    history = case_history("case-1")
    await world.feed(*history)
    before = await world.timelines.get("case-1")
    assert not await world.projection.project(history[0], NOW, None)
    access = new_envelope(
        AccessLogged(
            access_id="a-1",
            case_ids=["case-1"],
            subject_ref="member-1",
            role=Role.COMMITTEE_MEMBER,
            org="clav-75",
            resource="timeline",
            purpose=AccessPurpose.COMMITTEE_REVIEW,
        ),
        source="timeline",
        subject="case-1",
        aggregate_id="a-1",
        aggregate_version=1,
        actor=Actor(role=Role.COMMITTEE_MEMBER, org="clav-75"),
        jurisdiction="75",
        now=NOW,
    )
    assert not await world.projection.project(access, NOW, None)
    assert await world.timelines.get("case-1") == before


async def test_a_new_process_redelivered_a_case_start_keeps_what_the_case_had() -> None:
    """The first event of a case is presumed to open a new timeline; it must not erase one."""
    world = World()
    history = case_history("case-1")
    await world.feed(*history[:2])
    restarted = TimelineProjection(world.timelines, world.cases)  # empty cache
    placed = await restarted.project_all(
        [Arrival(e, e.time, None) for e in (history[0], history[2])]
    )
    assert placed == {"case-1": [history[2].id]}
    after = await world.timelines.get("case-1")
    assert after is not None
    assert [e.event.event_id for e in after.entries] == [e.id for e in history]
    assert world.cases.rows["case-1"] == committee_case(after)


async def test_a_row_lost_between_the_timeline_insert_and_its_write_comes_back() -> None:
    world = World()
    history = case_history("case-1")
    await world.feed(*history)
    del world.cases.rows["case-1"]  # the process died after inserting the timeline
    restarted = TimelineProjection(world.timelines, world.cases)
    assert await restarted.project_all([Arrival(e, e.time, None) for e in history]) == {}
    stored = await world.timelines.get("case-1")
    assert stored is not None
    assert world.cases.rows["case-1"] == committee_case(stored)


async def test_a_read_shows_the_case_and_logs_who_why_and_what() -> None:
    world = World()
    await world.feed(*case_history("case-1"))
    view = await world.reads.case_timeline(MEMBER, "case-1", REVIEW)
    assert len(view.entries) == 3
    [logged] = world.logged()
    assert (logged.case_ids, logged.subject_ref, logged.org, logged.resource) == (
        ["case-1"],
        "member-1",
        "clav-75",
        "timeline",
    )
    assert logged.purpose == "committee_review"

    audit = await world.reads.case_timeline(AUDITOR, "case-1", AUDIT)
    assert all(e.data is None for e in audit.entries)
    assert world.logged()[-1].subject_ref == pseudonym("auditor@ccomptes.fr")
    assert all(e.sig is not None for e in world.envelopes)  # the timeline signs what it writes
    assert world.logged()[-1].purpose == "audit"


async def test_no_data_and_no_log_outside_the_departement_or_for_an_unknown_case() -> None:
    world = World()
    await world.feed(*case_history("case-1"))
    with pytest.raises(CaseNotVisible):
        await world.reads.case_timeline(ELSEWHERE, "case-1", REVIEW)
    with pytest.raises(CaseNotVisible):
        await world.reads.case_timeline(MEMBER, "case-404", REVIEW)
    assert world.logged() == []


async def test_a_refusal_with_min_event_takes_as_long_for_an_existing_case_as_for_none() -> None:
    """An outsider must not learn that a case exists from how fast the 404 comes back."""
    world = World()
    history = case_history("case-1")
    await world.feed(*history)
    for case_id in ("case-1", "case-404"):
        started = time.monotonic()
        with pytest.raises(CaseNotVisible):
            await world.reads.case_timeline(ELSEWHERE, case_id, REVIEW, min_event=history[-1].id)
        assert time.monotonic() - started >= world.reads.wait_s


async def test_min_event_gives_up_after_the_wait_with_a_retry_hint() -> None:
    world = World()
    await world.feed(*case_history("case-1"))
    with pytest.raises(EventNotYetApplied) as raised:
        await world.reads.case_timeline(MEMBER, "case-1", REVIEW, min_event="evt-never")
    assert raised.value.retry_after_s >= 1


async def test_a_meeting_publishes_its_snapshot_and_answers_as_known_then() -> None:
    world = World()
    history = case_history("case-1")
    await world.feed(*history, *case_history("case-2", departement="93"))
    with pytest.raises(NotThisCommittee):
        await world.committees.hold(ELSEWHERE, "75")
    meeting = await world.committees.hold(MEMBER, "75")
    assert [c.case_id for c in meeting.cases] == ["case-1"]
    [held] = [p for p in map(payload, world.envelopes) if isinstance(p, CommitteeMeetingHeld)]
    assert held.case_hashes[0].hash == meeting.cases[0].case_hash
    assert held.held_on == dt.date(2026, 3, 9)

    await world.feed(report("case-1", "r-late", 3, history[0].id))
    then = await world.committees.case_at_meeting(
        MEMBER, "75", meeting.meeting_id, "case-1", REVIEW
    )
    assert then.case_hash == meeting.cases[0].case_hash
    assert [e.event_id for e in then.entries] == [e.id for e in history]
    with pytest.raises(CaseNotVisible):
        await world.committees.case_at_meeting(MEMBER, "75", meeting.meeting_id, "case-2", REVIEW)


async def test_a_site_or_partner_subject_is_not_a_case() -> None:
    world = World()
    site = new_envelope(
        SiteRegistered(
            site_id="site-1",
            operator_org="op-1",
            departement="75",
            accepts_children=True,
            step_free_access=False,
        ),
        source="shelter",
        subject="site-1",
        aggregate_id="site-1",
        aggregate_version=1,
        actor=Actor(role=Role.SHELTER_OPERATOR, org="op-1"),
        jurisdiction="75",
        now=NOW,
    )
    await world.feed(*case_history("case-1"), site)
    with pytest.raises(CaseNotVisible):
        await world.reads.case_timeline(MEMBER, "site-1", REVIEW)
    page = await world.committees.cases(
        MEMBER, "75", kind=None, risk_level=None, limit=10, offset=0, purpose=REVIEW
    )
    assert [c.case_id for c in page.cases] == ["case-1"]
    assert [entry.case_ids for entry in world.logged()] == [["case-1"]]
