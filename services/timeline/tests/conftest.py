"""Shared test fixtures: event summaries at fixed times; the real worker and api for integration."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from relais_infra.testing import Servers
from relais_timeline.bootstrap import Projecting, Serving, projecting, serving
from relais_timeline.config import TimelineSettings
from relais_timeline.domain.summary import EventSummary, Origin
from relais_timeline.entrypoints.api import create_app
from relais_timeline.entrypoints.worker import build_worker, provision
from relais_timeline.testing import register_signers

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
MakeEvent = Callable[..., EventSummary]


def make_event(
    event_id: str,
    *,
    depends_on: tuple[str, ...] = (),
    minute: int = 0,
    type_: str = "report.filed",
    jurisdiction: str | None = "75",
    data: dict[str, Any] | None = None,
    logged_minute: int | None = None,
    origin: Origin | None = None,
) -> EventSummary:
    return EventSummary(
        event_id=event_id,
        type=type_,
        time=T0 + dt.timedelta(minutes=minute),
        source="intake",
        actor_role="police",
        actor_org="pn-75",
        jurisdiction=jurisdiction,
        depends_on=depends_on,
        event_hash=hashlib.sha256(event_id.encode()).hexdigest(),
        data=data if data is not None else {"case_id": "case-1"},
        logged_at=T0 + dt.timedelta(minutes=minute if logged_minute is None else logged_minute),
        origin=origin,
    )


@pytest.fixture(scope="session")
def event() -> MakeEvent:
    return make_event


# --- real servers: settings, topics, the Faust worker and the api (integration tests) ---------


@pytest.fixture(scope="session")
def timeline_settings(servers: Servers) -> TimelineSettings:
    # A namespace of its own, so other services' tests in the same run never feed this worker.
    return TimelineSettings(
        kafka_bootstrap=servers.kafka_bootstrap,
        mongo_uri=servers.mongo_uri,
        database=servers.database("timeline"),
        topics_namespace=f"{servers.topic_namespace}tl.",
        worker_group=f"relais-timeline-{servers.run_id}",
        min_event_wait_s=2.0,
    )


@pytest.fixture(scope="module")
async def live(timeline_settings: TimelineSettings) -> AsyncIterator[Projecting]:
    """The Faust worker, started in-process, projecting into the live database."""
    await asyncio.to_thread(provision, timeline_settings)
    register_signers(timeline_settings.key_registry)
    resources = projecting(timeline_settings)
    await resources.start()
    app = build_worker(timeline_settings, resources.projection, resources.gate)
    await app.start()
    try:
        yield resources
    finally:
        await app.stop()
        await resources.stop()


@pytest.fixture(scope="module")
async def api(
    timeline_settings: TimelineSettings, live: Projecting
) -> AsyncIterator[tuple[httpx.AsyncClient, Serving]]:
    service = serving(timeline_settings)
    app = create_app(service)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://timeline") as client:
            yield client, service


@pytest.fixture(scope="module")
async def producer(timeline_settings: TimelineSettings) -> AsyncIterator[AIOKafkaProducer]:
    client = AIOKafkaProducer(
        bootstrap_servers=timeline_settings.kafka_bootstrap, enable_idempotence=True
    )
    await client.start()
    try:
        yield client
    finally:
        await client.stop()
