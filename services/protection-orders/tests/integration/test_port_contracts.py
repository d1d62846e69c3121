"""One contract per port, run against the memory adapter and MongoDB/FerretDB alike."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pymongo import AsyncMongoClient
from relais_events.catalogue.protection_orders import (
    ApplicantKind,
    DeadlineKind,
    ProtectionOrderRequested,
)
from relais_events.envelope import Envelope, new_envelope
from relais_events.integrity import Signer
from relais_events.vocabulary import Actor, Role
from relais_infra.testing import Servers
from relais_kit.due import DueSchedule, Firing, Firings
from relais_kit.due.memory import MemoryDueSchedule, MemoryFirings
from relais_kit.due.mongo import MongoDueSchedule, MongoFirings
from relais_kit.store import ConcurrencyConflict, EventStore, NewCommit, events_of
from relais_kit.store.memory import MemoryEventStore
from relais_kit.store.mongo import MongoEventStore
from relais_protection_orders.adapters import memory
from relais_protection_orders.adapters.mongo_dashboard import MongoDashboard
from relais_protection_orders.application.ports import Dashboard, DashboardRow, ScheduledDeadline
from relais_protection_orders.bootstrap import DEADLINE_FIRINGS, DEADLINE_SCHEDULE

pytestmark = pytest.mark.servers
T0 = datetime(2025, 3, 5, 23, 0, 0, 123456, tzinfo=UTC)  # microseconds must survive


@dataclass
class Ports:
    store: EventStore
    schedule: DueSchedule[ScheduledDeadline]
    firings: Firings
    dashboard: Dashboard


@pytest.fixture(params=["memory", "mongo"])
async def ports(request: pytest.FixtureRequest, servers: Servers) -> AsyncIterator[Ports]:
    if request.param == "memory":
        yield Ports(
            MemoryEventStore(),
            MemoryDueSchedule[ScheduledDeadline](),
            MemoryFirings(),
            memory.MemoryDashboard(),
        )
        return
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(servers.mongo_uri)
    db = client[servers.database(f"po_ports_{secrets.token_hex(3)}")]
    try:
        yield Ports(
            MongoEventStore(db),
            MongoDueSchedule(db[DEADLINE_SCHEDULE], ScheduledDeadline),
            MongoFirings(db[DEADLINE_FIRINGS]),
            MongoDashboard(db),
        )
    finally:
        await client.close()


def entry(order: str, kind: DeadlineKind, due: datetime, version: int = 2) -> ScheduledDeadline:
    return ScheduledDeadline(order, kind, due, version, T0 - timedelta(days=2))


async def test_schedule_inserts_once_lists_due_earliest_first_and_removes(ports: Ports) -> None:
    late, early = (
        entry("op-1", DeadlineKind.RULING, T0 + timedelta(days=4)),
        entry("op-1", DeadlineKind.SERVICE, T0),
    )
    await ports.schedule.add([late, early])
    await ports.schedule.add([replace(early, scheduled_at=T0)])  # same key: kept as first
    assert await ports.schedule.due(T0 - timedelta(microseconds=1), 10) == []
    assert await ports.schedule.due(T0, 10) == [early]
    assert await ports.schedule.due(T0 + timedelta(days=9), 10) == [early, late]
    assert await ports.schedule.due(T0 + timedelta(days=9), 1) == [early]
    await ports.schedule.remove(early.key)
    await ports.schedule.remove(early.key)
    assert await ports.schedule.due(T0 + timedelta(days=9), 10) == [late]


async def test_firing_is_claimed_once_and_completed_by_its_claimer(ports: Ports) -> None:
    key = entry("op-1", DeadlineKind.SERVICE, T0).firing_key
    assert await ports.firings.get(key) is None
    assert await ports.firings.claim(Firing(key, "worker-a", T0))
    assert not await ports.firings.claim(Firing(key, "worker-b", T0))
    assert await ports.firings.get(key) == Firing(key, "worker-a", T0)
    await ports.firings.complete(key, T0 + timedelta(seconds=1))
    assert await ports.firings.get(key) == Firing(key, "worker-a", T0, T0 + timedelta(seconds=1))


def row(order: str, version: int, due: datetime | None, departement: str = "69") -> DashboardRow:
    return DashboardRow(
        order_id=order,
        case_id=f"case-{order}",
        departement=departement,
        status="hearing_scheduled" if due else "issued",
        version=version,
        next_deadline=DeadlineKind.SERVICE if due else None,
        next_due_at=due,
        flags=(),
        ruling_overdue=False,
        updated_at=T0,
    )


async def test_dashboard_keeps_the_newest_version_and_sorts_nearest_first(ports: Ports) -> None:
    await ports.dashboard.save(row("op-a", 3, T0 + timedelta(days=2)))
    await ports.dashboard.save(row("op-a", 2, T0))  # older: ignored
    await ports.dashboard.save(row("op-b", 1, T0 + timedelta(days=1)))
    await ports.dashboard.save(row("op-c", 5, None))
    await ports.dashboard.save(row("op-d", 1, T0, departement="75"))
    listed = await ports.dashboard.query(["69"], None, None, 10)
    assert [r.order_id for r in listed] == ["op-b", "op-a", "op-c"]
    assert listed[1] == row("op-a", 3, T0 + timedelta(days=2))
    assert [r.order_id for r in await ports.dashboard.query(["69"], "issued", None, 10)] == ["op-c"]
    due = await ports.dashboard.query(["69", "75"], None, T0 + timedelta(days=2), 10)
    assert [r.order_id for r in due] == ["op-d", "op-b"]
    assert await ports.dashboard.get("op-z") is None


def envelopes(order: str, first_version: int, count: int) -> list[Envelope]:
    signer = Signer("protection-orders", "k", Ed25519PrivateKey.generate())
    event = ProtectionOrderRequested(
        order_id=order, case_id="case-1", applicant=ApplicantKind.VICTIM, requested_at=T0
    )
    return [
        signer.seal(
            new_envelope(
                event,
                source="protection-orders",
                subject="case-1",
                aggregate_id=order,
                aggregate_version=first_version + n,
                actor=Actor(role=Role.JUSTICE_CLERK, org="tj"),
                jurisdiction="69",
                now=T0,
            ),
            None,
        )
        for n in range(count)
    ]


async def test_event_store_appends_commits_and_refuses_a_taken_version(ports: Ports) -> None:
    assert await ports.store.load("op-1") == []
    first, second = envelopes("op-1", 1, 2), envelopes("op-1", 3, 1)
    await ports.store.append(NewCommit.of(first))
    with pytest.raises(ConcurrencyConflict):
        await ports.store.append(NewCommit.of(envelopes("op-1", 1, 1)))
    await ports.store.append(NewCommit.of(second))
    loaded = events_of(await ports.store.load("op-1"))
    assert [Envelope.model_validate(e) for e in loaded] == first + second
    assert await ports.store.load("op-2") == []
