"""The worker and the api against real Kafka and FerretDB: causal order with an out-of-order
arrival, visibility across départements, redelivery, dead letters, meetings and the access log.
No fixed sleeps: every wait is a condition with a deadline."""

from __future__ import annotations

import base64
import time
from collections.abc import Callable

import httpx
import orjson
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from relais_events.envelope import Envelope, new_event_id
from relais_events.vocabulary import Role
from relais_timeline import testing
from relais_timeline.bootstrap import Projecting, Serving
from relais_timeline.config import TimelineSettings
from relais_timeline.domain.timeline import CaseTimeline
from relais_timeline.testing import SEALED_PII_MARKER, bearer, case_history, eventually, report

pytestmark = pytest.mark.servers

Api = tuple[httpx.AsyncClient, Serving]


async def publish(
    producer: AIOKafkaProducer, settings: TimelineSettings, *envelopes: Envelope
) -> None:
    await testing.publish(producer, settings.topics_namespace, *envelopes)


async def timeline_of(live: Projecting, case_id: str) -> CaseTimeline | None:
    return await live.timelines.get(case_id)


async def test_an_out_of_order_arrival_is_held_then_ordered_causally(
    live: Projecting, api: Api, producer: AIOKafkaProducer, timeline_settings: TimelineSettings
) -> None:
    client, _ = api
    case_id = f"case-{new_event_id()[-12:]}"
    opened, report, requested = case_history(case_id)
    await publish(producer, timeline_settings, requested)  # its cause is not in the log yet

    async def held() -> bool:
        timeline = await timeline_of(live, case_id)
        return timeline is not None and [p.event_id for p in timeline.pending] == [requested.id]

    await eventually(held, "the protection order request to be held")
    await publish(producer, timeline_settings, report, opened)

    answer = await client.get(
        f"/v1/cases/{case_id}/timeline",
        params={"min_event": requested.id},
        headers=bearer(Role.COMMITTEE_MEMBER, "75"),
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert [e["event_id"] for e in body["entries"]] == [opened.id, report.id, requested.id]
    assert [e["depth"] for e in body["entries"]] == [0, 1, 2]
    assert body["entries"][0]["data"]["kind"] == "conjugal_violence"
    assert "person_key" not in body["entries"][0]["data"]
    assert SEALED_PII_MARKER not in answer.text
    assert "pii" not in answer.text
    stored = await timeline_of(live, case_id)
    assert stored is not None
    assert body["case_hash"] == stored.case_hash
    assert {w["topic"] for w in body["watermark"]} == {
        timeline_settings.topic("relais.intake.v1"),
        timeline_settings.topic("relais.protection-orders.v1"),
    }


async def test_other_departements_and_reporting_points_get_nothing(
    live: Projecting, api: Api, producer: AIOKafkaProducer, timeline_settings: TimelineSettings
) -> None:
    client, _ = api
    case_id = f"case-{new_event_id()[-12:]}"
    history = case_history(case_id)
    await publish(producer, timeline_settings, *history)
    url = f"/v1/cases/{case_id}/timeline"
    ok = await client.get(
        url, params={"min_event": history[-1].id}, headers=bearer(Role.COMMITTEE_MEMBER, "75")
    )
    assert ok.status_code == 200

    elsewhere = await client.get(url, headers=bearer(Role.COMMITTEE_MEMBER, "93"))
    assert elsewhere.status_code == 404
    assert case_id not in elsewhere.text.replace(url, "")  # only the instance path names it
    assert "entries" not in elsewhere.json()
    missing = await client.get(
        "/v1/cases/case-never-opened/timeline", headers=bearer(Role.COMMITTEE_MEMBER, "93")
    )
    # Issue 13: the bytes of a missing case, the id aside.
    assert missing.status_code == 404
    assert elsewhere.content.replace(case_id.encode(), b"") == missing.content.replace(
        b"case-never-opened", b""
    )
    assert (await client.get(url, headers=bearer(Role.REPORTING_POINT, "75"))).status_code == 403
    assert (await client.get(url, headers=bearer(Role.POLICE, "75"))).status_code == 403
    listing = await client.get(
        "/v1/committees/75/cases", headers=bearer(Role.COMMITTEE_MEMBER, "93")
    )
    assert listing.status_code == 403

    audit = await client.get(url, headers=bearer(Role.AUDITOR, "*", sub="auditor-1"))
    assert audit.status_code == 200
    assert audit.json()["view"] == "structure"
    assert all(e["data"] is None for e in audit.json()["entries"])


async def test_redelivery_changes_nothing_and_poison_goes_to_the_dead_letters(
    live: Projecting, api: Api, producer: AIOKafkaProducer, timeline_settings: TimelineSettings
) -> None:
    client, _ = api
    case_id = f"case-{new_event_id()[-12:]}"
    history = case_history(case_id)
    await publish(producer, timeline_settings, *history)
    headers = bearer(Role.COMMITTEE_MEMBER, "75")
    url = f"/v1/cases/{case_id}/timeline"
    before = (await client.get(url, params={"min_event": history[-1].id}, headers=headers)).json()

    intake = timeline_settings.topic("relais.intake.v1")
    await producer.send_and_wait(intake, key=case_id.encode(), value=b"{not json")
    await publish(producer, timeline_settings, *history, *reversed(history))
    # A later event of the same case on the same partitions: once it is applied, the duplicates
    # and the poison before it have been read.
    sentinel = report(case_id, f"r2-{case_id}", 30, history[-1].id)
    await publish(producer, timeline_settings, sentinel)
    after = (await client.get(url, params={"min_event": sentinel.id}, headers=headers)).json()
    assert [e["event_id"] for e in after["entries"]] == [
        *(e["event_id"] for e in before["entries"]),
        sentinel.id,
    ]
    stored = await timeline_of(live, case_id)
    assert stored is not None
    assert after["case_hash"] == stored.case_hash
    assert stored.pending == ()

    dead = await consume_until(
        timeline_settings,
        timeline_settings.deadletter_topic,
        lambda value, headers: (
            orjson.loads(value)["value"] == base64.b64encode(b"{not json").decode()
        ),
    )
    assert dict(dead)["relais_reason"] == b"bad_json"


async def consume_until(
    settings: TimelineSettings,
    topic: str,
    wanted: Callable[[bytes, list[tuple[str, bytes]]], bool],
    within_s: float = 30.0,
) -> list[tuple[str, bytes]]:
    """The headers of the first record of ``topic`` that ``wanted`` accepts."""
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=settings.kafka_bootstrap, auto_offset_reset="earliest"
    )
    await consumer.start()
    try:
        deadline = time.monotonic() + within_s
        while time.monotonic() < deadline:
            for batch in (await consumer.getmany(timeout_ms=500)).values():
                for record in batch:
                    headers = list(record.headers or ())
                    if wanted(record.value, headers):
                        return headers
    finally:
        await consumer.stop()
    raise AssertionError(f"nothing wanted on {topic}")


async def test_min_event_answers_409_with_a_retry_hint_when_the_event_never_comes(
    live: Projecting, api: Api, producer: AIOKafkaProducer, timeline_settings: TimelineSettings
) -> None:
    client, _ = api
    case_id = f"case-{new_event_id()[-12:]}"
    history = case_history(case_id)
    await publish(producer, timeline_settings, *history)
    headers = bearer(Role.COMMITTEE_MEMBER, "75")
    url = f"/v1/cases/{case_id}/timeline"
    assert (await client.get(url, params={"min_event": history[-1].id}, headers=headers)).is_success
    started = time.monotonic()
    late = await client.get(url, params={"min_event": new_event_id()}, headers=headers)
    assert late.status_code == 409
    assert late.headers["retry-after"] == "2"
    assert late.headers["content-type"] == "application/problem+json"
    assert time.monotonic() - started < 5
    before = await client.get(url, params={"as_of": "2000-01-01T00:00:00Z"}, headers=headers)
    assert before.json()["entries"] == []
