"""Shelter learns its cases from intake's topic (real Kafka and FerretDB): an allocation for a
case intake has not reported is refused with a retry hint; once the report's events reached the
worker, the same request succeeds, and whether the victim is a minor is what intake said. The
worker admits only what verifies against the key registry (the kit's record gate): the records
are signed here by a key of this process's own, published in the registry as intake's, and one
signed by a key the registry does not know is dead-lettered, its case never learnt. Once intake
erases a case, no document of the shelter's database names its persons any more."""

from __future__ import annotations

import asyncio
import datetime as dt
import secrets
from collections.abc import AsyncIterator
from typing import Any

import orjson
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pymongo import AsyncMongoClient
from relais_events import topics
from relais_events.catalogue.intake import (
    CaseErased,
    CaseOpened,
    ErasureBasis,
    ReportFiled,
    ReportKind,
)
from relais_events.codec import to_record
from relais_events.envelope import Envelope, new_envelope
from relais_events.integrity import Signer
from relais_events.vocabulary import Actor, CaseKind, Channel, Role
from relais_kit.signing import publish as publish_key
from relais_shelter.bootstrap import Shelter, bootstrap
from relais_shelter.entrypoints.worker import run_worker

from .harness import NIGHT, OPERATOR, Api, Json, settings_for

pytestmark = [pytest.mark.servers, pytest.mark.timeout(120)]
# intake's key as these tests sign with it (an id of this process's own: the registry is shared).
INTAKE = Signer("intake", f"intake-test-{secrets.token_hex(3)}", Ed25519PrivateKey.generate())
FORGER = Signer("intake", INTAKE.key_id, Ed25519PrivateKey.generate())


def from_intake(
    case_id: str, departement: str, *events: Any, first: int = 1, signer: Signer = INTAKE
) -> list[Envelope]:
    """intake's events of a case from version ``first`` on, each signed by ``signer``."""
    actor = Actor(role=Role.POLICE, org="pn", jurisdiction=departement)
    return [
        signer.seal(
            new_envelope(
                event,
                source="intake",
                subject=case_id,
                aggregate_id=case_id,
                aggregate_version=version,
                actor=actor,
                jurisdiction=departement,
                now=dt.datetime(2026, 3, 2, 8, tzinfo=dt.UTC),
            ),
            None,
        )
        for version, event in enumerate(events, start=first)
    ]


def reported(
    case_id: str, departement: str, *, minor: bool, signer: Signer = INTAKE
) -> list[Envelope]:
    """intake's first commit of a case filed by a police officer: opened, then the report,
    each signed by ``signer``."""
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
    return from_intake(case_id, departement, opened, filed, signer=signer)


@pytest.fixture
async def worker(api: Api) -> AsyncIterator[Shelter]:
    """The shelter worker process's loops, as asyncio tasks of this one, in its own group."""
    settings = settings_for(
        api.servers, api.names, api.database, worker_group=f"shelter-{api.database}"
    )
    publish_key(settings.key_registry, INTAKE.service, INTAKE.key_id, INTAKE.private_key)
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


async def dead_letters(api: Api, enough: int) -> list[dict[str, object]]:
    """The letters of the namespaced dead-letter topic, read until ``enough`` of them."""
    consumer = AIOKafkaConsumer(
        api.names.name(topics.DEADLETTER),
        bootstrap_servers=api.servers.kafka_bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        group_id=f"reader-{secrets.token_hex(4)}",
    )
    await consumer.start()
    try:
        found: list[dict[str, object]] = []
        async with asyncio.timeout(30):
            while len(found) < enough:
                for batch in (await consumer.getmany(timeout_ms=300)).values():
                    found.extend(orjson.loads(r.value) for r in batch)
        return found
    finally:
        await consumer.stop()


async def test_a_case_signed_by_a_forger_is_dead_lettered_and_never_learnt(
    api: Api, worker: Shelter
) -> None:
    site = await api.site(places=4)
    forged = reported("case-forged-93", "93", minor=False, signer=FORGER)
    genuine = reported("case-genuine-93", "93", minor=False)
    await publish(api, forged + genuine)
    await learnt(api, genuine)
    letters = await dead_letters(api, enough=2)
    assert sorted((str(x["consumer"]), str(x["reason"])) for x in letters) == [
        ("shelter-worker", "bad_signature"),
        ("shelter-worker", "bad_signature"),
    ]
    assert await api.shelter.services.cases.get("case-forged-93") is None
    refused = await api.post("/v1/allocations", allocation("case-forged-93", site, consent=True))
    assert (refused.status_code, refused.json()["rule"]) == (409, "CaseNotKnown")


async def test_an_erased_case_leaves_no_person_key_in_the_shelters_database(
    api: Api, worker: Shelter
) -> None:
    site = await api.site(places=4)
    erased, kept = (
        reported("case-erased", "93", minor=False),
        reported("case-kept", "93", minor=False),
    )
    await publish(api, [*erased, *kept])
    await learnt(api, kept)
    await learnt(api, erased)
    for case_id in ("case-erased", "case-kept"):
        answer = await api.post("/v1/allocations", allocation(case_id, site, consent=True))
        assert answer.status_code == 201, answer.text
    assert (await api.free())["adult_places"] == 2

    erasure = from_intake(
        "case-erased",
        "93",
        CaseErased(case_id="case-erased", basis=ErasureBasis.ERASURE_REQUEST),
        first=3,
    )
    await publish(api, erasure)
    await learnt(api, erasure)

    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(api.servers.mongo_uri)
    try:
        db = client[api.database]
        texts = [
            str(document)
            for name in await db.list_collection_names()
            for document in await db[name].find({}).to_list()
        ]
    finally:
        await client.close()
    assert not [t for t in texts if "pk-case-erased" in t]
    assert [t for t in texts if "pk-case-kept" in t]  # the search does find a person key
    assert (await api.free())["adult_places"] == 2  # the erased case's place stays taken
