"""What hangs FerretDB 1.x goes through one kit module each: indexes and bulk replaces."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from pymongo.asynchronous.database import AsyncDatabase
from relais_kit.batching import WriteBehind
from relais_kit.indexes import declare_index, is_ferretdb
from relais_kit.replacing import STATEMENTS_PER_COMMAND, replace_by_id

REPO = Path(__file__).resolve().parents[4]


def offenders(pattern: str, allowed: str) -> list[str]:
    sources = [
        p
        for root in ("libs", "services")
        for p in (REPO / root).rglob("src/**/*.py")
        if p.name != allowed
    ]
    assert len(sources) > 50, "the scan found the sources"
    found = re.compile(pattern)
    return [
        f"{p.relative_to(REPO)}:{n}"
        for p in sources
        for n, line in enumerate(p.read_text().splitlines(), 1)
        if found.search(line)
    ]


def test_no_adapter_creates_an_index_but_through_declare_index() -> None:
    assert offenders(r"\.create_index(es)?\(", "indexes.py") == [], "use declare_index"


def test_no_adapter_sends_a_bulk_update_but_through_replace_by_id() -> None:
    assert offenders(r"\b(ReplaceOne|UpdateOne|UpdateMany)\(|\.update_many\(", "replacing.py") == []


def test_a_command_of_a_hundred_statements_is_refused_before_it_is_sent() -> None:
    with pytest.raises(ValueError, match="1 to 99"):
        WriteBehind(None, max_batch=100)  # type: ignore[arg-type]


@pytest.mark.servers
async def test_declare_index_creates_nothing_on_ferretdb_and_the_index_on_mongodb(
    mongo_database: AsyncDatabase[dict[str, Any]],
) -> None:
    rows = mongo_database["rows"]
    await rows.insert_one({"_id": "a", "departement": "93"})
    await declare_index(rows, [("departement", 1)])
    names = {index["name"] async for index in await rows.list_indexes()}
    if await is_ferretdb(mongo_database.client):
        assert names == {"_id_"}
    else:
        assert names == {"_id_", "departement_1"}


@pytest.mark.servers
async def test_replacing_250_documents_takes_small_commands_and_keeps_the_server_answering(
    mongo_database: AsyncDatabase[dict[str, Any]],
) -> None:
    rows = mongo_database["rows"]
    await rows.insert_many([{"_id": i, "v": 0} for i in range(0, 250, 2)])  # half exist
    commands = await replace_by_id(rows, [{"_id": i, "v": 1} for i in range(250)])
    assert commands == -(-250 // STATEMENTS_PER_COMMAND)
    assert await rows.count_documents({"v": 1}) == 250
    assert (await mongo_database.client.admin.command("ping"))["ok"] == 1
