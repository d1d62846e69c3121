"""The platform in-process over the session's real Kafka and Mongo-compatible store.

One ``Platform`` per test module: its own topic namespace, databases and worker group, so modules
never see each other's records. It runs the intake api, the timeline api and the timeline's
Faust worker in this process (each with its lifespan), and a protection-orders api on a
hand-moved clock can be opened per test. No mocks: every record goes through the real broker.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import os
import sys
import time
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from relais_events.codec import from_record
from relais_events.envelope import Envelope
from relais_infra.testing import Servers
from relais_intake.bootstrap import bootstrap as intake_bootstrap
from relais_intake.config import IntakeSettings
from relais_intake.entrypoints.api import create_app as intake_app
from relais_kit.application import ManualClock
from relais_kit.auth import mint_dev_token
from relais_kit.settings import AuthSettings
from relais_kit.store import events_of
from relais_protection_orders.bootstrap import Service
from relais_protection_orders.bootstrap import bootstrap as po_bootstrap
from relais_protection_orders.config import ProtectionOrdersSettings
from relais_protection_orders.entrypoints.api import create_app as po_app
from relais_timeline.bootstrap import Projecting, projecting, serving
from relais_timeline.config import TimelineSettings
from relais_timeline.entrypoints.api import create_app as timeline_app
from relais_timeline.entrypoints.worker import build_worker, provision

Json = dict[str, Any]


def bearer(
    role: str,
    *departements: str,
    sub: str = "user-1",
    org: str = "org-1",
    purpose: str = "",
    also: Sequence[str] = (),
) -> dict[str, str]:
    """A token's header (``role``, and the roles ``also`` granted on top of it), with the
    purpose of a read when one is given (every read states it)."""
    token = mint_dev_token(
        AuthSettings(), sub=sub, roles=[role, *also], org=org, jurisdictions=departements
    )
    why = purpose or USUAL_PURPOSE.get(role, "")
    return {"Authorization": f"Bearer {token}"} | ({"X-Relais-Purpose": why} if why else {})


# What a reader of each role usually states as the purpose of a read (the access log keeps it).
USUAL_PURPOSE = {"committee_member": "committee_review", "auditor": "audit"}


def then_hash(case_hash: str, event_hash: str) -> str:
    """The case hash after one more entry appended at the end (the timeline's chain rule)."""
    return hashlib.sha256(bytes.fromhex(case_hash) + bytes.fromhex(event_hash)).hexdigest()


@dataclass(frozen=True)
class Record:
    """One record as read from a topic: the exact bytes and where they sit in the log."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes
    headers: tuple[tuple[str, bytes], ...]

    def envelope(self) -> Envelope:
        return from_record(self.value, list(self.headers))


async def read_topic(
    bootstrap: str,
    topic: str,
    enough: Callable[[list[Record]], bool],
    *,
    within_s: float = 30.0,
) -> list[Record]:
    """Every record of ``topic`` from offset 0, read until ``enough`` accepts them (or fail)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = [TopicPartition(topic, p) for p in await _partitions(consumer, topic)]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        found: list[Record] = []
        deadline = time.monotonic() + within_s
        while not enough(found):
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out reading {topic} ({len(found)} records)")
            for batch in (await consumer.getmany(timeout_ms=200)).values():
                found.extend(
                    Record(
                        r.topic,
                        r.partition,
                        r.offset,
                        r.key,
                        r.value,
                        tuple((k, v) for k, v in r.headers or ()),
                    )
                    for r in batch
                )
        return found
    finally:
        await consumer.stop()


async def _partitions(consumer: Any, topic: str) -> list[int]:
    cluster = await consumer._client.fetch_all_metadata()
    found = sorted(cluster.partitions_for_topic(topic) or ())
    if not found:
        raise LookupError(f"no topic {topic}")
    return found


@asynccontextmanager
async def timeline_worker(settings: TimelineSettings) -> AsyncIterator[Projecting]:
    """The timeline's Faust worker in this process, projecting into the live database."""
    resources = projecting(settings)
    await resources.start()
    app = build_worker(settings, resources.projection)
    await app.start()
    try:
        yield resources
    finally:
        await app.stop()
        await resources.stop()


@dataclass
class Platform:
    servers: Servers
    name: str
    namespace: str
    keys: Path
    timeline_settings: TimelineSettings
    intake_settings: IntakeSettings
    intake: httpx.AsyncClient
    timeline: httpx.AsyncClient
    producer: AIOKafkaProducer
    live: Projecting
    worker: AsyncExitStack

    async def restart_worker(self, group: str | None = None) -> None:
        """Stop the timeline worker and start it again, in the same consumer group (it resumes
        from its committed offsets) or in a new one (it re-reads every topic from offset 0)."""
        await self.worker.aclose()
        if group is not None:
            update = {"worker_group": f"{self.timeline_settings.worker_group}-{group}"}
            self.timeline_settings = self.timeline_settings.model_copy(update=update)
        self.worker = AsyncExitStack()
        self.live = await self.worker.enter_async_context(timeline_worker(self.timeline_settings))

    async def stop_worker(self) -> None:
        await self.worker.aclose()

    def topic(self, base: str) -> str:
        return f"{self.namespace}{base}"

    async def read(
        self, base: str, enough: Callable[[list[Record]], bool], within_s: float = 30.0
    ) -> list[Record]:
        return await read_topic(
            self.servers.kafka_bootstrap, self.topic(base), enough, within_s=within_s
        )

    async def report(self, body: Json, headers: dict[str, str]) -> Json:
        answer = await self.intake.post("/v1/reports", json=body, headers=headers)
        assert answer.status_code == 201, answer.text
        result: Json = answer.json()
        return result

    async def case_timeline(
        self, case_id: str, headers: dict[str, str], min_event: str | None = None
    ) -> httpx.Response:
        params = {"min_event": min_event} if min_event else {}
        return await self.timeline.get(
            f"/v1/cases/{case_id}/timeline", params=params, headers=headers
        )

    def audit_env(self) -> dict[str, str]:
        """The environment ``relais-audit`` reads the live timeline's settings from."""
        s = self.timeline_settings
        return {
            **os.environ,
            "RELAIS_KAFKA_BOOTSTRAP": s.kafka_bootstrap,
            "RELAIS_MONGO_URI": s.mongo_uri,
            "RELAIS_TOPICS_NAMESPACE": s.topics_namespace,
            "RELAIS_TIMELINE_KAFKA_BOOTSTRAP": s.kafka_bootstrap,
            "RELAIS_TIMELINE_MONGO_URI": s.mongo_uri,
            "RELAIS_TIMELINE_TOPICS_NAMESPACE": s.topics_namespace,
            "RELAIS_TIMELINE_DATABASE": s.database,
            # The registry the platform's services published their keys in (verify reads it).
            "RELAIS_TIMELINE_KEY_REGISTRY": str(s.key_registry),
        }

    async def relais_audit(self, *args: str) -> tuple[int, str]:
        """Run the ``relais-audit`` console script; its exit code and output."""
        script = Path(sys.executable).parent / "relais-audit"
        process = await asyncio.create_subprocess_exec(
            str(script),
            *args,
            env=self.audit_env(),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        out, _ = await asyncio.wait_for(process.communicate(), timeout=120)
        assert process.returncode is not None
        return process.returncode, out.decode()


@asynccontextmanager
async def open_platform(servers: Servers, name: str, keys: Path) -> AsyncIterator[Platform]:
    """Topics, the timeline worker and api, and the intake api, all in namespace ``name``."""
    namespace = f"{servers.topic_namespace}{name}."
    timeline_settings = TimelineSettings(
        kafka_bootstrap=servers.kafka_bootstrap,
        mongo_uri=servers.mongo_uri,
        database=servers.database(f"{name}_timeline"),
        topics_namespace=namespace,
        worker_group=f"relais-timeline-{servers.run_id}-{name}",
        # Generous: the first read may come while the worker's group is still forming.
        min_event_wait_s=20.0,
        keys_dir=keys,
        key_registry=keys / "registry.json",
    )
    intake_settings = IntakeSettings(
        kafka_bootstrap=servers.kafka_bootstrap,
        mongo_uri=servers.mongo_uri,
        database=servers.database(f"{name}_intake"),
        topics_namespace=namespace,
        keys_dir=keys,
        key_registry=keys / "registry.json",
    )
    await asyncio.to_thread(provision, timeline_settings)  # every context topic + by-case
    async with AsyncExitStack() as stack:
        worker = AsyncExitStack()
        live = await worker.enter_async_context(timeline_worker(timeline_settings))
        opened: list[Platform] = []

        async def stop_worker() -> None:  # the one running now: a test may have restarted it
            await (opened[0].worker if opened else worker).aclose()

        stack.push_async_callback(stop_worker)
        tl_app = timeline_app(serving(timeline_settings))
        await stack.enter_async_context(tl_app.router.lifespan_context(tl_app))
        timeline = await stack.enter_async_context(
            httpx.AsyncClient(transport=httpx.ASGITransport(app=tl_app), base_url="http://tl")
        )
        in_app = intake_app(intake=intake_bootstrap(intake_settings))
        await stack.enter_async_context(in_app.router.lifespan_context(in_app))
        intake = await stack.enter_async_context(
            httpx.AsyncClient(transport=httpx.ASGITransport(app=in_app), base_url="http://in")
        )
        producer = AIOKafkaProducer(
            bootstrap_servers=servers.kafka_bootstrap, enable_idempotence=True
        )
        await producer.start()
        stack.push_async_callback(producer.stop)
        platform = Platform(
            servers,
            name,
            namespace,
            keys,
            timeline_settings,
            intake_settings,
            intake,
            timeline,
            producer,
            live,
            worker,
        )
        opened.append(platform)
        yield platform


@dataclass
class Orders:
    """A protection-orders api on a hand-moved clock, in the platform's namespace."""

    client: httpx.AsyncClient
    service: Service
    clock: ManualClock

    async def post(self, path: str, body: Json, role: str = "justice_clerk") -> Json:
        at = body.get("at")
        if isinstance(at, str):  # the act is recorded a few minutes after it took place
            self.clock.set(dt.datetime.fromisoformat(at) + dt.timedelta(minutes=5))
        answer = await self.client.post(path, json=body, headers=bearer(role, "69", org="tj-69"))
        assert answer.status_code in (200, 201), answer.text
        result: Json = answer.json()
        return result

    async def get(self, path: str) -> Json:
        headers = bearer("justice_clerk", "69", org="tj-69") | {
            "X-Relais-Purpose": "case_follow_up"
        }
        answer = await self.client.get(path, headers=headers)
        assert answer.status_code == 200, answer.text
        result: Json = answer.json()
        return result

    async def event_ids(self, order_id: str) -> list[str]:
        """The order's committed events, in version order (what the deadline manager wrote
        included: it answers no HTTP request)."""
        return [str(e["id"]) for e in events_of(await self.service.handler.store.load(order_id))]

    async def tick_at(self, instant: dt.datetime) -> None:
        self.clock.set(instant)
        await self.service.manager.tick()


@asynccontextmanager
async def open_orders(
    platform: Platform, database: str, start: dt.datetime
) -> AsyncIterator[Orders]:
    settings = ProtectionOrdersSettings(
        kafka_bootstrap=platform.servers.kafka_bootstrap,
        mongo_uri=platform.servers.mongo_uri,
        database=platform.servers.database(database),
        topics_namespace=platform.namespace,
        deadline_lease_s=60,
        keys_dir=platform.keys,
        key_registry=platform.keys / "registry.json",
    )
    clock = ManualClock(start)
    service = po_bootstrap(settings, clock=clock, worker_name=f"{database}-worker")
    app = po_app(service)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://po") as c,
    ):
        yield Orders(c, service, clock)


def types_of(entries: Sequence[Json], prefix: str = "") -> list[str]:
    return [e["type"] for e in entries if str(e["type"]).startswith(prefix)]
