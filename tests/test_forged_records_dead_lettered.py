"""The services' own workers admit only what verifies: a forged case never reaches a read model.

The kit's consumer loops are tested kind by kind in ``libs/kit/tests/messaging/
test_dead_letters.py``; this checks the services' wiring. In the stack of every service, a
``case.opened`` signed by intake's registered key and one signed by a key the registry does not
know (a forger's, under intake's name) go to the intake topic, with a record that is not JSON.
The timeline shows the genuine case and referrals learn it; the forged one is on no timeline and
unknown to referrals and to shelter; each consumer (the timeline's projection, the referrals and
shelter workers) dead-letters both bad records, with their reasons.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator
from pathlib import Path

import orjson
import pytest
from aiokafka import AIOKafkaProducer
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from relais_events import topics
from relais_events.catalogue.intake import CaseOpened
from relais_events.codec import to_record
from relais_events.envelope import Envelope
from relais_events.integrity import Signer
from relais_events.vocabulary import CaseKind, Channel
from relais_infra.testing import Servers
from relais_timeline.testing import register_signers, sealed

from .authz_world import headers
from .harness import read_topic, until
from .service_apis import Stack, open_stack

pytestmark = [pytest.mark.servers, pytest.mark.timeout(180)]
FORGER = Signer("intake", "intake-2026-1", Ed25519PrivateKey.generate())


@pytest.fixture(scope="module")
async def stack(servers: Servers) -> AsyncIterator[tuple[Stack, str]]:
    tag = f"forged{secrets.token_hex(2)}"
    register_signers(Path(os.environ["RELAIS_KEY_REGISTRY"]))  # the genuine intake key
    async with open_stack(servers, tag) as opened:
        yield opened, f"{servers.topic_namespace}{tag}."


def opened(case_id: str) -> Envelope:
    event = CaseOpened(
        case_id=case_id,
        kind=CaseKind.CONJUGAL_VIOLENCE,
        departement="93",
        opened_via=Channel.POLICE,
        minor_victim=False,
    )
    return sealed(event, "intake", case_id, case_id, 0, departement="93")


async def test_a_forged_case_reaches_no_read_model_and_is_dead_lettered_by_each_worker(
    servers: Servers, stack: tuple[Stack, str]
) -> None:
    services, namespace = stack
    genuine = opened(f"case-genuine-{secrets.token_hex(3)}")
    forged_case = f"case-forged-{secrets.token_hex(3)}"
    forged = FORGER.seal(
        opened(forged_case).model_copy(update={"hash": None, "sig": None, "sigkeyid": None}), None
    )
    producer = AIOKafkaProducer(bootstrap_servers=servers.kafka_bootstrap, enable_idempotence=True)
    await producer.start()
    try:
        intake = f"{namespace}{topics.INTAKE}"
        await producer.send_and_wait(intake, key=b"case-poison", value=b"{not json")
        for envelope in (forged, genuine):
            record = to_record(envelope)
            await producer.send_and_wait(
                intake, key=record.key, value=record.value, headers=record.headers
            )
    finally:
        await producer.stop()

    timeline = services.client("relais_timeline")
    referrals = services.client("relais_referrals")
    committee = headers("committee_member", "93")

    async def shown(case_id: str) -> int | None:
        answer = await timeline.get(f"/v1/cases/{case_id}/timeline", headers=committee)
        return 200 if answer.status_code == 200 else None

    await until(lambda: shown(genuine.subject), "the genuine case on the timeline")
    letters = await read_topic(
        servers.kafka_bootstrap,
        f"{namespace}{topics.DEADLETTER}",
        lambda found: len(found) >= 6,
    )
    reasons = sorted(
        (letter["consumer"], letter["reason"])
        for letter in (orjson.loads(r.value) for r in letters)
    )
    assert reasons == [
        ("referrals-worker", "bad_json"),
        ("referrals-worker", "unknown_key"),
        ("shelter-worker", "bad_json"),
        ("shelter-worker", "unknown_key"),
        ("timeline", "bad_json"),
        ("timeline", "unknown_key"),
    ]
    answer = await timeline.get(f"/v1/cases/{forged_case}/timeline", headers=committee)
    assert answer.status_code == 404, answer.text
    consent = {
        "partner_kinds": ["cidff"],
        "purposes": ["support"],
        "data_categories": ["identity"],
        "valid_until": "2030-01-01",
    }
    police = headers("police", "93")
    refused = await referrals.post(
        f"/v1/cases/{forged_case}/consents", json=consent, headers=police
    )
    assert refused.status_code == 404, refused.text  # referrals' CaseNotKnown: no such case

    async def learnt() -> str | None:
        answer = await referrals.post(
            f"/v1/cases/{genuine.subject}/consents", json=consent, headers=police
        )
        # 404 (CaseNotKnown) until the referrals worker learnt the case.
        return None if answer.status_code == 404 else f"{answer.status_code} {answer.text}"

    assert (await until(learnt, "referrals learning the genuine case")).startswith("201")
    shelter = services.client("relais_shelter")
    operator = headers("shelter_operator", "93")
    site = await shelter.post(
        "/v1/sites",
        json={"departement": "93", "name": "Les Tilleuls", "address": "1 rue X"},
        headers=operator,
    )
    assert site.status_code == 201, site.text
    allocation = {
        "case_id": forged_case,
        "site_id": site.json()["site_id"],
        "first_night": "2030-01-01",
        "nights": 1,
        "adults": ["pk-forged"],
        "consent_given": True,
    }
    unknown = await shelter.post("/v1/allocations", json=allocation, headers=operator)
    assert (unknown.status_code, unknown.json().get("rule")) == (409, "CaseNotKnown")
