"""One contract per port, run against the memory adapter and MongoDB/FerretDB alike."""

from __future__ import annotations

import asyncio
import datetime as dt
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from pymongo import AsyncMongoClient
from relais_infra.testing import Servers
from relais_shelter.adapters import memory
from relais_shelter.adapters.mongo_ledgers import (
    MongoClaimLedger,
    MongoEnvelopeHoles,
    MongoSiteDirectory,
)
from relais_shelter.adapters.mongo_reservations import (
    MongoHoldings,
    MongoOperations,
    MongoReservations,
)
from relais_shelter.application.ports import (
    ClaimLedger,
    ClaimRecord,
    EnvelopeHoles,
    Holdings,
    Operation,
    OperationKind,
    Operations,
    Outcome,
    Reservations,
    SiteDirectory,
)

pytestmark = pytest.mark.servers
T0 = dt.datetime(2026, 3, 2, 8, 0, 0, 123456, tzinfo=dt.UTC)  # microseconds must survive
D = dt.date(2026, 3, 2)


@dataclass
class Ports:
    reservations: Reservations
    operations: Operations
    holdings: Holdings
    holes: EnvelopeHoles
    sites: SiteDirectory
    claims: ClaimLedger


@pytest.fixture(params=["memory", "mongo"])
async def ports(request: pytest.FixtureRequest, servers: Servers) -> AsyncIterator[Ports]:
    if request.param == "memory":
        yield Ports(
            memory.MemoryReservations(),
            memory.MemoryOperations(),
            memory.MemoryHoldings(),
            memory.MemoryEnvelopeHoles(),
            memory.MemorySiteDirectory(),
            memory.MemoryClaimLedger(),
        )
        return
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(servers.mongo_uri, tz_aware=True)
    db = client[servers.database(f"sh_ports_{secrets.token_hex(3)}")]
    try:
        yield Ports(
            MongoReservations(db),
            MongoOperations(db),
            MongoHoldings(db),
            MongoEnvelopeHoles(db),
            MongoSiteDirectory(db),
            MongoClaimLedger(db),
        )
    finally:
        await client.drop_database(db.name)
        await client.close()


async def test_a_key_is_held_by_the_first_insert_only(ports: Ports) -> None:
    assert await ports.reservations.insert(["a", "b"], "alloc-1") == set()
    assert await ports.reservations.insert(["b", "c", "d"], "alloc-2") == {"b"}
    assert await ports.reservations.holders(["a", "b", "c", "x"]) == {
        "a": "alloc-1",
        "b": "alloc-1",
        "c": "alloc-2",
    }
    assert await ports.reservations.insert([], "alloc-3") == set()


async def test_concurrent_inserts_of_one_key_have_one_winner(ports: Ports) -> None:
    lost = await asyncio.gather(*(ports.reservations.insert(["k"], f"h{i}") for i in range(20)))
    assert sum(1 for taken in lost if not taken) == 1


async def test_a_release_deletes_only_the_holders_keys(ports: Ports) -> None:
    await ports.reservations.insert(["a", "b"], "alloc-1")
    await ports.reservations.insert(["c"], "alloc-2")
    await ports.reservations.release(["a", "b", "c", "missing"], "alloc-1")
    assert await ports.reservations.holders(["a", "b", "c"]) == {"c": "alloc-2"}
    assert await ports.reservations.insert(["a"], "alloc-3") == set()  # free again


async def test_an_operation_is_listed_until_finished_and_its_outcome_decided_once(
    ports: Ports,
) -> None:
    op = Operation("alloc-1", OperationKind.ALLOCATE, "alloc-1", T0, ("a",), {"x": [1, "y"]})
    await ports.operations.begin(op)
    noted = Operation("alloc-1", OperationKind.ALLOCATE, "alloc-1", T0, ("a", "b"), {"x": [1]})
    await ports.operations.note(noted)
    later = Operation("claim-1", OperationKind.CLAIM, "claim-1", T0 + dt.timedelta(seconds=5))
    await ports.operations.begin(later)
    assert await ports.operations.started_before(T0) == []
    assert await ports.operations.started_before(T0 + dt.timedelta(seconds=1)) == [noted]
    assert await ports.operations.started_before(T0 + dt.timedelta(seconds=9)) == [noted, later]
    assert await ports.operations.decide("alloc-1", Outcome.COMMIT) is Outcome.COMMIT
    assert await ports.operations.decide("alloc-1", Outcome.ABANDON) is Outcome.COMMIT
    await ports.operations.finish("alloc-1")
    await ports.operations.finish("alloc-1")  # idempotent
    assert await ports.operations.started_before(T0 + dt.timedelta(seconds=9)) == [later]


async def test_concurrent_outcomes_agree_on_the_first(ports: Ports) -> None:
    outcomes = await asyncio.gather(
        *(
            ports.operations.decide("op", Outcome.COMMIT if i % 2 else Outcome.ABANDON)
            for i in range(10)
        )
    )
    assert len(set(outcomes)) == 1


async def test_holdings_are_kept_per_allocation(ports: Ports) -> None:
    assert await ports.holdings.of("alloc-1") == []
    await ports.holdings.keep("alloc-1", ["a", "b"])
    await ports.holdings.keep("alloc-1", ["a", "b"])  # a retry
    assert await ports.holdings.of("alloc-1") == ["a", "b"]


async def test_holes_are_listed_per_envelope_until_removed(ports: Ports) -> None:
    await ports.holes.add("env-1", [3, 1])
    await ports.holes.add("env-1", [3])
    await ports.holes.add("env-2", [0])
    assert await ports.holes.of("env-1") == [1, 3]
    await ports.holes.remove("env-1", 1)
    await ports.holes.remove("env-1", 1)
    assert await ports.holes.of("env-1") == [3]
    assert await ports.holes.of("env-3") == []


async def test_the_directory_lists_a_departements_sites_once(ports: Ports) -> None:
    for site, dep in (("site-b", "93"), ("site-a", "93"), ("site-c", "75"), ("site-b", "93")):
        await ports.sites.add(site, dep)
    assert await ports.sites.in_departement("93") == ["site-a", "site-b"]
    assert await ports.sites.in_departement("94") == []


async def test_the_ledger_keeps_each_claim_once_in_night_order(ports: Ports) -> None:
    second = ClaimRecord("claim-2", "env-1", D + dt.timedelta(days=1), "93", 2, 200, None, T0)
    first = ClaimRecord("claim-1", "env-1", D, "93", 0, 0, "envelope_exhausted", T0)
    other = ClaimRecord("claim-3", "env-2", D, "75", 1, 100, None, T0)
    for record in (second, first, other, second):
        await ports.claims.add(record)
    assert await ports.claims.of_envelope("env-1") == [first, second]
    assert first.accepted is False
    assert second.accepted is True
