"""One trace from the HTTP request, through a real Kafka topic, to the consumer's span."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from fastapi import APIRouter
from opentelemetry.trace import SpanKind
from relais_kit import tracing
from relais_kit.app import create_app
from relais_kit.auth import Policy
from relais_kit.settings import ServiceSettings
from relais_kit.telemetry import in_memory_tracer_provider
from relais_kit.topics import TopicSettings, ensure_topics

pytestmark = pytest.mark.servers


async def test_http_request_and_kafka_consumer_share_one_trace(
    serve: Callable[..., Any], servers: Any
) -> None:
    settings = ServiceSettings(service_name="kit-trace", kafka_bootstrap=servers.kafka_bootstrap)
    topics = TopicSettings(namespace=servers.topic_namespace, partitions=1)
    await asyncio.to_thread(ensure_topics, settings.kafka_bootstrap, topics, ["kit.trace.v1"])
    topic = topics.name("kit.trace.v1")
    provider, exporter = in_memory_tracer_provider(settings)
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap)
    router = APIRouter()

    @router.post("/v1/pings", status_code=202)
    async def ping() -> dict[str, str]:
        # What the outbox relay does: the request's trace context rides in the record headers.
        await producer.send_and_wait(topic, b"ping", key=b"case-1", headers=tracing.inject())
        return {"status": "published"}

    app = create_app(
        settings,
        routers=[router],
        policy=Policy({}),
        lifespan_resources=[producer],
        tracer_provider=provider,
    )
    async with serve(app) as client:
        assert (await client.post("/v1/pings")).status_code == 202

    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=settings.kafka_bootstrap, auto_offset_reset="earliest"
    )
    async with consumer:
        record = await asyncio.wait_for(consumer.getone(), timeout=30)
    with provider.get_tracer("test-consumer").start_as_current_span(
        "consume kit.trace.v1", context=tracing.extract(record.headers), kind=SpanKind.CONSUMER
    ):
        pass

    spans = exporter.get_finished_spans()
    server = next(s for s in spans if s.kind == SpanKind.SERVER)
    consumed = next(s for s in spans if s.kind == SpanKind.CONSUMER)
    assert server.context is not None
    assert consumed.context is not None
    assert consumed.context.trace_id == server.context.trace_id
    assert consumed.parent is not None
    assert consumed.parent.span_id == server.context.span_id
