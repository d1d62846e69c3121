"""Issue 16 over HTTP on the real servers: a service made in time but recorded after the deadline
manager fired the lapse is accepted and annuls it; one dated at the deadline is refused.

Hearing fixed Fri 27 March 2026 10:00 Europe/Paris: service due before 2026-03-30T22:00Z (the
2 days end on Sun 29 March, the DST change, extended to Mon 30 March by CPC art. 642).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from .harness import Api, paris
from .test_http_paths import ORDERS

pytestmark = pytest.mark.servers

DUE = datetime(2026, 3, 30, 22, tzinfo=UTC)


async def lapsed_order(api: Api, order_id: str) -> str:
    api.clock.set(paris(3, 27, 9, 30, year=2026))
    application = {
        "order_id": order_id,
        "case_id": f"case-{order_id}",
        "departement": "69",
        "applicant": "victim",
        "at": paris(3, 27, 9, year=2026).isoformat(),
    }
    assert (await api.post(ORDERS, application)).status_code == 201
    hearing = {
        "at": paris(3, 27, 10, year=2026).isoformat(),
        "hearing_at": paris(4, 1, 9, year=2026).isoformat(),
    }
    api.clock.set(paris(3, 27, 10, 30, year=2026))
    answer = await api.post(f"{ORDERS}/{order_id}/hearing", hearing)
    assert answer.status_code == 200, answer.text
    service_due = [d for d in answer.json()["open_deadlines"] if d["kind"] == "service"]
    assert [datetime.fromisoformat(d["due_at"]) for d in service_due] == [DUE]
    api.clock.set(DUE)
    await api.service.manager.tick()
    view = (await api.get(f"{ORDERS}/{order_id}")).json()
    assert view["status"] == "lapsed"
    return f"{ORDERS}/{order_id}"


async def test_a_service_in_time_recorded_after_the_lapse_fired_is_accepted(api: Api) -> None:
    order = await lapsed_order(api, "op-issue-16")
    api.clock.set(DUE + timedelta(hours=9))  # Tuesday morning at the registry

    at_the_deadline = await api.post(f"{order}/service", {"at": "2026-03-30T22:00:00Z"})
    assert at_the_deadline.status_code == 422, at_the_deadline.text
    problem = at_the_deadline.json()
    assert problem["rule"] == "OrderLapsed"
    assert "2026-03-30T22:00:00+00:00" in problem["detail"]
    assert "CPC art. 1136-3" in problem["detail"]

    answer = await api.post(f"{order}/service", {"at": "2026-03-30T21:59:00Z"})
    assert answer.status_code == 200, answer.text
    view = answer.json()
    assert view["status"] == "summons_served"
    assert [d["kind"] for d in view["open_deadlines"]] == ["ruling"]
    assert (await api.get(order)).json()["status"] == "summons_served"

    events = await api.published("case-op-issue-16", 5)
    assert [e.type for e in events] == [
        "protection_order.requested",
        "protection_order.hearing_scheduled",
        "protection_order.lapsed",
        "protection_order.lapse_annulled",
        "protection_order.summons_served",
    ]
    annulled = events[3]
    assert annulled.actor.role == "justice_clerk"
    assert annulled.data["act_at"] == "2026-03-30T21:59:00Z"
    assert annulled.data["recorded_by"] == "justice_clerk"
    assert annulled.data["ruling_due_at"] == "2026-04-02T22:00:00Z"


async def test_the_ruling_deadline_is_watched_again_after_the_annulment(api: Api) -> None:
    order = await lapsed_order(api, "op-issue-16-ruling")
    api.clock.set(DUE + timedelta(hours=9))
    answer = await api.post(f"{order}/service", {"at": "2026-03-30T21:59:59Z"})
    assert answer.status_code == 200, answer.text
    api.clock.set(datetime(2026, 4, 2, 22, tzinfo=UTC))  # end of Thu 2 April, CEST
    await api.service.manager.tick()
    view = (await api.get(order)).json()
    assert view["status"] == "summons_served"
    assert view["ruling_overdue"] is True
