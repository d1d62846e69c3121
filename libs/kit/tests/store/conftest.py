"""Adapters under contract: each test gets a fresh in-memory one or a fresh Mongo database."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase
from relais_events.catalogue.intake import ReportFiled
from relais_events.envelope import Envelope, new_envelope
from relais_events.vocabulary import Actor, Channel, Role
from relais_infra.testing import Servers

NOW = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)
ACTOR = Actor(role=Role.POLICE, org="gn-brigade-75", jurisdiction="75")
_databases = itertools.count()
_created: list[str] = []

ADAPTERS = ["memory", pytest.param("mongo", marks=pytest.mark.servers)]


def report(case_id: str, version: int) -> Envelope:
    return new_envelope(
        ReportFiled(
            case_id=case_id,
            report_id=f"r-{version}",
            channel=Channel.SMS_114,
            kind="alert",
            departement="75",
            minor_victim=False,
            children_present=0,
        ),
        source="intake",
        subject=case_id,
        aggregate_id=case_id,
        aggregate_version=version,
        actor=ACTOR,
        jurisdiction="75",
        now=NOW + dt.timedelta(minutes=version),
    )


@pytest.fixture
def reports() -> Callable[[str, int], Envelope]:
    return report


@pytest.fixture(scope="session")
async def mongo_client(servers: Servers) -> AsyncIterator[AsyncMongoClient[dict[str, Any]]]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(servers.mongo_uri)
    yield client
    for name in _created:
        await client.drop_database(name)
    await client.close()


@pytest.fixture
def mongo_database(request: pytest.FixtureRequest) -> AsyncDatabase[dict[str, Any]]:
    """A database of its own for each test (a sync fixture, so adapters can ask for it lazily)."""
    servers: Servers = request.getfixturevalue("servers")
    client: AsyncMongoClient[dict[str, Any]] = request.getfixturevalue("mongo_client")
    name = servers.database(f"kit_store_{next(_databases)}")
    _created.append(name)
    return client[name]
