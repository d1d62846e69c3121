"""`/healthz`, `/readyz` against the real servers, and the lifespan that opens resources."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.client import AIOKafkaClient
from opentelemetry.sdk.trace import TracerProvider
from pymongo import AsyncMongoClient
from relais_kit.app import create_app
from relais_kit.auth import Policy
from relais_kit.http.health import kafka_metadata, mongo_ping
from relais_kit.runtime import Runtime
from relais_kit.settings import ServiceSettings

Serve = Callable[..., Any]


def app_with(**kwargs: Any) -> Any:
    settings = ServiceSettings(service_name="kit-health")
    return create_app(
        settings, routers=[], policy=Policy({}), tracer_provider=TracerProvider(), **kwargs
    )


async def test_healthz_needs_no_token(serve: Serve) -> None:
    async with serve(app_with()) as client:
        response = await client.get("/healthz")
    assert response.json() == {"status": "alive"}


@pytest.mark.servers
async def test_readyz_checks_kafka_and_mongo(serve: Serve, servers: Any) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=servers.kafka_bootstrap)
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(servers.mongo_uri)
    app = app_with(
        lifespan_resources=[mongo, producer],
        readiness={"kafka": kafka_metadata(producer.client), "mongo": mongo_ping(mongo)},
    )
    async with serve(app) as client:
        response = await client.get("/readyz")
    assert response.status_code == 200, response.text
    assert response.json() == {"status": "ready", "checks": {"kafka": "ok", "mongo": "ok"}}


@pytest.mark.servers
async def test_readyz_is_a_503_when_mongo_does_not_answer(serve: Serve, servers: Any) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=servers.kafka_bootstrap)
    # Port 1 on loopback: nothing listens, the ping fails as soon as selection gives up.
    dead: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        "mongodb://127.0.0.1:1/", serverSelectionTimeoutMS=200
    )
    app = app_with(
        lifespan_resources=[dead, producer],
        readiness={"kafka": kafka_metadata(producer.client), "mongo": mongo_ping(dead)},
    )
    async with serve(app) as client:
        response = await client.get("/readyz")
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["checks"] == {"kafka": "ok", "mongo": "failed"}
    assert "127.0.0.1:1" not in response.text  # hosts and reasons go to the log only


@pytest.mark.servers
async def test_readyz_is_a_503_when_kafka_does_not_answer(serve: Serve, servers: Any) -> None:
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(servers.mongo_uri)
    # Nothing listens on port 1: no broker answers the metadata request.
    dead = AIOKafkaClient(bootstrap_servers="127.0.0.1:1", request_timeout_ms=500)
    app = app_with(
        lifespan_resources=[mongo],
        readiness={"kafka": kafka_metadata(dead), "mongo": mongo_ping(mongo)},
    )
    async with serve(app) as client:
        response = await client.get("/readyz")
    await dead.close()
    assert response.status_code == 503
    assert response.json()["checks"] == {"kafka": "failed", "mongo": "ok"}


async def test_every_service_runtime_is_ready_only_when_its_store_and_its_kafka_answer() -> None:
    runtime = Runtime.build(ServiceSettings(service_name="kit-health"))
    assert set(runtime.readiness()) == {"kafka", "mongo"}
    await runtime.client.close()


async def test_the_kafka_check_fails_before_the_relay_has_a_producer() -> None:
    runtime = Runtime.build(ServiceSettings(service_name="kit-health"))
    with pytest.raises(RuntimeError, match="not started"):
        await runtime.readiness()["kafka"]()
    await runtime.client.close()


class Startable:
    def __init__(self, name: str, log: list[str], *, sync: bool) -> None:
        self.name, self.log, self.sync = name, log, sync

    def start(self) -> Any:
        return self._note("start")

    def stop(self) -> Any:
        return self._note("stop")

    def _note(self, what: str) -> Any:
        self.log.append(f"{what} {self.name}")
        if self.sync:
            return None

        async def done() -> None:
            return None

        return done()


async def test_the_lifespan_opens_in_order_and_closes_in_reverse(serve: Serve) -> None:
    log: list[str] = []

    @asynccontextmanager
    async def managed() -> AsyncIterator[None]:
        log.append("enter cm")
        yield
        log.append("exit cm")

    resources = [Startable("a", log, sync=True), Startable("b", log, sync=False), managed()]
    async with serve(app_with(lifespan_resources=resources)) as client:
        await client.get("/healthz")
        log.append("serving")
    assert log == ["start a", "start b", "enter cm", "serving", "exit cm", "stop b", "stop a"]
