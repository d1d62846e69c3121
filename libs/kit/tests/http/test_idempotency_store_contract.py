"""One contract for every IdempotencyStore adapter: memory, and Mongo on the real server."""

from __future__ import annotations

import asyncio
import datetime as dt
import secrets
from collections.abc import AsyncIterator
from typing import Any

import pytest
from pymongo import AsyncMongoClient
from relais_kit.application import ManualClock
from relais_kit.http.idempotency_stores import (
    IdempotencyRecord,
    IdempotencyStore,
    MemoryIdempotencyStore,
    MongoIdempotencyStore,
    StoredAnswer,
)

LEASE = dt.timedelta(seconds=30)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC))


@pytest.fixture(params=["memory", pytest.param("mongo", marks=pytest.mark.servers)])
async def store(
    request: pytest.FixtureRequest, clock: ManualClock
) -> AsyncIterator[IdempotencyStore]:
    if request.param == "memory":
        yield MemoryIdempotencyStore(clock, LEASE)
        return
    servers: Any = request.getfixturevalue("servers")
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(servers.mongo_uri)
    database = client[servers.database(f"kit_idem_{secrets.token_hex(3)}")]
    try:
        yield MongoIdempotencyStore(database, clock=clock, lease=LEASE)
    finally:
        await client.drop_database(database.name)
        await client.close()


ANSWER = StoredAnswer(201, b'{"case_id":"c-1"}', (("content-type", "application/json"),))


async def test_the_first_claim_wins(store: IdempotencyStore) -> None:
    assert await store.claim("u1:k", "f1")
    assert not await store.claim("u1:k", "f1")
    assert not await store.claim("u1:k", "f2")
    record = await store.load("u1:k")
    assert record is not None
    assert (record.fingerprint, record.answer) == ("f1", None)


async def test_concurrent_claims_have_exactly_one_winner(store: IdempotencyStore) -> None:
    wins = await asyncio.gather(*(store.claim("u1:race", "f") for _ in range(8)))
    assert wins.count(True) == 1


async def test_a_completed_record_returns_its_answer(store: IdempotencyStore) -> None:
    await store.claim("u1:k2", "f1")
    await store.complete("u1:k2", ANSWER)
    record = await store.load("u1:k2")
    assert record is not None
    assert (record.fingerprint, record.answer) == ("f1", ANSWER)


async def test_keys_are_per_caller(store: IdempotencyStore) -> None:
    assert await store.claim("u1:same", "f")
    assert await store.claim("u2:same", "f")


async def test_a_released_claim_can_be_claimed_again(store: IdempotencyStore) -> None:
    await store.claim("u1:k3", "f1")
    await store.release("u1:k3")
    assert await store.load("u1:k3") is None
    assert await store.claim("u1:k3", "f2")


async def test_an_unknown_key_loads_nothing(store: IdempotencyStore) -> None:
    assert await store.load("u1:never") is None


async def pending(store: IdempotencyStore, record_id: str) -> IdempotencyRecord:
    record = await store.load(record_id)
    assert record is not None
    assert record.answer is None
    return record


async def test_a_claim_is_leased_and_not_taken_over_before_its_lease_ends(
    store: IdempotencyStore, clock: ManualClock
) -> None:
    await store.claim("u1:lease", "f")
    claimed = await pending(store, "u1:lease")
    assert claimed.leased_until == clock.now() + LEASE
    clock.advance(LEASE - dt.timedelta(seconds=1))
    assert not await store.take_over("u1:lease", claimed)
    assert await store.load("u1:lease") == claimed  # nothing written


async def test_a_crashed_claim_is_taken_over_by_exactly_one_repeat(
    store: IdempotencyStore, clock: ManualClock
) -> None:
    """Its claimer died mid-request: after the lease, one of the concurrent repeats (decided
    by the insert of a takeover document) holds a fresh claim; the key is not stuck."""
    await store.claim("u1:crash", "f")
    crashed = await pending(store, "u1:crash")
    clock.advance(LEASE)
    wins = await asyncio.gather(*(store.take_over("u1:crash", crashed) for _ in range(8)))
    assert wins.count(True) == 1
    taken = await pending(store, "u1:crash")
    assert taken.fingerprint == "f"
    assert taken.claim != crashed.claim
    assert taken.leased_until == clock.now() + LEASE
    assert not await store.take_over("u1:crash", crashed)  # that claim is over
    await store.complete("u1:crash", ANSWER)
    done = await store.load("u1:crash")
    assert done is not None
    assert done.answer == ANSWER
    clock.advance(LEASE * 2)
    assert not await store.take_over("u1:crash", done)  # an answered record is kept


async def test_a_takeover_is_per_claim_so_a_taker_that_crashes_is_taken_over_too(
    store: IdempotencyStore, clock: ManualClock
) -> None:
    await store.claim("u1:twice", "f")
    first = await pending(store, "u1:twice")
    clock.advance(LEASE)
    assert await store.take_over("u1:twice", first)
    second = await pending(store, "u1:twice")
    clock.advance(LEASE)
    assert await store.take_over("u1:twice", second)


async def test_a_released_or_answered_claim_is_not_taken_over(
    store: IdempotencyStore, clock: ManualClock
) -> None:
    await store.claim("u1:gone", "f")
    released = await pending(store, "u1:gone")
    await store.release("u1:gone")
    await store.claim("u1:slow", "f")
    slow = await pending(store, "u1:slow")
    await store.complete("u1:slow", ANSWER)  # a claimer that outlived its lease answered
    clock.advance(LEASE)
    assert not await store.take_over("u1:gone", released)
    assert await store.load("u1:gone") is None
    assert not await store.take_over("u1:slow", slow)
    answered = await store.load("u1:slow")
    assert answered is not None
    assert answered.answer == ANSWER


async def test_old_records_are_purged_and_recent_ones_kept(
    store: IdempotencyStore, clock: ManualClock
) -> None:
    await store.claim("u1:old", "f")
    await store.complete("u1:old", ANSWER)
    await store.claim("u1:old-crash", "f")
    crashed = await pending(store, "u1:old-crash")
    clock.advance(LEASE)
    assert await store.take_over("u1:old-crash", crashed)  # one takeover document
    clock.advance(dt.timedelta(hours=1))
    cutoff = clock.now()
    await store.claim("u1:new", "f")
    clock.advance(dt.timedelta(hours=1))
    # The two old records, the takeover document (the taken-over record is rewritten at the
    # takeover's instant, before the cutoff, so it goes too).
    assert await store.purge(cutoff) == 3
    assert await store.load("u1:old") is None
    assert await store.load("u1:old-crash") is None
    assert await store.load("u1:new") is not None
    assert await store.purge(cutoff) == 0
    assert await store.claim("u1:old", "f2")  # a purged key runs again
