"""Shelter learns its cases from intake's topic (real Kafka and FerretDB): an allocation for a
case intake has not reported is refused with a retry hint; once the report's events reached the
worker, the same request succeeds, and whether the victim is a minor is what intake said."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator

import pytest
from aiokafka import AIOKafkaProducer
from relais_events import topics
from relais_events.catalogue.intake import CaseOpened, ReportFiled, ReportKind
from relais_events.codec import to_record
from relais_events.envelope import Envelope, new_envelope
from relais_events.vocabulary import Actor, CaseKind, Channel, Role
from relais_shelter.bootstrap import Shelter, bootstrap
from relais_shelter.entrypoints.worker import run_worker

from .harness import NIGHT, OPERATOR, Api, Json, settings_for

pytestmark = [pytest.mark.servers, pytest.mark.timeout(120)]


def reported(case_id: str, departement: str, *, minor: bool) -> list[Envelope]:
    """intake's first commit of a case filed by a police officer: opened, then the report."""
    opened = CaseOpened(
        case_id=case_id,
        kind=CaseKind.CONJUGAL_VIOLENCE,
        departement=departement,
        opened_via=Channel.POLICE,
        minor_victim=minor,
    )
    filed = ReportFiled(
        case_id=case_id,
        report_id=f"r-{case_id}",
        channel=Channel.POLICE,
        kind=ReportKind.COMPLAINT,
        departement=departement,
        minor_victim=minor,
        children_present=0,
    )
    actor = Actor(role=Role.POLICE, org="pn", jurisdiction=departement)
    return [
        new_envelope(
            event,
            source="intake",
            subject=case_id,
            aggregate_id=case_id,
            aggregate_version=version,
            actor=actor,
            jurisdiction=departement,
            now=dt.datetime(2026, 3, 2, 8, tzinfo=dt.UTC),
        )
        for version, event in enumerate((opened, filed), start=1)
    ]


@pytest.fixture
async def worker(api: Api) -> AsyncIterator[Shelter]:
    """The shelter worker process's loops, as asyncio tasks of this one, in its own group."""
    settings = settings_for(
        api.servers, api.names, api.database, worker_group=f"shelter-{api.database}"
    )
    shelter = bootstrap(settings)
    stop = asyncio.Event()
    running = asyncio.create_task(run_worker(shelter, stop))
    try:
        yield shelter
    finally:
        stop.set()
        await asyncio.wait_for(running, 30)


async def publish(api: Api, envelopes: list[Envelope]) -> None:
    producer = AIOKafkaProducer(
        bootstrap_servers=api.servers.kafka_bootstrap, enable_idempotence=True
    )
    await producer.start()
    try:
        for envelope in envelopes:
            record = to_record(envelope)
            await producer.send_and_wait(
                api.names.name(record.topic),
                key=record.key,
                value=record.value,
                headers=record.headers,
            )
    finally:
        await producer.stop()


async def learnt(api: Api, envelopes: list[Envelope]) -> None:
    case_id, last = envelopes[-1].subject, envelopes[-1].id
    async with asyncio.timeout(30):
        while True:
            facts = await api.shelter.services.cases.get(case_id)
            if facts is not None and facts.last_event_id == last:
                return
            await asyncio.sleep(0.05)


def allocation(case_id: str, site: str, *, consent: bool) -> Json:
    return {
        "case_id": case_id,
        "site_id": site,
        "first_night": NIGHT.isoformat(),
        "nights": 2,
        "adults": [f"pk-{case_id}"],
        "consent_given": consent,
    }


async def test_a_case_reported_in_intake_is_learnt_and_then_allocated(
    api: Api, worker: Shelter
) -> None:
    site = await api.site(places=4)
    case = reported("case-minor-93", "93", minor=True)
    body = allocation("case-minor-93", site, consent=False)
    # The console retries with the same key: a 409 is not kept as the key's answer.
    once = OPERATOR | {"Idempotency-Key": "allocate-case-minor-93"}
    before = await api.post("/v1/allocations", body, once)
    assert before.status_code == 409, before.text
    assert before.json()["rule"] == "CaseNotKnown"
    assert before.headers["Retry-After"] == "1"

    await publish(api, case)
    await learnt(api, case)
    after = await api.post("/v1/allocations", body, once)
    assert after.status_code == 201, after.text
    assert after.json()["minor_victim"] is True  # intake said so; the request could not
    assert (await api.free())["adult_places"] == 3
    allocation_id = after.json()["allocation_id"]

    def overridden(found: list[Envelope]) -> bool:
        return any(e.type == "shelter.consent_overridden" for e in found)

    published = await api.topic(topics.SHELTER, overridden)
    [override] = [e for e in published if e.type == "shelter.consent_overridden"]
    assert override.data["allocation_id"] == allocation_id  # recorded, never a refusal
    assert override.data["ground"] == "minor"


async def test_a_case_of_another_departement_is_answered_as_one_never_reported(
    api: Api, worker: Shelter
) -> None:
    site = await api.site(places=4)
    case = reported("case-of-75", "75", minor=False)
    await publish(api, case)
    await learnt(api, case)
    hidden = await api.post("/v1/allocations", allocation("case-of-75", site, consent=True))
    missing = await api.post("/v1/allocations", allocation("case-of-76", site, consent=True))
    assert (hidden.status_code, missing.status_code) == (409, 409)
    assert hidden.headers["Retry-After"] == missing.headers["Retry-After"]

    def shown(answer: Json, case_id: str) -> Json:
        return {k: str(v).replace(case_id, "<id>") for k, v in answer.items() if k != "trace_id"}

    assert shown(hidden.json(), "case-of-75") == shown(missing.json(), "case-of-76")
    assert (await api.free())["adult_places"] == 4
