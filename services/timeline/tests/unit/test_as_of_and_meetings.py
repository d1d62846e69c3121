"""``as_of`` (what the log held then), watermarks, and a committee meeting's snapshot."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import reduce

import pytest
from relais_events.catalogue.timeline import PartitionOffset
from relais_timeline.domain.committee import as_known_at, hold_meeting, meeting_held
from relais_timeline.domain.errors import CaseNotInMeeting, OutsideDepartement
from relais_timeline.domain.summary import EventSummary, Origin
from relais_timeline.domain.timeline import (
    CaseTimeline,
    apply,
    as_of,
    chain,
    empty_timeline,
    within,
)

MakeEvent = Callable[..., EventSummary]
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
INTAKE = "relais.intake.v1"


def at(offset: int, topic: str = INTAKE) -> Origin:
    return Origin(topic=topic, partition=0, offset=offset)


def fold(events: list[EventSummary], case_id: str = "case-1") -> CaseTimeline:
    return reduce(apply, events, empty_timeline(case_id))


def test_as_of_keeps_what_the_log_held_then_including_held_events_released_later(
    event: MakeEvent,
) -> None:
    timeline = fold(
        [
            event("a", minute=0, logged_minute=1),
            event("c", minute=2, depends_on=("b",), logged_minute=3),  # held until b
            event("b", minute=1, logged_minute=10),
        ]
    )
    assert [e.event.event_id for e in as_of(timeline, T0 + dt.timedelta(minutes=5)).entries] == [
        "a"
    ]
    # c was logged at 3 but only knowable once b was logged, at 10.
    assert timeline.entry("c") is not None
    assert timeline.entry("c").known_at == T0 + dt.timedelta(minutes=10)  # type: ignore[union-attr]
    full = as_of(timeline, T0 + dt.timedelta(minutes=10))
    assert full.case_hash == timeline.case_hash
    assert as_of(timeline, T0).entries == ()


def test_the_watermark_is_the_greatest_offset_applied_per_partition(event: MakeEvent) -> None:
    timeline = fold(
        [
            event("a", origin=at(4)),
            event("b", origin=at(9)),
            event("c", origin=Origin(topic="relais.shelter.v1", partition=2, offset=1)),
        ]
    )
    assert timeline.watermark == (
        PartitionOffset(topic=INTAKE, partition=0, offset=9),
        PartitionOffset(topic="relais.shelter.v1", partition=2, offset=1),
    )


def test_within_a_watermark_keeps_entries_read_by_then_with_their_causes(
    event: MakeEvent,
) -> None:
    timeline = fold(
        [
            event("a", origin=at(1)),
            event("c", depends_on=("b",), origin=at(2)),
            event("b", origin=Origin(topic="relais.shelter.v1", partition=0, offset=7)),
        ]
    )
    view = within(timeline, [PartitionOffset(topic=INTAKE, partition=0, offset=2)])
    assert [e.event.event_id for e in view.entries] == ["a"]  # c needs b, not read by then


def test_a_meeting_snapshot_answers_what_the_committee_knew(event: MakeEvent) -> None:
    case_1 = fold([event("a", origin=at(1)), event("b", minute=1, origin=at(5))])
    case_2 = fold([event("x", origin=at(3))], case_id="case-2")
    meeting = hold_meeting("m-1", "75", T0, [case_2, case_1])
    assert [c.case_id for c in meeting.cases] == ["case-1", "case-2"]
    assert meeting.watermark == (PartitionOffset(topic=INTAKE, partition=0, offset=5),)

    later = reduce(
        apply,
        [event("late", minute=-30, origin=at(8)), event("d", minute=2, origin=at(9))],
        case_1,
    )
    known = as_known_at(meeting, later)
    assert [e.event.event_id for e in known.entries] == ["a", "b"]
    assert known.case_hash == meeting.snapshot_of("case-1").case_hash
    assert known.case_hash != later.case_hash

    held = meeting_held(meeting)
    assert held.held_on == dt.date(2026, 3, 2)
    assert [(c.case_id, c.hash) for c in held.case_hashes] == [
        ("case-1", case_1.case_hash),
        ("case-2", case_2.case_hash),
    ]


def test_a_meeting_takes_only_its_departements_cases(event: MakeEvent) -> None:
    elsewhere = fold([event("a", jurisdiction="93")])
    with pytest.raises(OutsideDepartement):
        hold_meeting("m-1", "75", T0, [elsewhere])
    meeting = hold_meeting("m-1", "75", T0, [])
    with pytest.raises(CaseNotInMeeting):
        as_known_at(meeting, elsewhere)


def test_a_meeting_held_late_in_the_evening_is_dated_in_paris(event: MakeEvent) -> None:
    meeting = hold_meeting("m-2", "75", dt.datetime(2026, 3, 2, 23, 30, tzinfo=dt.UTC), [])
    assert meeting_held(meeting).held_on == dt.date(2026, 3, 3)


def test_the_chain_of_no_entries_is_the_genesis(event: MakeEvent) -> None:
    assert chain("case-1", ()) == empty_timeline("case-1").case_hash
