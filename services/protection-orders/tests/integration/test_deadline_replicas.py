"""The process manager on FerretDB: replicas and a killed manager fire each deadline once."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import timedelta

import pytest
from relais_kit.due import Visit
from relais_kit.store import EventStore, NewCommit, StoredCommit, events_of
from relais_kit.store.delegating import DelegatingEventStore
from relais_protection_orders.application.due_deadlines import DeadlineManager, DueDeadlines

from .harness import Api, paris
from .test_http_paths import file_application

pytestmark = pytest.mark.servers


def replica(api: Api, owner: str, store: EventStore | None = None) -> DeadlineManager:
    """Another manager over the same database, as a second worker process would build it."""
    base = api.service.manager
    handler = api.service.handler.over(store or api.service.handler.store)
    return DeadlineManager(
        DueDeadlines(handler), base.schedule, base.firings, owner, lease=base.lease
    )


async def lapses(api: Api, orders: Sequence[str]) -> int:
    total = 0
    for order in orders:
        stream = events_of(await api.service.handler.store.load(order))
        total += sum(e["type"] == "protection_order.lapsed" for e in stream)
    return total


async def test_two_replicas_fire_each_deadline_exactly_once(api: Api) -> None:
    orders = [f"op-rep-{n}" for n in range(4)]
    for order in orders:
        await file_application(api, order)
    api.clock.set(paris(3, 20))  # service and ruling deadlines of every order are due
    a, b = replica(api, "worker-a"), replica(api, "worker-b")
    visits = await asyncio.gather(a.tick(), b.tick())
    await asyncio.gather(a.tick(), b.tick())
    assert await lapses(api, orders) == len(orders)
    fired = [v for vs in visits for v in vs if v in (Visit.FIRED, Visit.REFIRED)]
    assert len(fired) == len(orders)  # one lapse each; the ruling target closed with it
    assert await a.tick() == []
    events = await api.published("case-op-rep-3", 3)
    assert [e.type for e in events].count("protection_order.lapsed") == 1


class GatedStore(DelegatingEventStore):
    """Appends wait for a gate the test never opens: the manager is killed right there,
    after inserting its firing and before committing."""

    def __init__(self, inner: EventStore) -> None:
        super().__init__(inner)
        self.reached = asyncio.Event()

    async def append(self, commit: NewCommit) -> StoredCommit:
        self.reached.set()
        await asyncio.Event().wait()
        raise AssertionError("never opened")


@pytest.mark.parametrize("restarted_as", ["worker-a", "worker-b"])
async def test_killed_between_claim_and_commit_still_fires_once(
    api: Api, restarted_as: str
) -> None:
    order = f"op-killed-{restarted_as}"
    await file_application(api, order)
    api.clock.set(paris(3, 6, 0))
    gated = GatedStore(api.service.handler.store)
    task = asyncio.create_task(replica(api, "worker-a", gated).tick())
    await gated.reached.wait()
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert await lapses(api, [order]) == 0
    manager = replica(api, restarted_as)
    if restarted_as != "worker-a":
        assert await manager.tick() == [Visit.IN_FLIGHT]  # the dead claim's lease runs
        api.clock.advance(timedelta(seconds=60))
    assert Visit.REFIRED in await manager.tick()
    await manager.tick()
    assert await lapses(api, [order]) == 1


async def test_killed_before_the_deadline_fires_once_after_restart(api: Api) -> None:
    order = "op-sleeper"
    await file_application(api, order)
    stop, ticked = asyncio.Event(), asyncio.Event()

    async def pause(seconds: float) -> None:
        ticked.set()
        await asyncio.sleep(0)

    task = asyncio.create_task(replica(api, "worker-a").run(30, stop, pause))
    await ticked.wait()
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    api.clock.set(paris(3, 6, 0))
    assert await replica(api, "worker-a").tick() == [Visit.FIRED]
    assert await lapses(api, [order]) == 1
