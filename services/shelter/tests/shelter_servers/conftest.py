"""The service against the real Kafka and FerretDB of the session's ``servers`` fixture."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator

import pytest
from relais_infra.testing import Servers
from relais_kit.topics import TopicSettings

from .harness import Api, open_api


@pytest.fixture(scope="module")
def names(servers: Servers) -> TopicSettings:
    return TopicSettings(
        namespace=f"{servers.topic_namespace}sh{secrets.token_hex(2)}.", partitions=3
    )


@pytest.fixture
async def api(servers: Servers, names: TopicSettings) -> AsyncIterator[Api]:
    async with open_api(servers, names, servers.database(f"sh_{secrets.token_hex(3)}")) as opened:
        yield opened
