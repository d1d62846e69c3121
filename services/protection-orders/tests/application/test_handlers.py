"""The write path: one sealed, chained commit per decision; rule violations write nothing."""

from __future__ import annotations

import asyncio
import base64

import pytest
from cryptography.hazmat.primitives import serialization
from relais_events.catalogue.protection_orders import DeadlineKind, Measure, NationalFile
from relais_events.integrity import verify_stream
from relais_events.keyregistry import KeyRegistry, PublicKeyEntry
from relais_kit.application import AggregateBusy
from relais_kit.store import ConcurrencyConflict, NewCommit, Snapshot, StoredCommit
from relais_protection_orders.application.dashboard import list_orders
from relais_protection_orders.application.order_stream import OrderNotFound
from relais_protection_orders.domain import errors
from relais_protection_orders.domain.commands import RegisterInNationalFile

from .steps import (
    ISSUED,
    ORDER,
    RULING_DUE,
    SERVICE_DUE,
    START,
    DelegatingStore,
    Harness,
    application,
    clerk,
    hearing,
    issued,
    notified,
    paris,
    pending_order,
    served,
)


def registry(h: Harness) -> KeyRegistry:
    raw = h.signer.private_key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    entry = PublicKeyEntry(
        key_id=h.signer.key_id,
        public_key=base64.b64encode(raw).decode(),
        valid_from=paris(1, 1, 0),
    )
    return KeyRegistry({"protection-orders": (entry,)})


async def test_each_decision_is_one_sealed_chained_commit(harness: Harness) -> None:
    await pending_order(harness)
    await harness.act(ORDER, served())
    await harness.act(ORDER, issued(ISSUED, Measure.NO_CONTACT, Measure.WEAPON_BAN))
    stream = await harness.stream(ORDER)
    assert [e.aggregateversion for e in stream] == [1, 2, 3, 4]
    assert verify_stream(stream, registry(harness)) == []
    assert {e.jurisdiction for e in stream} == {"69"}
    assert {e.subject for e in stream} == {f"case-{ORDER}"}
    assert stream[1].dependson == (stream[0].id,)


async def test_a_rule_violation_writes_nothing(harness: Harness) -> None:
    await pending_order(harness)
    before = (await harness.stream(ORDER), harness.schedule.entries())
    row = await harness.dashboard.get(ORDER)
    harness.clock.set(paris(3, 5))
    with pytest.raises(errors.RulingBeforeApplication):
        await harness.handler().handle(ORDER, issued(paris(3, 2)), clerk())
    assert (await harness.stream(ORDER), harness.schedule.entries()) == before
    assert await harness.dashboard.get(ORDER) == row


async def test_a_command_on_an_unknown_order_is_refused(harness: Harness) -> None:
    with pytest.raises(OrderNotFound):
        await harness.handler().handle("op-none", served(), clerk())


async def test_the_hearing_schedules_service_and_ruling_before_its_commit(
    harness: Harness,
) -> None:
    await pending_order(harness)
    scheduled = {(e.kind, e.due_at, e.version) for e in harness.schedule.entries()}
    assert scheduled == {
        (DeadlineKind.SERVICE, SERVICE_DUE, 2),
        (DeadlineKind.RULING, RULING_DUE, 2),
    }


class InterleavingStore(DelegatingStore):
    """Yields to the loop between load and append, so concurrent commands really race."""

    def __init__(self, inner: Harness) -> None:
        super().__init__(inner.store)
        self.conflicts = 0

    async def load(self, aggregate_id: str, after_version: int = 0) -> list[StoredCommit]:
        stream = await self.inner.load(aggregate_id, after_version)
        await asyncio.sleep(0)
        return stream

    async def snapshot(self, aggregate_id: str) -> Snapshot | None:
        found = await self.inner.snapshot(aggregate_id)
        await asyncio.sleep(0)
        return found

    async def append(self, commit: NewCommit) -> StoredCommit:
        try:
            return await self.inner.append(commit)
        except ConcurrencyConflict:
            self.conflicts += 1
            raise


async def test_concurrent_commands_reload_and_retry(harness: Harness) -> None:
    await pending_order(harness)
    await harness.act(ORDER, served())
    await harness.act(ORDER, issued(ISSUED, Measure.NO_CONTACT, Measure.WEAPON_BAN))
    harness.clock.set(paris(3, 8))
    store = InterleavingStore(harness)
    handler = harness.handler(store)
    prosecutor = clerk()
    commands = [
        RegisterInNationalFile(actor="prosecutor", at=paris(3, 8), file=f) for f in NationalFile
    ]
    await asyncio.gather(*(handler.handle(ORDER, c, prosecutor) for c in commands))
    assert store.conflicts >= 1
    assert harness.types(ORDER)[-2:] == ["protection_order.registered"] * 2
    assert [e.aggregateversion for e in await harness.stream(ORDER)] == [1, 2, 3, 4, 5, 6]


async def test_contention_beyond_the_bound_is_a_conflict(harness: Harness) -> None:
    await pending_order(harness)

    class AlwaysTaken(InterleavingStore):
        async def append(self, commit: NewCommit) -> StoredCommit:
            raise ConcurrencyConflict(commit.aggregate_id, commit.version)

    handler = harness.handler(AlwaysTaken(harness))
    harness.clock.set(paris(3, 4, 11))
    with pytest.raises(AggregateBusy):
        await handler.handle(ORDER, served(), clerk())


async def test_dashboard_lists_nearest_deadline_first(harness: Harness) -> None:
    await pending_order(harness, "op-a")
    await harness.act("op-b", application("op-b", START))
    await harness.act("op-c", application("op-c", START))
    await harness.act("op-c", hearing(paris(3, 3, 9, 30)))
    await harness.act("op-a", served(paris(3, 4, 9)))
    rows = await list_orders(harness.dashboard, ["69"])
    # op-c: service due end of 5 March; op-a (served): ruling end of 9 March; op-b: none.
    assert [r.order_id for r in rows] == ["op-c", "op-a", "op-b"]
    assert rows[0].next_deadline is DeadlineKind.SERVICE
    assert [r.order_id for r in await list_orders(harness.dashboard, ["69"], "requested")] == [
        "op-b"
    ]
    due = await list_orders(harness.dashboard, ["69"], due_before=paris(3, 7))
    assert [r.order_id for r in due] == ["op-c"]
    assert await list_orders(harness.dashboard, ["75"]) == []
    assert await list_orders(harness.dashboard, []) == []


async def test_notification_starts_the_term(harness: Harness) -> None:
    await pending_order(harness)
    await harness.act(ORDER, served())
    await harness.act(ORDER, issued())
    outcome = await harness.act(ORDER, notified())
    assert outcome.loaded.state.expires_at == paris(3, 11, 0, year=2026)
