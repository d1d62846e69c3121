"""Through the HTTP API on real Kafka and FerretDB: the legal paths of an order, the process
manager firing on a hand-moved clock, and the events on the topic in order."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from .harness import Api, paris

pytestmark = pytest.mark.servers

ORDERS = "/v1/protection-orders"


async def file_application(api: Api, order_id: str, at_hour: int = 9) -> None:
    api.clock.set(paris(3, 3, at_hour, 30))
    body = {
        "order_id": order_id,
        "case_id": f"case-{order_id}",
        "departement": "69",
        "applicant": "victim",
        "at": paris(3, 3, at_hour).isoformat(),
    }
    answer = await api.post(ORDERS, body)
    assert answer.status_code == 201, answer.text
    hearing = {"at": paris(3, 3, 10).isoformat(), "hearing_at": paris(3, 7, 9).isoformat()}
    api.clock.set(paris(3, 3, 10, 30))
    answer = await api.post(f"{ORDERS}/{order_id}/hearing", hearing)
    assert answer.status_code == 200, answer.text


async def step(api: Api, path: str, body: Mapping[str, Any], *roles: str) -> dict[str, Any]:
    at = body["at"]
    assert isinstance(at, str)
    api.clock.set(datetime.fromisoformat(at) + timedelta(minutes=5))
    answer = await api.post(path, body, *roles)
    assert answer.status_code == 200, answer.text
    result: dict[str, Any] = answer.json()
    return result


async def test_application_to_expiry(api: Api) -> None:
    order = "op-life"
    await file_application(api, order)
    base = f"{ORDERS}/{order}"
    await step(api, f"{base}/service", {"at": paris(3, 4, 10).isoformat()})
    ruling = {
        "at": paris(3, 7, 14).isoformat(),
        "decision": "issued",
        "measures": ["no_contact", "weapon_ban"],
        "duration_months": 12,
    }
    issued = await step(api, f"{base}/ruling", ruling)
    assert issued["enforceable_now"] is False  # not yet notified: the defendant is not bound
    notified = await step(api, f"{base}/notification", {"at": paris(3, 8, 9).isoformat()})
    assert notified["enforceable_now"] is True
    for file in ("FPR", "FINIADA"):
        body = {"at": paris(3, 8, 11).isoformat(), "file": file}
        await step(api, f"{base}/registrations", body, "prosecutor")
    api.clock.set(paris(3, 9, 0, year=2026) - timedelta(seconds=1))
    await api.service.manager.tick()
    view = (await api.get(base, "committee_member")).json()
    assert view["status"] == "issued"
    assert view["enforceable_now"] is True
    assert [d["kind"] for d in view["open_deadlines"]] == ["expiry"]
    api.clock.set(paris(3, 9, 0, year=2026))  # end of 8 March 2026, 12 months on
    await api.service.manager.tick()
    await api.service.manager.tick()
    view = (await api.get(base, "police")).json()
    assert view["status"] == "expired"
    assert view["enforceable_now"] is False
    events = await api.published(f"case-{order}", 8)
    assert [e.type for e in events] == [
        "protection_order.requested",
        "protection_order.hearing_scheduled",
        "protection_order.summons_served",
        "protection_order.issued",
        "protection_order.notified",
        "protection_order.registered",
        "protection_order.registered",
        "protection_order.expired",
    ]
    assert [e.aggregateversion for e in events] == list(range(1, 9))
    assert events[-1].actor.role == "system"


async def test_lapsed_when_not_served_in_time(api: Api) -> None:
    order = "op-lapse"
    await file_application(api, order)
    api.clock.set(paris(3, 6, 0))  # end of Wed 5 March: the 2 days are over
    await api.service.manager.tick()
    view = (await api.get(f"{ORDERS}/{order}")).json()
    assert view["status"] == "lapsed"
    assert view["open_deadlines"] == []
    api.clock.set(paris(3, 20))
    await api.service.manager.tick()
    events = await api.published(f"case-{order}", 3)
    assert [e.type for e in events] == [
        "protection_order.requested",
        "protection_order.hearing_scheduled",
        "protection_order.lapsed",
    ]
    rows = (await api.get(f"{ORDERS}?status=lapsed")).json()
    assert [r["order_id"] for r in rows] == [order]


async def test_ruling_overdue_is_flagged_once(api: Api) -> None:
    order = "op-late"
    await file_application(api, order)
    await step(api, f"{ORDERS}/{order}/service", {"at": paris(3, 4, 10).isoformat()})
    due_before = {"due_before": paris(3, 11).astimezone(UTC).isoformat()}
    rows = (await api.get(ORDERS, params=due_before)).json()
    assert rows[0]["next_deadline"] == "ruling"
    api.clock.set(paris(3, 10, 0))
    await api.service.manager.tick()
    await api.service.manager.tick()
    view = (await api.get(f"{ORDERS}/{order}")).json()
    assert view["ruling_overdue"] is True
    events = await api.published(f"case-{order}", 4)
    assert [e.type for e in events][-1] == "protection_order.ruling_overdue"
    assert [e.type for e in events].count("protection_order.ruling_overdue") == 1


async def test_oppi_ends_with_the_ruling(api: Api) -> None:
    order = "op-oppi"
    await file_application(api, order)
    base = f"{ORDERS}/{order}"
    oppi = {"at": paris(3, 3, 11).isoformat(), "victim_agreement": True}
    await step(api, f"{base}/provisional-order", oppi, "prosecutor")
    decision = {"at": paris(3, 3, 18).isoformat(), "decision": "issued", "measures": ["no_contact"]}
    view = await step(api, f"{base}/provisional-order/decision", decision)
    assert view["provisional"]["status"] == "issued"
    await step(api, f"{base}/service", {"at": paris(3, 4, 10).isoformat()})
    ruling = {"at": paris(3, 6, 14).isoformat(), "decision": "rejected"}
    view = await step(api, f"{base}/ruling", ruling)
    assert view["provisional"]["status"] == "ended"
    events = await api.published(f"case-{order}", 7)
    assert [e.type for e in events][-2:] == ["protection_order.rejected", "provisional_order.ended"]
