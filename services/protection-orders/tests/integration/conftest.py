"""The service against the real Kafka and FerretDB of the session's ``servers`` fixture."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator

import pytest
from relais_events.topics import PROTECTION_ORDERS, TIMELINE
from relais_infra.testing import Servers
from relais_kit.topics import TopicSettings, ensure_topics

from .harness import Api, open_api


@pytest.fixture(scope="session")
def topics(servers: Servers) -> TopicSettings:
    settings = TopicSettings(namespace=servers.topic_namespace, partitions=3)
    ensure_topics(
        servers.kafka_bootstrap, settings, [PROTECTION_ORDERS, TIMELINE]
    )  # reads log to the timeline
    return settings


@pytest.fixture
async def api(servers: Servers, topics: TopicSettings) -> AsyncIterator[Api]:
    database = servers.database(f"po_{secrets.token_hex(3)}")
    async with open_api(servers, topics, database) as opened:
        yield opened
