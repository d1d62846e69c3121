"""Every read of an order is logged (``access.logged``) before it is answered; refused reads log
nothing, and a read whose entry cannot be written fails (DESIGN.md section 6)."""

from __future__ import annotations

import pytest
from relais_events.catalogue.timeline import AccessLogged, AccessPurpose
from relais_events.envelope import Envelope, payload
from relais_events.pii import MemoryKeyStore
from relais_events.vocabulary import Role
from relais_kit.application import Acting, WritePath
from relais_kit.application.access_log import AccessLog
from relais_kit.store import EventStore, NewCommit, StoredCommit, events_of
from relais_protection_orders.application.order_stream import OrderNotFound
from relais_protection_orders.application.reads import read_dashboard, read_order

from .steps import ORDER, DelegatingStore, Harness, application, pending_order

POLICE = Acting(sub="user-7", role=Role.POLICE, org="ddsp-69", jurisdictions=frozenset({"69"}))
IN_75 = Acting(sub="user-7", role=Role.POLICE, org="ddsp-69", jurisdictions=frozenset({"75"}))
WHY = AccessPurpose.CASE_FOLLOW_UP


def access_log(h: Harness, store: EventStore | None = None) -> AccessLog:
    write_path = WritePath(
        store or h.store, MemoryKeyStore(), h.signer, h.clock, on_commit=h.committed.append
    )
    return AccessLog(write_path)


def accesses(h: Harness) -> list[Envelope]:
    return [
        Envelope.model_validate(e) for e in events_of(h.committed) if e["type"] == AccessLogged.TYPE
    ]


async def test_a_read_appends_one_access_logged_with_who_and_why(harness: Harness) -> None:
    h = harness
    await pending_order(h)
    before = await h.stream(ORDER)
    loaded = await read_order(ORDER, POLICE, WHY, handler=h.handler(), access_log=access_log(h))
    assert loaded.version == len(before)
    [entry] = accesses(h)
    event = payload(entry)
    assert isinstance(event, AccessLogged)
    assert (event.role, event.org, event.purpose) == (Role.POLICE, "ddsp-69", "case_follow_up")
    assert (event.resource, event.case_ids, event.subject_ref) == (
        "protection_order",
        [f"case-{ORDER}"],
        "user-7",
    )
    # Its own one-event stream, about the case, after the last event the reader saw.
    assert (entry.aggregateid, entry.aggregateversion) == (event.access_id, 1)
    assert entry.subject == f"case-{ORDER}"
    assert entry.dependson == (before[-1].id,)
    assert entry.hash is not None
    assert len(events_of(await h.store.load(event.access_id))) == 1
    assert await h.stream(ORDER) == before  # the order's own stream is untouched


async def test_each_read_is_its_own_entry(harness: Harness) -> None:
    h = harness
    await pending_order(h)
    log = access_log(h)
    for _ in range(2):
        await read_order(ORDER, POLICE, WHY, handler=h.handler(), access_log=log)
    assert len({e.aggregateid for e in accesses(h)}) == 2


@pytest.mark.parametrize("order_id", [ORDER, "op-missing"])
async def test_a_refused_read_appends_nothing(harness: Harness, order_id: str) -> None:
    h = harness
    await pending_order(h)
    committed = len(h.committed)
    with pytest.raises(OrderNotFound):
        await read_order(  # the order is in the 69
            order_id, IN_75, WHY, handler=h.handler(), access_log=access_log(h)
        )
    assert len(h.committed) == committed
    assert accesses(h) == []


class RefusingStore(DelegatingStore):
    async def append(self, commit: NewCommit) -> StoredCommit:
        raise ConnectionError("store down")


async def test_no_log_no_data(harness: Harness) -> None:
    h = harness
    await pending_order(h)
    with pytest.raises(ConnectionError):
        await read_order(
            ORDER,
            POLICE,
            WHY,
            handler=h.handler(),
            access_log=access_log(h, RefusingStore(h.store)),
        )
    with pytest.raises(ConnectionError):
        await read_dashboard(
            POLICE,
            WHY,
            ["69"],
            None,
            None,
            200,
            dashboard=h.dashboard,
            access_log=access_log(h, RefusingStore(h.store)),
        )


async def test_the_dashboard_logs_one_entry_naming_each_case_shown_once(harness: Harness) -> None:
    h = harness
    await pending_order(h, "op-1")
    second = application("op-2").model_copy(update={"case_id": "case-op-1"})  # same case
    await h.act("op-2", second)
    await pending_order(h, "op-3")
    rows = await read_dashboard(
        POLICE, WHY, ["69"], None, None, 200, dashboard=h.dashboard, access_log=access_log(h)
    )
    assert {r.order_id for r in rows} == {"op-1", "op-2", "op-3"}
    [logged] = [payload(e) for e in accesses(h)]  # one entry for the page, not one per row
    assert isinstance(logged, AccessLogged)
    assert sorted(logged.case_ids) == ["case-op-1", "case-op-3"]
    assert {e.jurisdiction for e in accesses(h)} == {"69"}


async def test_an_empty_dashboard_logs_nothing(harness: Harness) -> None:
    h = harness
    await pending_order(h)
    rows = await read_dashboard(
        POLICE, WHY, ["75"], None, None, 200, dashboard=h.dashboard, access_log=access_log(h)
    )
    assert rows == []
    assert accesses(h) == []
