"""Protection orders on the committee timeline: intake opens the case, the court's steps and the
deadline manager's (on a hand-moved clock) reach the timeline of that case, in order.

How the two streams meet on one timeline: the protection-orders service chains an order's events
(each ``dependson`` the one before) but its first event depends on nothing of the case's intake
stream. The timeline orders by (causal depth, time, id), so the order's steps are in order among
themselves, and interleave with the intake events by depth. A protection-order event for a case
the intake never opened is not held: it makes a timeline of its own, visible to the committee of
the court's département (``test_an_order_for_a_case_intake_never_saw_makes_its_own_timeline``).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import AsyncIterator
from typing import Any

import pytest
from relais_infra.testing import Servers
from relais_protection_orders.domain.deadlines import PARIS

from .harness import Json, Orders, Platform, bearer, open_orders, open_platform, types_of

pytestmark = pytest.mark.servers

DEP = "69"
ORDERS = "/v1/protection-orders"
START = dt.datetime(2027, 3, 1, 9, tzinfo=PARIS)  # a Monday, no public holiday that week
PO_TYPES = ("protection_order.", "provisional_order.")


def paris(day: int, hour: int = 12, minute: int = 0) -> str:
    return dt.datetime(2027, 3, day, hour, minute, tzinfo=PARIS).isoformat()


@pytest.fixture(scope="module")
async def platform(
    servers: Servers, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Platform]:
    async with open_platform(servers, "sys2", tmp_path_factory.mktemp("sys2-keys")) as opened:
        yield opened


@pytest.fixture
async def orders(platform: Platform) -> AsyncIterator[Orders]:
    """A fresh protection-orders database and clock per test (the api is also the worker)."""
    async with open_orders(platform, f"sys2_po_{secrets.token_hex(3)}", START) as opened:
        yield opened


async def open_case(platform: Platform) -> str:
    body: Json = {
        "channel": "police",
        "report_kind": "complaint",
        "case_kind": "conjugal_violence",
        "departement": DEP,
        "minor_victim": False,
        "victim": {"last_name": "Vasseur", "first_name": "Léa"},
    }
    filed = await platform.report(body, bearer("police", DEP, sub="opj-69", org="pn-69"))
    case_id: str = filed["case_id"]
    return case_id


async def apply_and_fix_hearing(orders: Orders, case_id: str) -> str:
    order_id = f"op-{secrets.token_hex(4)}"
    application = {
        "order_id": order_id,
        "case_id": case_id,
        "departement": DEP,
        "applicant": "victim",
        "at": paris(1, 9),
    }
    await orders.post(ORDERS, application)
    await orders.post(
        f"{ORDERS}/{order_id}/hearing", {"at": paris(1, 10), "hearing_at": paris(4, 9)}
    )
    return order_id


async def committee_timeline(platform: Platform, case_id: str, min_event: str) -> Json:
    headers = bearer("committee_member", DEP, sub="member-69", org="clav-69")
    answer = await platform.case_timeline(case_id, headers, min_event)
    assert answer.status_code == 200, answer.text
    body: Json = answer.json()
    return body


def order_entries(body: Json) -> list[Any]:
    return [e for e in body["entries"] if str(e["type"]).startswith(PO_TYPES)]


def assert_chained(entries: list[Any], ids: list[str]) -> None:
    """The order's entries are exactly its committed events, each after the one before."""
    assert [e["event_id"] for e in entries] == ids
    assert [e["depends_on"] for e in entries] == [[], *([i] for i in ids[:-1])]
    assert {e["source"] for e in entries} == {"protection-orders"}


async def test_application_to_expiry_reaches_the_timeline_in_order(
    platform: Platform, orders: Orders
) -> None:
    case_id = await open_case(platform)
    order_id = await apply_and_fix_hearing(orders, case_id)
    base = f"{ORDERS}/{order_id}"
    await orders.post(f"{base}/service", {"at": paris(2, 10)})
    ruling = {
        "at": paris(4, 14),
        "decision": "issued",
        "measures": ["no_contact", "weapon_ban"],
        "duration_months": 12,
    }
    await orders.post(f"{base}/ruling", ruling)
    notified = await orders.post(f"{base}/notification", {"at": paris(5, 9)})
    assert notified["enforceable_now"] is True
    for file in ("FPR", "FINIADA"):
        await orders.post(f"{base}/registrations", {"at": paris(5, 11), "file": file}, "prosecutor")
    expires_at = dt.datetime.fromisoformat(notified["expires_at"])
    assert expires_at > dt.datetime(2028, 3, 1, tzinfo=dt.UTC)

    await orders.tick_at(expires_at)  # the deadline manager, once, past the expiry
    assert (await orders.get(base))["status"] == "expired"

    ids = await orders.event_ids(order_id)
    body = await committee_timeline(platform, case_id, min_event=ids[-1])
    entries = order_entries(body)
    assert types_of(entries) == [
        "protection_order.requested",
        "protection_order.hearing_scheduled",
        "protection_order.summons_served",
        "protection_order.issued",
        "protection_order.notified",
        "protection_order.registered",
        "protection_order.registered",
        "protection_order.expired",
    ]
    assert_chained(entries, ids)
    assert entries[-1]["actor_role"] == "system"
    assert entries[3]["data"]["measures"] == ["no_contact", "weapon_ban"]
    # The order's stream does not depend on the intake's, yet the police report filed first is
    # shown first: causes first, then time (the order's clock starts in March 2027).
    everything = types_of(body["entries"])
    assert everything[:3] == ["case.opened", "report.filed", "protection_order.requested"]
    assert body["departement"] == DEP
    assert "Vasseur" not in str(body)


async def test_no_service_within_two_days_lapses_on_the_timeline(
    platform: Platform, orders: Orders
) -> None:
    case_id = await open_case(platform)
    order_id = await apply_and_fix_hearing(orders, case_id)
    view = await orders.get(f"{ORDERS}/{order_id}")
    [service_due] = [d["due_at"] for d in view["open_deadlines"] if d["kind"] == "service"]
    due = dt.datetime.fromisoformat(service_due)
    assert due == dt.datetime(2027, 3, 4, tzinfo=PARIS)  # end of Wed 3 March, 2 days after

    await orders.tick_at(due - dt.timedelta(seconds=1))
    assert (await orders.get(f"{ORDERS}/{order_id}"))["status"] != "lapsed"
    await orders.tick_at(due)
    assert (await orders.get(f"{ORDERS}/{order_id}"))["status"] == "lapsed"

    ids = await orders.event_ids(order_id)
    entries = order_entries(await committee_timeline(platform, case_id, min_event=ids[-1]))
    assert types_of(entries) == [
        "protection_order.requested",
        "protection_order.hearing_scheduled",
        "protection_order.lapsed",
    ]
    assert_chained(entries, ids)


async def test_a_service_in_time_recorded_after_the_lapse_annuls_it_on_the_timeline(
    platform: Platform, orders: Orders
) -> None:
    """Issue 16: the clerk records on Thursday the service made on Wednesday evening, after the
    deadline manager fired the lapse; the committee sees both the lapse and its annulment, and
    the 6-day ruling deadline open again on its case list."""
    case_id = await open_case(platform)
    order_id = await apply_and_fix_hearing(orders, case_id)
    due = dt.datetime(2027, 3, 4, tzinfo=PARIS)  # end of Wed 3 March
    await orders.tick_at(due)
    assert (await orders.get(f"{ORDERS}/{order_id}"))["status"] == "lapsed"

    orders.clock.set(due + dt.timedelta(hours=9))
    served = {"at": (due - dt.timedelta(hours=2)).isoformat()}
    answer = await orders.client.post(
        f"{ORDERS}/{order_id}/service", json=served, headers=bearer("justice_clerk", DEP)
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "summons_served"

    ids = await orders.event_ids(order_id)
    entries = order_entries(await committee_timeline(platform, case_id, min_event=ids[-1]))
    assert types_of(entries) == [
        "protection_order.requested",
        "protection_order.hearing_scheduled",
        "protection_order.lapsed",
        "protection_order.lapse_annulled",
        "protection_order.summons_served",
    ]
    assert_chained(entries, ids)
    lapsed, annulled = entries[2], entries[3]
    assert lapsed["actor_role"] == "system"
    assert annulled["actor_role"] == "justice_clerk"
    assert annulled["data"]["recorded_by"] == "justice_clerk"
    assert dt.datetime.fromisoformat(annulled["data"]["act_at"]) == due - dt.timedelta(hours=2)
    member = bearer("committee_member", DEP, sub="member-69", org="clav-69")
    listing = await platform.timeline.get(f"/v1/committees/{DEP}/cases", headers=member)
    assert listing.status_code == 200, listing.text
    [row] = [c for c in listing.json()["cases"] if c["case_id"] == case_id]
    assert [(d["name"], d["order_id"]) for d in row["open_deadlines"]] == [("ruling", order_id)]


async def test_an_oppi_is_issued_then_ended_by_the_ruling_on_the_timeline(
    platform: Platform, orders: Orders
) -> None:
    case_id = await open_case(platform)
    order_id = await apply_and_fix_hearing(orders, case_id)
    base = f"{ORDERS}/{order_id}"
    oppi = {"at": paris(1, 11), "victim_agreement": True}
    await orders.post(f"{base}/provisional-order", oppi, "prosecutor")
    decision = {"at": paris(1, 18), "decision": "issued", "measures": ["no_contact"]}
    view = await orders.post(f"{base}/provisional-order/decision", decision)
    assert view["provisional"]["status"] == "issued"
    await orders.post(f"{base}/service", {"at": paris(2, 10)})
    ruling = {
        "at": paris(4, 14),
        "decision": "issued",
        "measures": ["no_contact"],
        "duration_months": 6,
    }
    view = await orders.post(f"{base}/ruling", ruling)
    assert view["provisional"]["status"] == "ended"

    ids = await orders.event_ids(order_id)
    entries = order_entries(await committee_timeline(platform, case_id, min_event=ids[-1]))
    assert types_of(entries) == [
        "protection_order.requested",
        "protection_order.hearing_scheduled",
        "provisional_order.requested",
        "provisional_order.issued",
        "protection_order.summons_served",
        "protection_order.issued",
        "provisional_order.ended",
    ]
    assert_chained(entries, ids)


async def test_an_order_for_a_case_intake_never_saw_makes_its_own_timeline(
    platform: Platform, orders: Orders
) -> None:
    case_id = f"case-court-first-{secrets.token_hex(4)}"
    order_id = await apply_and_fix_hearing(orders, case_id)
    ids = await orders.event_ids(order_id)
    body = await committee_timeline(platform, case_id, min_event=ids[-1])
    assert types_of(body["entries"]) == [
        "protection_order.requested",
        "protection_order.hearing_scheduled",
    ]
    assert body["departement"] == DEP  # from the order's jurisdiction: no case.opened to say
    other = bearer("committee_member", "75", sub="member-75", org="clav-75")
    assert (await platform.case_timeline(case_id, other)).status_code == 404
