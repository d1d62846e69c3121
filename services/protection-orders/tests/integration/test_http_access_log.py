"""Over HTTP on real Kafka and FerretDB: every read states its purpose and is logged as
``access.logged`` on the timeline topic (DESIGN.md section 6)."""

from __future__ import annotations

import pytest
from relais_events.catalogue.timeline import AccessLogged
from relais_events.envelope import payload
from relais_events.topics import TIMELINE

from .harness import Api
from .test_http_paths import ORDERS, file_application

pytestmark = pytest.mark.servers


async def test_reads_without_a_purpose_are_refused(api: Api) -> None:
    order = "op-nopurpose"
    await file_application(api, order)
    for path in (f"{ORDERS}/{order}", ORDERS):
        answer = await api.client.get(path, headers=api.token("justice_clerk"))
        assert answer.status_code == 400, answer.text
        problem = answer.json()
        assert problem["errors"][0]["field"] == "header.X-Relais-Purpose"
    headers = api.token("justice_clerk") | {"X-Relais-Purpose": "audit"}
    answer = await api.client.get(
        f"{ORDERS}/{order}", headers=headers, params={"purpose": "referral"}
    )
    assert answer.status_code == 400, answer.text


async def test_reads_reach_the_timeline_topic(api: Api) -> None:
    order = "op-logged"
    await file_application(api, order)
    answer = await api.get(f"{ORDERS}/{order}", "police")  # purpose by header
    assert answer.status_code == 200, answer.text
    answer = await api.client.get(
        ORDERS, headers=api.token("prosecutor"), params={"purpose": "protection_order_request"}
    )
    assert answer.status_code == 200, answer.text
    assert [r["order_id"] for r in answer.json()] == [order]
    envelopes = await api.published(f"case-{order}", 2, topic=TIMELINE)
    assert [e.type for e in envelopes] == ["access.logged", "access.logged"]
    events = [payload(e) for e in envelopes]
    assert all(isinstance(e, AccessLogged) for e in events)
    seen = [(e.role, e.org, e.purpose, e.resource) for e in events if isinstance(e, AccessLogged)]
    assert seen == [
        ("police", "tj-lyon", "case_follow_up", "protection_order"),
        ("prosecutor", "tj-lyon", "protection_order_request", "protection_order"),
    ]
    assert len({e.aggregateid for e in envelopes}) == 2
    assert all(
        e.aggregateversion == 1 and e.source.endswith("protection-orders") for e in envelopes
    )
