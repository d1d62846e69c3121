"""Secondary indexes go through ``declare_index``: a createIndexes can hang FerretDB 1.x."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from pymongo.asynchronous.database import AsyncDatabase
from relais_kit.indexes import declare_index, is_ferretdb

REPO = Path(__file__).resolve().parents[4]
DIRECT = re.compile(r"\.create_index(es)?\(")


def test_no_adapter_creates_an_index_but_through_declare_index() -> None:
    sources = [
        p
        for root in ("libs", "services")
        for p in (REPO / root).rglob("src/**/*.py")
        if p.name != "indexes.py"
    ]
    assert len(sources) > 50, "the scan found the sources"
    offenders = [
        f"{p.relative_to(REPO)}:{n}"
        for p in sources
        for n, line in enumerate(p.read_text().splitlines(), 1)
        if DIRECT.search(line)
    ]
    assert offenders == [], "call relais_kit.indexes.declare_index instead"


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
