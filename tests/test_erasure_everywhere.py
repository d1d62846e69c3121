"""Erasure by crypto-shredding, across every service, through the real broker (issue 13).

A police officer of the 69 files two reports on one victim (two cases, so one person key); the
referrals service learns the first case, a partner declines its referral with a text that names
the victim (sealed in referrals' ``pii``); a clerk files a protection order for it. Then an
admin erases the first case: ``DELETE /v1/cases/{id}/personal-data``. Afterwards:

- the planted personal data is in no document of any collection of any database of the stack
  (intake, timeline, referrals, protection orders) and in no record of any topic of the stack,
  neither in its bytes nor in its ``pii`` opened with the data keys the services hold;
- nothing ties the erased case to the person key any more: no record carries it in clear
  (``case.opened`` v2 seals it), the erased case's sealed key no longer opens, and no document
  names both the case and the key (the other case of the victim still opens to it);
- ``relais-audit verify`` passes on the log: nothing in it was changed.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from pymongo import AsyncMongoClient
from relais_events.codec import from_record
from relais_events.envelope import Envelope
from relais_events.pii import KeyStore, open_pii
from relais_infra.testing import Servers
from relais_kit.keystore_mongo import MongoKeyStore
from relais_referrals.bootstrap import bootstrap
from relais_referrals.config import ReferralsSettings
from relais_referrals.domain.consent import civil_day
from relais_referrals.entrypoints.api import create_app
from relais_referrals.entrypoints.worker import run_worker

from .harness import Json, Orders, Platform, bearer, open_orders, open_platform

pytestmark = [pytest.mark.servers, pytest.mark.timeout(240)]

DEP = "69"
OFFICER = bearer("police", DEP, sub="opj-69", org="pn-69", purpose="referral")
PARTNER = bearer("association", DEP, sub="juriste-69", org="cidff-69", purpose="referral")
REGISTRAR = bearer("committee_member", DEP, sub="coordinator", org="clav-69")
ADMIN = bearer("admin", "*", sub="dpo-office", org="relais-admin")
COMMITTEE = bearer("committee_member", DEP, sub="member-69", org="clav-69")
START = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)

# ASCII on purpose: found whatever a store or a codec does with accents. The victim's name is
# in both cases (it makes the person key); what is planted is only in the erased case.
LAST_NAME = "Quarnstedt-Vilmorot"
NARRATIVE_WORD = "Oxbriggleton"
PHONE = "06 41 97 35 28"
DECLINE_WORD = "Plumwessigard"
PLANTED = (NARRATIVE_WORD, PHONE, DECLINE_WORD)


@pytest.fixture(scope="module")
async def platform(
    servers: Servers, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Platform]:
    async with open_platform(servers, "sys5", tmp_path_factory.mktemp("sys5-keys")) as opened:
        yield opened


def referrals_settings(platform: Platform) -> ReferralsSettings:
    servers = platform.servers
    return ReferralsSettings(
        kafka_bootstrap=servers.kafka_bootstrap,
        mongo_uri=servers.mongo_uri,
        database=servers.database("sys5_referrals"),
        topics_namespace=platform.namespace,
        worker_group=f"relais-referrals-{servers.run_id}-sys5",
        keys_dir=platform.keys,
        key_registry=platform.keys / "registry.json",
    )


@asynccontextmanager
async def open_referrals(platform: Platform) -> AsyncIterator[httpx.AsyncClient]:
    """The referrals api and its worker in the platform's namespace."""
    settings = referrals_settings(platform)
    app = create_app(referrals=bootstrap(settings, worker_name="sys5-api"))
    stop = asyncio.Event()
    worker = asyncio.create_task(run_worker(bootstrap(settings, worker_name="sys5-worker"), stop))
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://rf") as client:
                yield client
    finally:
        stop.set()
        await asyncio.wait_for(worker, 30)


async def until(probe: Any, what: str, within_s: float = 30.0) -> Any:
    deadline = asyncio.get_running_loop().time() + within_s
    while (found := await probe()) is None:
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.1)
    return found


async def ok(answer: httpx.Response, code: int = 200) -> Any:
    assert answer.status_code == code, answer.text
    return answer.json()


def report(narrative: str, phone: str | None = None) -> Json:
    return {
        "channel": "police",
        "report_kind": "complaint",
        "case_kind": "conjugal_violence",
        "departement": DEP,
        "minor_victim": False,
        "victim": {"last_name": LAST_NAME, "first_name": "Ines", "birth_date": "1990-04-05"},
        "narrative": narrative,
    } | ({"contact_phone": phone} if phone else {})


async def declined_referral(referrals: httpx.AsyncClient, case_id: str) -> None:
    """A referral of the case declined with a text naming the victim (referrals' own pii)."""
    partner = (
        await ok(
            await referrals.post(
                "/v1/partners",
                json={"kind": "cidff", "org": "cidff-69", "departements": [DEP]},
                headers=REGISTRAR,
            ),
            201,
        )
    )["partner_id"]
    consent = {
        "partner_ids": [partner],
        "purposes": ["support"],
        "data_categories": ["identity"],
        "valid_until": (civil_day(dt.datetime.now(dt.UTC)) + dt.timedelta(days=30)).isoformat(),
    }

    async def consented() -> Any:  # 404 until the worker learnt case.opened
        path = f"/v1/cases/{case_id}/consents"
        answer = await referrals.post(path, json=consent, headers=OFFICER)
        return None if answer.status_code == 404 else await ok(answer, 201)

    await until(consented, "referrals learning the case")
    sent = await ok(
        await referrals.post(
            f"/v1/cases/{case_id}/referrals",
            json={"partner_id": partner, "purpose": "support", "data_categories": ["identity"]},
            headers=OFFICER,
        ),
        201,
    )
    text = f"Mme {LAST_NAME} suivie ailleurs ({DECLINE_WORD})."
    await ok(
        await referrals.post(
            f"/v1/cases/{case_id}/referrals/{sent['referral_id']}/decline",
            json={"reason": "other", "text": text},
            headers=PARTNER,
        )
    )


async def every_record(bootstrap: str, namespace: str) -> list[tuple[str, bytes]]:
    """Every record of every topic of the namespace, from offset 0 to the end: (topic, value)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        cluster = await consumer._client.fetch_all_metadata()
        topics = sorted(t for t in cluster.topics() if t.startswith(namespace))
        partitions = [
            TopicPartition(t, p) for t in topics for p in cluster.partitions_for_topic(t) or ()
        ]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        found: list[tuple[str, bytes]] = []
        deadline = asyncio.get_running_loop().time() + 60
        while [p for p in partitions if await consumer.position(p) < ends[p]]:
            assert asyncio.get_running_loop().time() < deadline, "topics not read in time"
            for batch in (await consumer.getmany(timeout_ms=200)).values():
                found.extend((r.topic, r.value) for r in batch if r.value is not None)
        assert {t.removeprefix(namespace) for t in topics} >= {
            "relais.intake.v1",
            "relais.referrals.v1",
            "relais.protection-orders.v1",
            "relais.timeline.v1",
        }
        return found
    finally:
        await consumer.stop()


async def every_document(mongo_uri: str, databases: list[str]) -> list[tuple[str, str]]:
    """Every document of every collection of ``databases``: (where, its repr)."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_uri)
    try:
        found: list[tuple[str, str]] = []
        for name in databases:
            database = client[name]
            collections = await database.list_collection_names()
            assert collections, f"database {name} holds nothing: wrong name?"
            for collection in collections:
                async for document in database[collection].find({}):
                    found.append((f"{name}.{collection}", repr(document)))
        return found
    finally:
        await client.close()


async def opened_pii(envelope: Envelope, keys: dict[str, KeyStore]) -> dict[str, Any] | None:
    """The envelope's personal data opened with its service's keys (None: none, or erased)."""
    if envelope.pii is None:
        return None
    service = envelope.source.rsplit("/", 1)[-1]
    opened = await open_pii(envelope, keys[service])
    return opened.data


async def test_an_erased_case_leaves_no_personal_data_nor_link_anywhere(
    platform: Platform,
) -> None:
    servers = platform.servers
    filed = await platform.report(report(f"Temoin: {NARRATIVE_WORD}.", PHONE), OFFICER)
    erased_case = filed["case_id"]
    other = await platform.report(report("Nouvelle plainte."), OFFICER)
    kept_case = other["case_id"]
    assert other["suggested_links"] == [erased_case]  # one person, two cases

    orders_base = f"sys5_po_{secrets.token_hex(2)}"
    async with (
        open_referrals(platform) as referrals,
        open_orders(platform, orders_base, START) as po,
    ):
        await declined_referral(referrals, erased_case)
        await order_for(po, erased_case)
        erased = await platform.intake.request(
            "DELETE",
            f"/v1/cases/{erased_case}/personal-data",
            json={"basis": "erasure_request"},
            headers=ADMIN,
        )
        erasure = await ok(erased)
        referral_keys = MongoKeyStore(
            AsyncMongoClient[dict[str, Any]](servers.mongo_uri)[
                referrals_settings(platform).database
            ]
        )

        async def referrals_shredded() -> bool | None:
            return True if await referral_keys.existing_key(erased_case) is None else None

        await until(referrals_shredded, "referrals shredding its key of the case on case.erased")
        # The committee's timeline has applied the erasure: the structure of the case stays.
        timeline = await ok(
            await platform.case_timeline(erased_case, COMMITTEE, erasure["min_event"])
        )
        assert "case.erased" in [e["type"] for e in timeline["entries"]]

    intake_db = platform.intake_settings.database
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(servers.mongo_uri)
    keys: dict[str, KeyStore] = {
        "intake": MongoKeyStore(client[intake_db]),
        "referrals": MongoKeyStore(client[referrals_settings(platform).database]),
    }
    records = await every_record(servers.kafka_bootstrap, platform.namespace)
    # The context topics and the timeline's by-case copy hold envelopes; the timeline's own
    # bookkeeping records (what it placed, per case) are scanned as bytes only.
    envelopes = [
        (topic, from_record(value))
        for topic, value in records
        if b'"specversion"' in value and "deadletter" not in topic
    ]
    logged = {e.id for t, e in envelopes if "by-case" not in t}  # the context topics
    assert len(logged) > 10
    opened = [(topic, e, await opened_pii(e, keys)) for topic, e in envelopes]

    # The person key: the kept case's case.opened still opens to it, the erased one's no more.
    # (each record twice: in its context topic and in the timeline's by-case copy)
    [kept_opened] = {
        e.id: p for _, e, p in opened if e.type == "case.opened" and e.subject == kept_case
    }.values()
    assert kept_opened is not None
    person_key = kept_opened["person_key"]
    sealed = [e.pii for _, e, _ in opened if e.type == "case.opened" and e.subject == erased_case]
    assert sealed  # sealed, and no longer opens:
    assert None not in sealed
    assert all(p is None for _, e, p in opened if e.subject == erased_case)

    for topic, value in records:
        text = value.decode()
        for planted in PLANTED:
            assert planted not in text, (topic, planted)
        assert person_key not in text, topic  # sealed everywhere, never in clear
    for topic, envelope, data in opened:
        for planted in PLANTED:
            assert planted not in repr(data), (topic, envelope.type, planted)
    # What is not erased still opens: the scan would have found it (the kept case's report).
    named = {e.subject for _, e, data in opened if LAST_NAME in repr(data)}
    assert named == {kept_case}

    databases = [
        intake_db,
        platform.timeline_settings.database,
        referrals_settings(platform).database,
        servers.database(orders_base),
    ]
    documents = await every_document(servers.mongo_uri, databases)
    assert len(documents) > 20
    for where, document in documents:
        for planted in PLANTED:
            assert planted not in document, (where, planted)
        assert not (person_key in document and erased_case in document), where
    await client.close()

    code, out = await platform.relais_audit("verify", "--no-cache", "--no-progress")
    assert code == 0, out
    assert f"verified {len(logged)} records" in out, out  # the whole log, erased case included


async def order_for(po: Orders, case_id: str) -> None:
    """A protection order applied for on the case: the service holds the case id, no pii."""
    await po.post(
        "/v1/protection-orders",
        {
            "order_id": f"op-{case_id[-12:]}",
            "case_id": case_id,
            "departement": DEP,
            "applicant": "victim",
            "at": (START + dt.timedelta(minutes=10)).isoformat(),
        },
    )
