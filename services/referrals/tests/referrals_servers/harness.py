"""The referrals api and worker over the session's real Kafka and FerretDB.

The api runs in this process on a hand-moved clock; its worker (consumers of the intake,
shelter and referrals topics, and the SLA manager) runs beside it as asyncio tasks on the same
clock. Intake and shelter events come from envelopes built and signed here, as those services
build them, and published to the real topics: never a mock, never their databases.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from relais_events import topics
from relais_events.catalogue import Event
from relais_events.catalogue.intake import CaseOpened, ReportFiled, ReportKind
from relais_events.codec import from_record, to_record
from relais_events.envelope import Envelope, new_envelope
from relais_events.integrity import Signer
from relais_events.vocabulary import Actor, CaseKind, Channel, Role
from relais_infra.testing import Servers
from relais_kit.application import ManualClock
from relais_kit.auth import mint_dev_token
from relais_kit.settings import AuthSettings
from relais_kit.signing import publish
from relais_kit.topics import TopicSettings, ensure_topics
from relais_referrals.bootstrap import Referrals, bootstrap
from relais_referrals.config import ReferralsSettings
from relais_referrals.domain.consent import PARIS
from relais_referrals.entrypoints.api import create_app
from relais_referrals.entrypoints.worker import run_worker

T = TypeVar("T")
Json = dict[str, Any]
START = dt.datetime(2026, 3, 2, 9, tzinfo=PARIS)
# Key ids of this process's own (the session's registry file is shared), published at open.
SIGNERS = {
    s: Signer(s, f"{s}-test-{secrets.token_hex(3)}", Ed25519PrivateKey.generate())
    for s in ("intake", "shelter")
}
TOPICS = (topics.INTAKE, topics.SHELTER, topics.REFERRALS, topics.TIMELINE, topics.DEADLETTER)


def bearer(role: str, *departements: str, org: str, purpose: str = "referral") -> dict[str, str]:
    token = mint_dev_token(
        AuthSettings(), sub=f"{org}-someone", roles=[role], org=org, jurisdictions=departements
    )
    return {"Authorization": f"Bearer {token}", "X-Relais-Purpose": purpose}


def signed(  # noqa: PLR0917  (an envelope's coordinates, in the order they are read)
    event: Event, service: str, subject: str, aggregate: str, version: int, dep: str
) -> Envelope:
    envelope = new_envelope(
        event,
        source=service,
        subject=subject,
        aggregate_id=aggregate,
        aggregate_version=version,
        actor=Actor(role=Role.POLICE, org=f"{service}-org", jurisdiction=dep),
        jurisdiction=dep,
        now=START - dt.timedelta(hours=1),
    )
    return SIGNERS[service].seal(envelope, None)


def case_opened(case_id: str, dep: str = "93", minor: bool = False) -> list[Envelope]:
    """intake's first commit of a case: ``case.opened`` then ``report.filed``."""
    opened = CaseOpened(
        case_id=case_id,
        kind=CaseKind.CONJUGAL_VIOLENCE,
        departement=dep,
        opened_via=Channel.POLICE,
        minor_victim=minor,
    )
    filed = ReportFiled(
        case_id=case_id,
        report_id=f"r-{case_id}",
        channel=Channel.POLICE,
        kind=ReportKind.COMPLAINT,
        departement=dep,
        minor_victim=minor,
        children_present=0,
    )
    first = signed(opened, "intake", case_id, case_id, 1, dep)
    return [first, signed(filed, "intake", case_id, case_id, 2, dep)]


async def eventually(
    probe: Callable[[], Awaitable[T | None]], what: str, within_s: float = 30
) -> T:
    """The first truthy answer of ``probe``; AssertionError past the deadline."""
    deadline = time.monotonic() + within_s
    while True:
        found = await probe()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


@dataclass
class Api:
    client: httpx.AsyncClient
    referrals: Referrals
    clock: ManualClock
    servers: Servers
    names: TopicSettings
    producer: AIOKafkaProducer

    async def publish(self, *envelopes: Envelope) -> None:
        for envelope in envelopes:
            record = to_record(envelope)
            await self.producer.send_and_wait(
                self.names.name(record.topic),
                key=record.key,
                value=record.value,
                headers=record.headers,
            )

    async def open_case(self, case_id: str, dep: str = "93", minor: bool = False) -> list[Envelope]:
        """Publish intake's events of a new case, and wait until the worker learnt them."""
        envelopes = case_opened(case_id, dep, minor)
        await self.publish(*envelopes)
        last = envelopes[-1].id

        async def learnt() -> bool:
            facts = await self.referrals.services.cases.get(case_id)
            return facts is not None and facts.last_event_id == last

        await eventually(learnt, f"the worker learning {case_id}")
        return envelopes

    async def register(self, kind: str, org: str, *deps: str) -> str:
        body = {"kind": kind, "org": org, "departements": list(deps)}
        answer = await self.client.post(
            "/v1/partners", json=body, headers=bearer("committee_member", *deps, org="clav")
        )
        assert answer.status_code == 201, answer.text
        partner_id: str = answer.json()["partner_id"]

        async def listed() -> bool:
            return any(
                p.partner_id == partner_id
                for p in await self.referrals.services.partners.serving(deps[0], None)
            )

        await eventually(listed, "the directory listing the partner")
        return partner_id

    async def topic(self, base: str, enough: Callable[[list[Envelope]], bool]) -> list[Envelope]:
        """Every envelope of the namespaced topic ``base``, read until ``enough`` says so."""
        consumer = AIOKafkaConsumer(
            self.names.name(base),
            bootstrap_servers=self.servers.kafka_bootstrap,
            auto_offset_reset="earliest",
            enable_auto_commit=False,
            group_id=f"reader-{secrets.token_hex(4)}",
        )
        await consumer.start()
        try:
            found: list[Envelope] = []
            async with asyncio.timeout(30):
                while not enough(found):
                    for batch in (await consumer.getmany(timeout_ms=300)).values():
                        found.extend(from_record(r.value, list(r.headers or ())) for r in batch)
            return found
        finally:
            await consumer.stop()


def settings_for(servers: Servers, names: TopicSettings, database: str) -> ReferralsSettings:
    return ReferralsSettings(
        kafka_bootstrap=servers.kafka_bootstrap,
        mongo_uri=servers.mongo_uri,
        database=database,
        topics_namespace=names.namespace,
        worker_group=f"referrals-{database}",
        escalation_tick_s=0.2,
    )


def publish_signers(settings: ReferralsSettings) -> None:
    """The test's signing keys in the registry: a worker admits only what verifies there."""
    for signer in SIGNERS.values():
        publish(settings.key_registry, signer.service, signer.key_id, signer.private_key)


@asynccontextmanager
async def open_api(servers: Servers, names: TopicSettings, database: str) -> AsyncIterator[Api]:
    await asyncio.to_thread(ensure_topics, servers.kafka_bootstrap, names, TOPICS)
    clock = ManualClock(START)
    settings = settings_for(servers, names, database)
    publish_signers(settings)
    referrals = bootstrap(settings, clock=clock, worker_name="api")
    worker = bootstrap(settings, clock=clock, worker_name="worker")
    app = create_app(referrals=referrals)
    stop = asyncio.Event()
    running = asyncio.create_task(run_worker(worker, stop))
    producer = AIOKafkaProducer(bootstrap_servers=servers.kafka_bootstrap, enable_idempotence=True)
    await producer.start()
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://rf") as client:
                yield Api(client, referrals, clock, servers, names, producer)
    finally:
        stop.set()
        await asyncio.wait_for(running, 30)
        await producer.stop()
