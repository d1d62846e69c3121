"""Committees against the real worker and store: the case list, a meeting's snapshot, the
access log on the timeline topic, and the auditor's rebuild (same case hashes; a tampered live
timeline is reported)."""

from __future__ import annotations

import time

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from relais_events.codec import from_record
from relais_events.envelope import Envelope, new_event_id
from relais_events.vocabulary import CaseKind, Role
from relais_timeline import testing
from relais_timeline.bootstrap import Projecting, Serving
from relais_timeline.config import TimelineSettings
from relais_timeline.domain.timeline import chain
from relais_timeline.entrypoints.cli import rebuild
from relais_timeline.testing import bearer, case_history, eventually, report

pytestmark = pytest.mark.servers

Api = tuple[httpx.AsyncClient, Serving]
DEP = "974"  # La Réunion: no other test of the session files cases there


async def applied(live: Projecting, *envelopes: Envelope) -> None:
    async def all_in() -> bool:
        for envelope in envelopes:
            timeline = await live.timelines.get(envelope.subject)
            if timeline is None or timeline.entry(envelope.id) is None:
                return False
        return True

    await eventually(all_in, "the events to be applied")


async def publish_cases(
    live: Projecting, producer: AIOKafkaProducer, settings: TimelineSettings
) -> dict[str, list[Envelope]]:
    cases = {
        f"c{i}-{new_event_id()[-10:]}": case_history(f"c{i}-{new_event_id()[-10:]}", DEP, kind)
        for i, kind in enumerate((CaseKind.CONJUGAL_VIOLENCE, CaseKind.TRAFFICKING))
    }
    cases = {history[0].subject: history for history in cases.values()}
    everything = [e for history in cases.values() for e in history]
    await testing.publish(producer, settings.topics_namespace, *everything)
    await applied(live, *everything)
    return cases


async def test_the_committee_list_filters_and_pages_its_departements_open_cases(
    live: Projecting, api: Api, producer: AIOKafkaProducer, timeline_settings: TimelineSettings
) -> None:
    client, _ = api
    cases = await publish_cases(live, producer, timeline_settings)
    headers = bearer(Role.COMMITTEE_MEMBER, DEP)
    url = f"/v1/committees/{DEP}/cases"

    first = (await client.get(url, params={"limit": 1}, headers=headers)).json()
    rest = (await client.get(url, params={"limit": 1, "offset": 1}, headers=headers)).json()
    listed = [c["case_id"] for c in first["cases"] + rest["cases"]]
    assert set(cases) <= set(listed)
    assert first["next_offset"] == 1
    row = next(c for c in first["cases"] + rest["cases"] if c["case_id"] in cases)
    assert row["departement"] == DEP
    assert row["last_event_type"] == "report.filed"  # the latest time, not the deepest

    trafficking = await client.get(url, params={"kind": "trafficking"}, headers=headers)
    assert {c["kind"] for c in trafficking.json()["cases"]} == {"trafficking"}
    bad = await client.get(url, params={"risk_level": "apocalyptic"}, headers=headers)
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "query.risk_level"


async def test_a_meeting_snapshot_answers_what_the_committee_knew_that_day(
    live: Projecting, api: Api, producer: AIOKafkaProducer, timeline_settings: TimelineSettings
) -> None:
    client, _ = api
    cases = await publish_cases(live, producer, timeline_settings)
    headers = bearer(Role.COMMITTEE_MEMBER, DEP)
    keyed = {**headers, "Idempotency-Key": new_event_id()}
    held = await client.post(f"/v1/committees/{DEP}/meetings", headers=keyed)
    assert held.status_code == 201, held.text
    meeting = held.json()
    again = await client.post(f"/v1/committees/{DEP}/meetings", headers=keyed)
    assert again.json()["meeting_id"] == meeting["meeting_id"]  # the same answer, no new snapshot
    snapshot = {c["case_id"]: c["case_hash"] for c in meeting["cases"]}
    case_id, history = next(iter(cases.items()))

    later = report(case_id, f"r-late-{case_id}", 2, history[0].id, dep=DEP)
    await testing.publish(producer, timeline_settings.topics_namespace, later)
    await applied(live, later)

    url = f"/v1/committees/{DEP}/meetings/{meeting['meeting_id']}/cases/{case_id}/timeline"
    then = (await client.get(url, headers=headers)).json()
    assert then["case_hash"] == snapshot[case_id]
    assert [e["event_id"] for e in then["entries"]] == [e.id for e in history]
    now = (await client.get(f"/v1/cases/{case_id}/timeline", headers=headers)).json()
    assert later.id in [e["event_id"] for e in now["entries"]]
    assert now["case_hash"] != snapshot[case_id]
    other = await client.get(url.replace(f"/{DEP}/", "/973/"), headers=headers)
    assert other.status_code == 403

    seen = await timeline_events(timeline_settings, meeting["meeting_id"], case_id)
    assert {"committee.meeting_held", "access.logged"} <= seen


async def timeline_events(settings: TimelineSettings, meeting_id: str, case_id: str) -> set[str]:
    """Types found on the timeline topic: the meeting, and an access to ``case_id``."""
    consumer = AIOKafkaConsumer(
        settings.topic("relais.timeline.v1"),
        bootstrap_servers=settings.kafka_bootstrap,
        auto_offset_reset="earliest",
    )
    await consumer.start()
    found: set[str] = set()
    try:
        deadline = time.monotonic() + 30
        while len(found) < 2 and time.monotonic() < deadline:
            for batch in (await consumer.getmany(timeout_ms=500)).values():
                for record in batch:
                    envelope = from_record(record.value, list(record.headers or ()))
                    if envelope.subject in (meeting_id, case_id):
                        assert envelope.data.get("case_id", case_id) == case_id
                        found.add(envelope.type)
    finally:
        await consumer.stop()
    return found


async def test_a_rebuild_from_offset_zero_gives_the_live_case_hashes(
    live: Projecting,
    producer: AIOKafkaProducer,
    timeline_settings: TimelineSettings,
    capsys: pytest.CaptureFixture[str],
) -> None:
    await publish_cases(live, producer, timeline_settings)
    assert await rebuild(timeline_settings, None, keep=False, timeout_s=60) == 0
    out = capsys.readouterr().out
    assert " 0 mismatches" in out
    assert "replayed 0 records" not in out

    case_id = next(iter(await publish_cases(live, producer, timeline_settings)))
    stored = await live.timelines.get(case_id)
    assert stored is not None
    forged_entries = stored.entries[:-1]  # a dropped event, re-hashed as a forger would
    forged = stored.model_copy(
        update={"entries": forged_entries, "case_hash": chain(case_id, forged_entries)}
    )
    await live.timelines.put(forged)
    assert await rebuild(timeline_settings, None, keep=False, timeout_s=60) == 1
    assert f"MISMATCH {case_id}" in capsys.readouterr().out
    await live.timelines.put(stored)
