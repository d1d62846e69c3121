"""The auditor's reads of the log against the live worker and api: ``replay --as-of`` answers
what the api's ``?as_of=`` answers (entries and case hash), ``who-knew`` finds the api's own
access-log entries, and ``export`` holds no personal data and no case id."""

from __future__ import annotations

import asyncio
import datetime as dt

import httpx
import orjson
import pytest
from aiokafka import AIOKafkaProducer
from relais_events.envelope import new_event_id
from relais_events.topics import TIMELINE
from relais_events.vocabulary import Role
from relais_timeline import testing
from relais_timeline.bootstrap import Projecting, Serving
from relais_timeline.config import TimelineSettings
from relais_timeline.domain.access_report import CaseRead
from relais_timeline.entrypoints.audit_replay import replay_case
from relais_timeline.entrypoints.audit_reports import exported, who_knew
from relais_timeline.testing import SEALED_PII_MARKER, bearer, case_history, eventually, report

pytestmark = pytest.mark.servers

Api = tuple[httpx.AsyncClient, Serving]
DEP = "971"  # Guadeloupe: no other test of the session files cases there


async def test_replay_as_of_answers_what_the_api_answers_and_who_knew_finds_the_reads(
    live: Projecting, api: Api, producer: AIOKafkaProducer, timeline_settings: TimelineSettings
) -> None:
    client, _ = api
    case_id = f"case-{new_event_id()[-12:]}"
    history = case_history(case_id, DEP)
    await testing.publish(producer, timeline_settings.topics_namespace, *history)
    await applied(live, case_id, history[-1].id)
    url = f"/v1/cases/{case_id}/timeline"
    member = bearer(Role.COMMITTEE_MEMBER, DEP, sub="member-971")
    first = await client.get(url, headers=member)
    assert first.status_code == 200, first.text
    between = dt.datetime.now(dt.UTC)
    # Log timestamps are whole milliseconds: the next record must be stamped after the cut.
    await eventually(lambda: _after(between + dt.timedelta(milliseconds=2)), "the clock to move")
    later = report(case_id, f"r-late-{case_id}", 9, history[0].id, dep=DEP)
    await testing.publish(producer, timeline_settings.topics_namespace, later)
    await applied(live, case_id, later.id)
    auditor = bearer(Role.AUDITOR, DEP, sub="auditor-1")
    now = await client.get(url, headers=auditor)
    then = await client.get(url, params={"as_of": between.isoformat()}, headers=auditor)
    assert now.status_code == then.status_code == 200, then.text

    bootstrap, topics = timeline_settings.kafka_bootstrap, timeline_settings.context_topics
    for answer, instant in ((then, between), (now, None)):
        replayed = await replay_case(bootstrap, topics, case_id, instant)
        assert replayed is not None
        body = answer.json()
        assert replayed.model_dump(mode="json")["entries"] == body["entries"]
        assert (replayed.case_hash, replayed.departement) == (body["case_hash"], DEP)
        assert replayed.model_dump(mode="json")["watermark"] == body["watermark"]
    assert [e["event_id"] for e in then.json()["entries"]] == [e.id for e in history]
    assert then.json()["case_hash"] != now.json()["case_hash"]
    assert await replay_case(bootstrap, topics, "no-such-case", None) is None

    async def reads() -> list[CaseRead]:
        found = await asyncio.to_thread(
            who_knew, bootstrap, timeline_settings.topic(TIMELINE), case_id
        )
        return found if len(found) >= 3 else []

    found = await eventually(reads, "the three reads to be in the access log")
    assert [(r.subject_ref, r.role, r.org, r.resource, r.purpose) for r in found] == [
        ("member-971", "committee_member", "clav-75", "timeline", "committee_review"),
        ("auditor-1", "auditor", "clav-75", "timeline", "audit"),
        ("auditor-1", "auditor", "clav-75", "timeline", "audit"),
    ]
    assert {r.service for r in found} == {"timeline"}
    window = await asyncio.to_thread(
        who_knew, bootstrap, timeline_settings.topic(TIMELINE), case_id, between
    )
    assert [r.subject_ref for r in window] == ["auditor-1", "auditor-1"]

    key = b"e" * 32
    lines = await asyncio.to_thread(
        lambda: list(exported(bootstrap, topics, key, timeline_settings.topics_namespace))
    )
    text = b"\n".join(lines).decode()
    for secret in (case_id, SEALED_PII_MARKER, f"pk-{case_id}", "member-971"):
        assert secret not in text
    events = [orjson.loads(line)["event"] for line in lines]
    mine = [e for e in events if e["id"] == later.id]
    assert [(e["type"], e["aggregateversion"], e["hash"]) for e in mine] == [
        ("report.filed", 1, later.hash)
    ]
    seen = [e for e in events if e["type"] == "access.logged" and later.id in e["dependson"]]
    assert len(seen) == 1  # the auditor's read of today's timeline saw it last
    assert {r["subject"] for r in seen} == {mine[0]["subject"]}


async def applied(live: Projecting, case_id: str, event_id: str) -> None:
    async def in_timeline() -> bool:
        timeline = await live.timelines.get(case_id)
        return timeline is not None and timeline.entry(event_id) is not None

    await eventually(in_timeline, f"{event_id} to be applied")


async def _after(instant: dt.datetime) -> bool:
    return dt.datetime.now(dt.UTC) > instant
