"""One contract per port, run against the memory adapter and the real Mongo-compatible store."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from functools import reduce
from typing import Any

import pytest
from pymongo import AsyncMongoClient
from relais_infra.testing import Servers
from relais_timeline.adapters.memory import (
    MemoryCommitteeCaseList,
    MemoryMeetingStore,
    MemoryTimelineStore,
)
from relais_timeline.adapters.mongo_meetings import MongoMeetingStore
from relais_timeline.adapters.mongo_timelines import MongoCommitteeCaseList, MongoTimelineStore
from relais_timeline.application.ports import (
    CommitteeCaseList,
    MeetingAlreadyHeld,
    MeetingStore,
    TimelineStore,
)
from relais_timeline.domain.committee import hold_meeting
from relais_timeline.domain.committee_case import CommitteeCase, OpenDeadline
from relais_timeline.domain.summary import EventSummary, Origin
from relais_timeline.domain.timeline import apply, empty_timeline

MakeEvent = Callable[..., EventSummary]
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Adapters:
    timelines: TimelineStore
    committee_cases: CommitteeCaseList
    meetings: MeetingStore


@pytest.fixture(params=["memory", pytest.param("mongo", marks=pytest.mark.servers)])
async def adapters(request: pytest.FixtureRequest) -> AsyncIterator[Adapters]:
    if request.param == "memory":
        yield Adapters(MemoryTimelineStore(), MemoryCommitteeCaseList(), MemoryMeetingStore())
        return
    servers: Servers = request.getfixturevalue("servers")
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(servers.mongo_uri)
    name = servers.database(f"tlc_{secrets.token_hex(3)}")
    database = client[name]
    cases = MongoCommitteeCaseList(database)
    await cases.ensure_indexes()
    try:
        yield Adapters(MongoTimelineStore(database), cases, MongoMeetingStore(database))
    finally:
        await client.drop_database(name)
        await client.close()


async def test_a_timeline_round_trips_by_case_id_and_is_replaced_whole(
    adapters: Adapters, event: MakeEvent
) -> None:
    store = adapters.timelines
    assert await store.get("case-1") is None
    origin = Origin(topic="t.relais.intake.v1", partition=3, offset=12)
    first = reduce(
        apply,
        [
            event("a", data={"answers": [{"question_id": "q1", "answer": "yes"}]}, origin=origin),
            event("c", depends_on=("b",), minute=2),
        ],
        empty_timeline("case-1"),
    )
    await store.put(first)
    assert await store.get("case-1") == first
    second = apply(first, event("b", minute=1))
    await store.put(second)
    loaded = await store.get("case-1")
    assert loaded == second
    assert loaded is not None
    assert [e.event.event_id for e in loaded.entries] == ["a", "b", "c"]
    assert await store.get("case-2") is None


async def test_adding_new_timelines_never_overwrites_one_that_exists(
    adapters: Adapters, event: MakeEvent
) -> None:
    store = adapters.timelines
    kept = apply(empty_timeline("case-1"), event("a"))
    await store.put(kept)
    presumed = [apply(empty_timeline(c), event(f"{c}-first")) for c in ("case-1", "case-2")]
    assert await store.add_new(presumed) == {"case-1"}
    assert await store.get("case-1") == kept
    assert await store.get("case-2") == presumed[1]
    assert await store.add_new([]) == set()


def row(case_id: str, departement: str = "75", **changes: Any) -> CommitteeCase:
    base = CommitteeCase(
        case_id=case_id,
        departement=departement,
        kind="conjugal_violence",
        risk_level="high",
        open=True,
        open_deadlines=(OpenDeadline(name="ruling", order_id="op-1", due_at=T0),),
        last_event_type="risk.assessed",
        last_event_time=T0,
        case_hash="0" * 64,
    )
    return base.model_copy(update=changes)


async def test_adding_new_committee_rows_never_overwrites_one_that_exists(
    adapters: Adapters,
) -> None:
    cases = adapters.committee_cases
    await cases.put(row("case-1", risk_level="medium"))
    assert await cases.add_new([row("case-1"), row("case-2")]) == {"case-1"}
    page = await cases.open_cases("75")
    assert [(c.case_id, c.risk_level) for c in page.cases] == [
        ("case-1", "medium"),
        ("case-2", "high"),
    ]


async def test_the_committee_list_filters_pages_and_keeps_one_row_per_case(
    adapters: Adapters,
) -> None:
    cases = adapters.committee_cases
    for index in range(5):
        await cases.put(row(f"case-{index}"))
    await cases.put(row("case-1", risk_level="medium"))  # replaced, not added
    await cases.put(row("case-9", departement="93"))
    await cases.put(row("case-8", open=False))
    await cases.put(row("case-7", kind="trafficking"))

    first = await cases.open_cases("75", limit=4)
    assert [c.case_id for c in first.cases] == ["case-0", "case-1", "case-2", "case-3"]
    assert first.next_offset == 4
    rest = await cases.open_cases("75", limit=4, offset=4)
    assert [c.case_id for c in rest.cases] == ["case-4", "case-7"]
    assert rest.next_offset is None
    assert first.cases[0] == row("case-0")

    medium = await cases.open_cases("75", risk_level="medium")
    assert [c.case_id for c in medium.cases] == ["case-1"]
    trafficking = await cases.open_cases("75", kind="trafficking")
    assert [c.case_id for c in trafficking.cases] == ["case-7"]
    assert [c.case_id for c in (await cases.open_cases("93")).cases] == ["case-9"]


async def test_a_meeting_is_written_once_and_read_back(
    adapters: Adapters, event: MakeEvent
) -> None:
    timeline = apply(
        empty_timeline("case-1"),
        event("a", origin=Origin(topic="t.relais.intake.v1", partition=0, offset=4)),
    )
    meeting = hold_meeting("m-1", "75", T0, [timeline])
    await adapters.meetings.add(meeting)
    assert await adapters.meetings.get("m-1") == meeting
    assert await adapters.meetings.get("m-2") is None
    with pytest.raises(MeetingAlreadyHeld):
        await adapters.meetings.add(meeting)
