"""One log, signed by every service, with one access log that joins across services.

A case is reported, an order applied for and its hearing fixed, the deadline manager lapses it;
one committee member reads the case in intake, the order in protection orders, the timeline and
the committee's list. Then every topic is read from offset 0: every event of every service (the
timeline's access log and meeting included) verifies against the one key registry file, and the
member's access-log entries of the three services name them by the same ``subject_ref``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Callable

import pytest
from relais_events.catalogue.timeline import AccessLogged
from relais_events.envelope import Envelope, payload
from relais_events.integrity import verify_log
from relais_events.keyregistry import load_registry
from relais_infra.testing import Servers
from relais_kit.application import pseudonym
from relais_protection_orders.domain.deadlines import PARIS

from .harness import Orders, Platform, Record, bearer, open_orders, open_platform

pytestmark = pytest.mark.servers

DEP = "69"
START = dt.datetime(2027, 3, 1, 9, tzinfo=PARIS)
READER = "membre.clav-69@justice.gouv.fr"  # not an identifier: logged by its pseudonym


@pytest.fixture(scope="module")
async def platform(
    servers: Servers, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Platform]:
    async with open_platform(servers, "sys4", tmp_path_factory.mktemp("sys4-keys")) as opened:
        yield opened


@pytest.fixture(scope="module")
async def orders(platform: Platform) -> AsyncIterator[Orders]:
    async with open_orders(platform, "sys4_po", START) as opened:
        yield opened


def at_least(count: int) -> Callable[[list[Record]], bool]:
    return lambda found: len(found) >= count


async def test_every_event_verifies_and_the_access_logs_join(
    platform: Platform, orders: Orders
) -> None:
    police = bearer("police", DEP, sub="opj-69", org="pn-69")
    filed = await platform.report(
        {
            "channel": "police",
            "report_kind": "complaint",
            "case_kind": "conjugal_violence",
            "departement": DEP,
            "minor_victim": False,
            "victim": {"last_name": "Vasseur", "first_name": "Léa"},
        },
        police,
    )
    case_id = filed["case_id"]
    order = await orders.post(
        "/v1/protection-orders",
        {"case_id": case_id, "departement": DEP, "applicant": "victim", "at": START.isoformat()},
    )
    order_id = order["order_id"]
    fixed = START + dt.timedelta(hours=1)
    await orders.post(
        f"/v1/protection-orders/{order_id}/hearing",
        {"at": fixed.isoformat(), "hearing_at": (fixed + dt.timedelta(days=3)).isoformat()},
    )
    await orders.tick_at(START + dt.timedelta(days=10))  # service never made: the order lapses
    last = (await orders.event_ids(order_id))[-1]

    member = bearer("committee_member", DEP, sub=READER, org="clav-69")
    reads = [
        await platform.intake.get(f"/v1/cases/{case_id}", headers=member),
        await orders.client.get(f"/v1/protection-orders/{order_id}", headers=member),
        await platform.case_timeline(case_id, member, min_event=last),
        await platform.timeline.get(f"/v1/committees/{DEP}/cases", headers=member),
    ]
    assert [r.status_code for r in reads] == [200] * 4, [r.text for r in reads]
    meeting = await platform.timeline.post(f"/v1/committees/{DEP}/meetings", headers=member)
    assert meeting.status_code == 201, meeting.text

    # Intake: case.opened, report.filed. Orders: requested, hearing fixed, lapsed. The
    # timeline service: the four reads' entries and the meeting.
    expected = {"relais.intake.v1": 2, "relais.protection-orders.v1": 3, "relais.timeline.v1": 5}
    envelopes: dict[str, list[Envelope]] = {}
    for topic, count in expected.items():
        records = await platform.read(topic, at_least(count))
        envelopes[topic] = [r.envelope() for r in records]
    timeline = envelopes["relais.timeline.v1"]

    registry = load_registry(platform.keys / "registry.json")
    everything = [e for found in envelopes.values() for e in found]
    assert {e.service for e in everything} == {"intake", "protection-orders", "timeline"}
    assert all(e.sig and e.hash and e.sigkeyid for e in everything)
    assert verify_log(everything, registry) == []

    logged: list[tuple[str, AccessLogged]] = []
    for envelope in timeline:
        event = payload(envelope)
        if isinstance(event, AccessLogged) and case_id in event.case_ids:
            logged.append((envelope.service, event))
    by_reader = {service for service, e in logged if e.subject_ref == pseudonym(READER)}
    assert by_reader == {"intake", "protection-orders", "timeline"}
    assert {e.org for _, e in logged if e.subject_ref == pseudonym(READER)} == {"clav-69"}
    assert {e.purpose for _, e in logged if e.subject_ref == pseudonym(READER)} == {
        "committee_review"
    }
