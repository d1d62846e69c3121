"""One contract for every EventStore / ProcessedEvents adapter (memory, and Mongo on FerretDB)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from relais_events.envelope import Envelope
from relais_kit.store import ConcurrencyConflict, EventStore, NewCommit, ProcessedEvents
from relais_kit.store.memory import MemoryEventStore, MemoryProcessedEvents
from relais_kit.store.mongo import MongoEventStore, MongoProcessedEvents

from .conftest import ADAPTERS

Reports = Callable[[str, int], Envelope]


@pytest.fixture(params=ADAPTERS)
def adapter(request: pytest.FixtureRequest) -> EventStore:
    if request.param == "memory":
        return MemoryEventStore()
    return MongoEventStore(request.getfixturevalue("mongo_database"))


@pytest.fixture
async def store(adapter: EventStore) -> EventStore:
    # As in production: the unique and outbox indexes exist before the first append.
    if isinstance(adapter, MongoEventStore):
        await adapter.ensure_indexes()
    return adapter


@pytest.fixture(params=ADAPTERS)
def processed(request: pytest.FixtureRequest) -> ProcessedEvents:
    if request.param == "memory":
        return MemoryProcessedEvents()
    return MongoProcessedEvents(request.getfixturevalue("mongo_database"))


def commit(reports: Reports, case_id: str, first: int, count: int = 1) -> NewCommit:
    return NewCommit.of([reports(case_id, v) for v in range(first, first + count)])


async def test_append_then_load_in_version_order(store: EventStore, reports: Reports) -> None:
    await store.append(commit(reports, "case-1", 1, 2))
    await store.append(commit(reports, "case-2", 1))
    third = await store.append(commit(reports, "case-1", 3))
    assert third.id == "case-1:0000000003"
    assert third.topic == "relais.intake.v1"

    loaded = await store.load("case-1")
    assert [c.version for c in loaded] == [1, 3]
    assert [e["aggregateversion"] for c in loaded for e in c.events] == [1, 2, 3]
    assert [c.version for c in await store.load("case-1", after_version=2)] == [3]
    assert await store.load("case-1", after_version=3) == []
    assert await store.load("case-unknown") == []


async def test_a_taken_version_is_a_typed_conflict(store: EventStore, reports: Reports) -> None:
    await store.append(commit(reports, "case-1", 1))
    # A one-event and a two-event commit made from the same expected version race for one `_id`.
    with pytest.raises(ConcurrencyConflict) as raised:
        await store.append(commit(reports, "case-1", 1, 2))
    assert (raised.value.aggregate_id, raised.value.version) == ("case-1", 1)
    assert len(await store.load("case-1")) == 1


async def test_concurrent_appends_of_one_version_have_one_winner(
    store: EventStore, reports: Reports
) -> None:
    results = await asyncio.gather(
        *(store.append(commit(reports, "case-1", 1)) for _ in range(8)), return_exceptions=True
    )
    winners = [r for r in results if not isinstance(r, BaseException)]
    assert len(winners) == 1
    assert all(isinstance(r, ConcurrencyConflict) for r in results if r not in winners)
    assert [c.events for c in await store.load("case-1")] == [winners[0].events]


def test_a_commit_refuses_events_that_do_not_follow_its_version(reports: Reports) -> None:
    with pytest.raises(ValueError, match="do not follow"):
        NewCommit.of([reports("case-1", 1), reports("case-1", 3)])


async def test_unpublished_keeps_order_per_aggregate(store: EventStore, reports: Reports) -> None:
    for version in (1, 2, 3):
        for case_id in ("case-b", "case-a", "case-c"):
            await store.append(commit(reports, case_id, version))
    waiting = await store.unpublished(100)
    assert len(waiting) == 9
    for case_id in ("case-a", "case-b", "case-c"):
        assert [c.version for c in waiting if c.aggregate_id == case_id] == [1, 2, 3]
    first = await store.unpublished(4)
    assert [c.id for c in first] == [c.id for c in waiting[:4]]
    rest = await store.unpublished(100, after=first[-1].id)
    assert [c.id for c in first + rest] == [c.id for c in waiting]


async def test_mark_published_by_id(store: EventStore, reports: Reports) -> None:
    stored = [await store.append(commit(reports, "case-1", v)) for v in (1, 2, 3)]
    await store.mark_published([stored[0].id, stored[1].id, "case-1:0000000099"])
    assert [c.id for c in await store.unpublished(10)] == [stored[2].id]
    got = await store.get(stored[0].id)
    assert got is not None
    assert got.published
    assert [c.version for c in await store.unpublished_of(["case-1", "case-9"])] == [3]
    assert await store.get("case-1:0000000042") is None


async def test_a_claim_is_taken_once(processed: ProcessedEvents) -> None:
    assert not await processed.is_claimed("timeline", "ev-1")
    assert await processed.try_claim("timeline", "ev-1", {"case_id": "case-1"})
    assert await processed.is_claimed("timeline", "ev-1")
    assert not await processed.try_claim("timeline", "ev-1")
    # Each consumer has its own claims.
    assert await processed.try_claim("shelter", "ev-1")


async def test_concurrent_claims_have_one_winner(processed: ProcessedEvents) -> None:
    results = await asyncio.gather(*(processed.try_claim("timeline", "ev-9") for _ in range(8)))
    assert sorted(results) == [False] * 7 + [True]


async def test_published_commits_of_a_range_are_purged_and_others_kept(
    store: EventStore, reports: Reports
) -> None:
    """The access-log retention sweep: only published commits of the id range go."""
    kept_out = await store.append(commit(reports, "access-9", 1))  # beyond the range
    inside = [await store.append(commit(reports, f"access-{n}", 1)) for n in range(1, 4)]
    other = await store.append(commit(reports, "case-1", 1))
    await store.mark_published([inside[0].id, inside[1].id, kept_out.id, other.id])
    assert await store.purge_published("access-", "access-5") == 2
    assert await store.load("access-1") == []
    assert await store.load("access-2") == []
    assert [c.id for c in await store.load("access-3")] == [inside[2].id]  # not published yet
    assert await store.load("access-9") != []
    assert await store.load("case-1") != []
    assert await store.get(inside[0].id) is None
    assert await store.purge_published("access-", "access-5") == 0
