"""PyMongo's async API against the Mongo-compatible store: the operations the services rely on."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from pymongo import AsyncMongoClient, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError
from relais_infra.layout import Layout
from relais_infra.testing import Servers

pytestmark = pytest.mark.servers


@pytest.fixture
async def db(servers: Servers) -> AsyncIterator[AsyncDatabase[dict[str, Any]]]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(servers.mongo_uri)
    database = client[servers.database("infra")]
    yield database
    await client.drop_database(database.name)
    await client.close()


async def test_insert_and_find(db: AsyncDatabase[dict[str, Any]]) -> None:
    await db.cases.insert_many(
        [{"_id": f"c{i}", "dept": "75" if i % 2 else "13"} for i in range(6)]
    )
    assert await db.cases.find_one({"_id": "c3"}) == {"_id": "c3", "dept": "75"}
    in_paris = [d["_id"] async for d in db.cases.find({"dept": "75"}).sort("_id")]
    assert in_paris == ["c1", "c3", "c5"]


async def test_unique_index_rejects_a_second_writer(db: AsyncDatabase[dict[str, Any]]) -> None:
    await db.commits.create_index([("aggregate_id", 1), ("version", 1)], unique=True)
    await db.commits.insert_one({"aggregate_id": "case-1", "version": 1})
    with pytest.raises(DuplicateKeyError):
        await db.commits.insert_one({"aggregate_id": "case-1", "version": 1})
    await db.commits.insert_one({"_id": "case-1:0000000002"})
    with pytest.raises(DuplicateKeyError):
        await db.commits.insert_one({"_id": "case-1:0000000002"})
    assert await db.commits.count_documents({}) == 2


async def test_find_one_and_update_with_a_condition(db: AsyncDatabase[dict[str, Any]]) -> None:
    await db.relay.insert_one({"_id": "c:1", "published": False, "tries": 0})
    updated = await db.relay.find_one_and_update(
        {"_id": "c:1", "published": False},
        {"$set": {"published": True}, "$inc": {"tries": 1}},
        return_document=ReturnDocument.AFTER,
    )
    assert updated == {"_id": "c:1", "published": True, "tries": 1}
    # The condition no longer holds: nothing matches, nothing changes.
    again = await db.relay.find_one_and_update(
        {"_id": "c:1", "published": False}, {"$inc": {"tries": 1}}
    )
    assert again is None
    assert (await db.relay.find_one({"_id": "c:1"})) == {
        "_id": "c:1",
        "published": True,
        "tries": 1,
    }


async def test_aggregation_group_and_sum(db: AsyncDatabase[dict[str, Any]]) -> None:
    await db.nights.insert_many(
        [
            {"envelope": "e1", "nights": 3},
            {"envelope": "e1", "nights": 4},
            {"envelope": "e2", "nights": 5},
        ]
    )

    async def group(accumulator: dict[str, Any]) -> list[dict[str, Any]]:
        cursor = await db.nights.aggregate(
            [{"$group": {"_id": "$envelope", "v": accumulator}}, {"$sort": {"_id": 1}}]
        )
        return [d async for d in cursor]

    # One accumulator per $group stage: FerretDB 1.24 computes only the first accumulator of a
    # stage and returns 0 for the others (found here), so Relais never asks for two at once.
    assert await group({"$sum": "$nights"}) == [{"_id": "e1", "v": 7}, {"_id": "e2", "v": 5}]
    assert await group({"$sum": 1}) == [{"_id": "e1", "v": 2}, {"_id": "e2", "v": 1}]


async def test_every_collection_gets_an_index_on_the_id_lookup_expression(
    servers: Servers, db: AsyncDatabase[dict[str, Any]]
) -> None:
    """FerretDB 1.24 looks up `_id` by an expression its own index does not match (a scan per
    lookup); our launcher adds an index on that exact expression to every collection, also to
    a database dropped and created again under the same name (a new file)."""
    if servers.origin != "launcher":
        pytest.skip("only the local launcher's FerretDB carries the extra index")
    file = Layout.from_env().state_dir / "ferretdb" / "data" / f"{db.name}.sqlite"
    for _ in range(2):
        await db.streams.insert_one({"_id": "case-1:0000000001"})
        indexes = await _lookup_indexes(file)
        assert indexes, "no _id lookup index was created"
        assert "_ferretdb_sjson->'$._id'" in indexes[0]
        await db.client.drop_database(db.name)


async def _lookup_indexes(file: Path) -> list[str]:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            with contextlib.closing(sqlite3.connect(f"file:{file}?mode=ro", uri=True)) as conn:
                found = conn.execute(
                    "SELECT sql FROM sqlite_master WHERE type = 'index' AND name LIKE ?",
                    ("%_relais_id",),
                ).fetchall()
        except sqlite3.OperationalError:
            found = []  # FerretDB is still creating the file
        if found:
            return [row[0] for row in found]
        await asyncio.sleep(0.2)
    return []
