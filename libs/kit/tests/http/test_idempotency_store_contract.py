"""One contract for every IdempotencyStore adapter: memory, and Mongo on the real server."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator
from typing import Any

import pytest
from pymongo import AsyncMongoClient
from relais_kit.http.idempotency_stores import (
    IdempotencyRecord,
    IdempotencyStore,
    MemoryIdempotencyStore,
    MongoIdempotencyStore,
    StoredAnswer,
)


@pytest.fixture(params=["memory", pytest.param("mongo", marks=pytest.mark.servers)])
async def store(request: pytest.FixtureRequest) -> AsyncIterator[IdempotencyStore]:
    if request.param == "memory":
        yield MemoryIdempotencyStore()
        return
    servers: Any = request.getfixturevalue("servers")
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(servers.mongo_uri)
    database = client[servers.database(f"kit_idem_{secrets.token_hex(3)}")]
    try:
        yield MongoIdempotencyStore(database)
    finally:
        await client.drop_database(database.name)
        await client.close()


ANSWER = StoredAnswer(201, b'{"case_id":"c-1"}', (("content-type", "application/json"),))


async def test_the_first_claim_wins(store: IdempotencyStore) -> None:
    assert await store.claim("u1:k", "f1")
    assert not await store.claim("u1:k", "f1")
    assert not await store.claim("u1:k", "f2")
    assert await store.load("u1:k") == IdempotencyRecord("f1", None)


async def test_concurrent_claims_have_exactly_one_winner(store: IdempotencyStore) -> None:
    wins = await asyncio.gather(*(store.claim("u1:race", "f") for _ in range(8)))
    assert wins.count(True) == 1


async def test_a_completed_record_returns_its_answer(store: IdempotencyStore) -> None:
    await store.claim("u1:k2", "f1")
    await store.complete("u1:k2", ANSWER)
    assert await store.load("u1:k2") == IdempotencyRecord("f1", ANSWER)


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


async def test_a_stale_claim_is_taken_over_by_exactly_one_repeat(store: IdempotencyStore) -> None:
    assert await store.claim("u1:stale", "f")
    pending = await store.load("u1:stale")
    assert pending is not None
    assert pending.claimed_at is not None
    wins = await asyncio.gather(
        *(store.take_over("u1:stale", "f", pending.claimed_at) for _ in range(6))
    )
    assert wins.count(True) == 1
    taken = await store.load("u1:stale")
    assert taken is not None
    assert taken.answer is None
    assert taken.claimed_at is not None
    assert taken.claimed_at >= pending.claimed_at
