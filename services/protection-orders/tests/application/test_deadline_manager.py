"""The deadline process manager on memory adapters: each deadline fires once, never before it
is due, never after it stopped applying; replicas and crashes do not change that."""

from __future__ import annotations

import asyncio
from datetime import UTC, timedelta

import pytest
from relais_events.catalogue.protection_orders import DeadlineKind
from relais_kit.due import Visit
from relais_kit.store import EventStore, NewCommit, StoredCommit
from relais_protection_orders.domain.commands import RequestProvisionalOrder

from .steps import (
    EXPIRES,
    ORDER,
    RULING_DUE,
    SERVICE_DUE,
    DelegatingStore,
    Harness,
    clerk,
    issued,
    notified,
    paris,
    pending_order,
    served,
)

SECOND = timedelta(seconds=1)
FIRING = f"{ORDER}:service:{SERVICE_DUE.astimezone(UTC).isoformat()}"


async def test_a_lapse_fires_once_at_its_due_instant_not_before(harness: Harness) -> None:
    await pending_order(harness)
    manager = harness.manager()
    harness.clock.set(SERVICE_DUE - SECOND)
    assert await manager.tick() == []
    harness.clock.set(SERVICE_DUE)
    assert await manager.tick() == [Visit.FIRED]
    assert harness.types(ORDER)[-1] == "protection_order.lapsed"
    harness.clock.set(RULING_DUE + timedelta(days=30))
    # The ruling deadline stopped applying with the lapse: dropped, nothing emitted.
    assert await manager.tick() == [Visit.CLOSED]
    assert await manager.tick() == []
    assert harness.types(ORDER).count("protection_order.lapsed") == 1
    assert "protection_order.ruling_overdue" not in harness.types(ORDER)


async def test_service_in_time_means_no_lapse_and_a_ruling_overdue(harness: Harness) -> None:
    await pending_order(harness)
    await harness.act(ORDER, served())
    manager = harness.manager()
    harness.clock.set(RULING_DUE)
    assert sorted(await manager.tick()) == sorted([Visit.CLOSED, Visit.FIRED])
    assert harness.types(ORDER)[-1] == "protection_order.ruling_overdue"
    row = await harness.dashboard.get(ORDER)
    assert row is not None
    assert row.ruling_overdue
    assert row.next_due_at is None
    harness.clock.advance(timedelta(days=1))
    assert await manager.tick() == []


async def test_full_life_until_expiry(harness: Harness) -> None:
    await pending_order(harness)
    manager = harness.manager()
    await harness.act(ORDER, served())
    await harness.act(ORDER, issued())
    await harness.act(ORDER, notified())
    # Notified on 10 March, after both 2-day delays (end of 9 March): the flags the manager
    # would have raised then (not notified, FPR missing) come first, with the notification.
    assert harness.types(ORDER)[-3:] == [
        "protection_order.flagged",
        "protection_order.flagged",
        "protection_order.notified",
    ]
    harness.clock.set(EXPIRES - SECOND)
    await manager.tick()
    assert "protection_order.expired" not in harness.types(ORDER)
    harness.clock.set(EXPIRES)
    assert await manager.tick() == [Visit.FIRED]
    assert harness.types(ORDER)[-1] == "protection_order.expired"
    harness.clock.advance(timedelta(days=400))
    assert await manager.tick() == []
    assert harness.types(ORDER).count("protection_order.expired") == 1
    assert harness.types(ORDER).count("protection_order.flagged") == 2  # never twice


async def test_oppi_overdue_then_ended_by_the_ruling(harness: Harness) -> None:
    await pending_order(harness)
    requested_at = paris(3, 3, 11)
    oppi = RequestProvisionalOrder(actor="prosecutor", victim_agreement=True, at=requested_at)
    await harness.act(ORDER, oppi)
    await harness.act(ORDER, served())
    manager = harness.manager()
    harness.clock.set(requested_at + timedelta(hours=24))
    assert await manager.tick() == [Visit.FIRED]
    assert harness.types(ORDER)[-1] == "provisional_order.overdue"
    await harness.act(ORDER, issued())
    assert harness.types(ORDER)[-2:] == ["protection_order.issued", "provisional_order.ended"]


class GatedStore(DelegatingStore):
    """Holds every append until the test opens the gate: a process stuck (then killed)
    between claiming a firing and committing its events."""

    def __init__(self, inner: EventStore) -> None:
        super().__init__(inner)
        self.gate, self.waiting = asyncio.Event(), asyncio.Event()

    async def append(self, commit: NewCommit) -> StoredCommit:
        self.waiting.set()
        await self.gate.wait()
        return await self.inner.append(commit)


async def kill_while_firing(harness: Harness, owner: str) -> None:
    gated = GatedStore(harness.store)
    task = asyncio.create_task(harness.manager(owner, gated).tick())
    await gated.waiting.wait()
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert await harness.firings.get(FIRING) is not None


async def test_killed_after_claiming_another_replica_refires_after_the_lease(
    harness: Harness,
) -> None:
    await pending_order(harness)
    harness.clock.set(SERVICE_DUE)
    await kill_while_firing(harness, "worker-a")
    other = harness.manager("worker-b")
    assert await other.tick() == [Visit.IN_FLIGHT]  # a live claim is respected
    harness.clock.advance(timedelta(minutes=1))
    assert await other.tick() == [Visit.REFIRED]
    assert await other.tick() == []
    assert harness.types(ORDER).count("protection_order.lapsed") == 1


async def test_killed_replica_restarted_under_its_name_recovers_at_once(harness: Harness) -> None:
    await pending_order(harness)
    harness.clock.set(SERVICE_DUE)
    await kill_while_firing(harness, "worker-a")
    assert await harness.manager("worker-a").tick() == [Visit.REFIRED]
    firing = await harness.firings.get(FIRING)
    assert firing is not None
    assert firing.completed_at is not None
    assert harness.types(ORDER).count("protection_order.lapsed") == 1


async def test_killed_before_due_then_restarted_fires_once(harness: Harness) -> None:
    await pending_order(harness)
    stop, three_ticks = asyncio.Event(), asyncio.Event()
    ticks: list[float] = []

    async def pause(seconds: float) -> None:
        ticks.append(seconds)
        if len(ticks) == 3:
            three_ticks.set()
        await asyncio.sleep(0)

    task = asyncio.create_task(harness.manager().run(5.0, stop, pause))
    await three_ticks.wait()
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert harness.types(ORDER)[-1] == "protection_order.hearing_scheduled"
    harness.clock.set(SERVICE_DUE)
    assert await harness.manager().tick() == [Visit.FIRED]
    assert harness.types(ORDER).count("protection_order.lapsed") == 1


async def test_two_replicas_racing_fire_each_deadline_once(harness: Harness) -> None:
    for n in range(5):
        await pending_order(harness, f"op-{n}")
    harness.clock.set(SERVICE_DUE)
    replicas = [harness.manager(f"worker-{n}") for n in range(3)]
    await asyncio.gather(*(r.tick() for r in replicas))
    await asyncio.gather(*(r.tick() for r in replicas))
    assert harness.types().count("protection_order.lapsed") == 5


async def test_an_entry_whose_commit_never_landed_is_dropped_after_the_lease(
    harness: Harness,
) -> None:
    await pending_order(harness)

    class Crashing(GatedStore):
        async def append(self, commit: NewCommit) -> StoredCommit:
            raise RuntimeError("process died before its commit")

    # An OPPI request recorded a day late: its 24 hours are already over when it is scheduled.
    harness.clock.set(paris(3, 4, 12))
    oppi = RequestProvisionalOrder(actor="prosecutor", victim_agreement=True, at=paris(3, 3, 11))
    with pytest.raises(RuntimeError):
        await harness.handler(Crashing(harness.store)).handle(ORDER, oppi, clerk())
    [orphan] = [e for e in harness.schedule.entries() if e.version == 3]
    assert orphan.kind is DeadlineKind.PROVISIONAL_DECISION
    manager = harness.manager()
    assert await manager.tick() == [Visit.PENDING]  # its commit may still be on its way
    harness.clock.advance(timedelta(minutes=1))
    assert await manager.tick() == [Visit.ABANDONED]
    assert orphan not in harness.schedule.entries()
    assert "provisional_order.overdue" not in harness.types(ORDER)
