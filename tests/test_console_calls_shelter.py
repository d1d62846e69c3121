"""The console's shelter adapter against the real shelter api (real FerretDB and Kafka): the
paths, bodies and fields its pages send and read (``relais_console.adapters.http_shelter``) are
the ones the shelter service serves. The console forwards the person's own token. The cases
allocated are known to the shelter as its worker learns them from intake (facts fed here).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import secrets
from collections.abc import AsyncIterator

import httpx
import pytest
from pymongo import AsyncMongoClient
from relais_console.adapters.http_service import ServiceApi
from relais_console.adapters.http_shelter import HttpShelter
from relais_console.application.ports import Refused
from relais_infra.testing import Servers
from relais_kit.auth import mint_dev_token
from relais_kit.cases import CaseFacts
from relais_kit.settings import AuthSettings
from relais_kit.topics import TopicSettings, ensure_topics
from relais_shelter.bootstrap import bootstrap
from relais_shelter.config import ShelterSettings
from relais_shelter.entrypoints.api import create_app

from .harness import Json

pytestmark = [pytest.mark.servers, pytest.mark.timeout(120)]
PURPOSE = "case_follow_up"  # what the console's shelter pages state


def token(role: str, org: str) -> str:
    return mint_dev_token(
        AuthSettings(), sub=f"{org}-1", roles=[role], org=org, jurisdictions=["93"]
    )


OPERATOR = token("shelter_operator", "asso-hebergement-93")
FUNDER = token("admin", "prefecture-93")


@pytest.fixture
async def shelter(servers: Servers) -> AsyncIterator[tuple[HttpShelter, httpx.AsyncClient]]:
    names = TopicSettings(namespace=f"{servers.topic_namespace}csh{secrets.token_hex(2)}.")
    await asyncio.to_thread(ensure_topics, servers.kafka_bootstrap, names)
    database = servers.database(f"csh_{secrets.token_hex(3)}")
    settings = ShelterSettings(
        kafka_bootstrap=servers.kafka_bootstrap,
        mongo_uri=servers.mongo_uri,
        database=database,
        topics_namespace=names.namespace,
    )
    shelter = bootstrap(settings)
    app = create_app(shelter=shelter)
    try:
        async with app.router.lifespan_context(app):
            for case_id in ("case-42", "case-43"):
                await shelter.services.cases.put(CaseFacts(case_id, "93", version=1))
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://shelter") as client:
                yield HttpShelter(ServiceApi("shelter", client)), client
    finally:
        cleaner: AsyncMongoClient[Json] = AsyncMongoClient(servers.mongo_uri)
        await cleaner.drop_database(database)
        await cleaner.close()


async def test_the_console_allocates_claims_and_reads_what_the_shelter_serves(
    shelter: tuple[HttpShelter, httpx.AsyncClient],
) -> None:
    console, client = shelter
    auth = {"Authorization": f"Bearer {OPERATOR}"}
    site = (
        await client.post(
            "/v1/sites",
            json={
                "departement": "93",
                "name": "Foyer",
                "address": "1 rue",
                "accepts_children": True,
            },
            headers=auth,
        )
    ).json()["site_id"]
    capacity = {
        "first_night": "2026-03-02",
        "last_night": "2026-03-09",
        "places": 4,
        "child_places": 2,
    }
    assert (
        await client.post(f"/v1/sites/{site}/capacity", json=capacity, headers=auth)
    ).status_code == 201
    envelope = (
        await client.post(
            "/v1/envelopes",
            json={
                "departement": "93",
                "period_start": "2026-03-01",
                "period_end": "2026-03-31",
                "nights": 3,
                "amount_cents": 9000,
            },
            headers={"Authorization": f"Bearer {FUNDER}"},
        )
    ).json()["envelope_id"]

    # The body routes_shelter.allocate builds from the form.
    body: Json = {
        "case_id": "case-42",
        "site_id": site,
        "first_night": "2026-03-02",
        "nights": 2,
        "adults": ["pk-mere"],
        "children": ["pk-enfant"],
        "consent_given": True,
    }
    allocation = await console.allocate(OPERATOR, body, "console-key-1")
    assert (allocation.case_id, allocation.departement, allocation.nights) == ("case-42", "93", 2)
    assert (allocation.adults, allocation.children) == (1, 1)
    assert allocation.first_night == dt.date(2026, 3, 2)

    free = await console.availability(OPERATOR, PURPOSE, "93", "2026-03-02")
    assert (free.adult_places, free.child_places) == (1, 1)

    night = {
        "allocation_id": allocation.allocation_id,
        "envelope_id": envelope,
        "night": "2026-03-02",
    }
    claimed = await console.claim(OPERATOR, night, "console-key-2")
    assert (claimed.outcome, claimed.reason) == ("accepted", None)
    refused = await console.claim(OPERATOR, night | {"night": "2026-03-03"}, "console-key-3")
    assert (refused.outcome, refused.reason) == ("rejected", "envelope_exhausted")  # 2 + 2 > 3

    seen = await console.envelope(OPERATOR, PURPOSE, envelope)
    assert (seen.nights, seen.nights_claimed, seen.nights_remaining) == (3, 2, 1)
    assert (seen.amount_claimed_cents, seen.amount_remaining_cents) == (6000, 3000)
    assert seen.exhausted is True  # a claim found too few nights left

    with pytest.raises(Refused) as full:
        await console.allocate(
            OPERATOR,
            body | {"case_id": "case-43", "adults": ["pk-a", "pk-b"], "children": []},
            "console-key-4",
        )
    assert (full.value.problem.status, full.value.problem.rule) == (409, "NightFull")  # 1 left
