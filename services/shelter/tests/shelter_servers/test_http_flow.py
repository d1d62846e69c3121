"""A site's life over HTTP on real FerretDB and Kafka: register, declare, allocate, read (logged),
release, claim, the envelope and its statement; the address reaches no Kafka value in clear."""

from __future__ import annotations

import datetime as dt

import pytest
from relais_events import topics
from relais_events.envelope import Envelope

from .harness import DEP, FUNDER, NIGHT, OFFICER, OPERATOR, Api, bearer

pytestmark = [pytest.mark.servers, pytest.mark.timeout(120)]
ADDRESS = "7 impasse des Glycines-secret-3f9a"


async def test_a_sites_life_from_registration_to_the_funders_statement(api: Api) -> None:
    site = await api.site(places=3, child_places=2, address=ADDRESS)
    assert await api.free() == {
        "departement": DEP,
        "night": NIGHT.isoformat(),
        "adult_places": 1,
        "child_places": 2,
    }
    body = {
        "case_id": "case-9",
        "site_id": site,
        "first_night": NIGHT.isoformat(),
        "nights": 3,
        "adults": ["pk-m"],
        "children": ["pk-c"],
        "consent_given": True,
    }
    await api.know("case-9")
    answer = await api.post("/v1/allocations", body)
    assert answer.status_code == 201, answer.text
    allocation = answer.json()
    assert (allocation["departement"], allocation["adults"], allocation["children"]) == (DEP, 1, 1)
    assert (await api.free())["adult_places"] == 0
    read = await api.client.get(f"/v1/allocations/{allocation['allocation_id']}", headers=OPERATOR)
    assert read.status_code == 200, read.text
    assert read.json()["case_id"] == "case-9"
    unlogged = {"Authorization": OPERATOR["Authorization"]}
    assert (
        await api.client.get(f"/v1/allocations/{allocation['allocation_id']}", headers=unlogged)
    ).status_code == 400

    envelope = await api.envelope(nights=10, amount_cents=1000_00)
    claim = {
        "allocation_id": allocation["allocation_id"],
        "envelope_id": envelope,
        "night": NIGHT.isoformat(),
    }
    answer = await api.post("/v1/claims", claim)
    assert answer.status_code == 201, answer.text
    assert answer.json()["outcome"] == "accepted"
    again = await api.post("/v1/claims", claim)
    assert again.json() | {"claim_id": "", "event_ids": [], "min_event": None} == {
        "claim_id": "",
        "outcome": "rejected",
        "reason": "person_already_counted",
        "event_ids": [],
        "min_event": None,
    }

    release = {"last_night": NIGHT.isoformat(), "reason": "moved_on"}
    answer = await api.post(f"/v1/allocations/{allocation['allocation_id']}/release", release)
    assert answer.status_code == 200, answer.text
    assert answer.json()["released_after"] == NIGHT.isoformat()
    assert (await api.free(NIGHT + dt.timedelta(days=1)))["adult_places"] == 1

    seen = await api.client.get(f"/v1/envelopes/{envelope}", headers=FUNDER)
    assert seen.status_code == 200, seen.text
    assert {
        k: seen.json()[k]
        for k in ("nights_claimed", "nights_remaining", "amount_claimed_cents", "exhausted")
    } == {
        "nights_claimed": 2,
        "nights_remaining": 8,
        "amount_claimed_cents": 200_00,
        "exhausted": False,
    }
    csv = await api.client.get(
        f"/v1/envelopes/{envelope}/statement", params={"month": "2026-03"}, headers=FUNDER
    )
    assert csv.status_code == 200, csv.text
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.text.count("\n") == 3  # header, accepted, rejected
    assert "case-9" not in csv.text
    assert site not in csv.text

    def complete(found: list[Envelope]) -> bool:
        return any(e.type == "shelter.allocation_released" for e in found)

    published = await api.topic(topics.SHELTER, complete)
    raw = [e.model_dump_json() for e in published]
    assert [e.type for e in published if e.type.startswith("shelter.site")] == [
        "shelter.site_registered"
    ]
    assert not [r for r in raw if "Glycines" in r]
    access = await api.topic(topics.TIMELINE, lambda found: len(found) >= 1)
    assert access[0].type == "access.logged"
    assert access[0].data["case_ids"] == ["case-9"]


async def test_the_api_refuses_what_breaks_a_rule_with_a_problem(api: Api) -> None:
    site = await api.site(places=1)
    other = bearer("shelter_operator", org="hotel-93")
    body = {
        "case_id": "c",
        "site_id": site,
        "first_night": NIGHT.isoformat(),
        "nights": 1,
        "adults": ["pk"],
        "consent_given": True,
    }
    answer = await api.post("/v1/allocations", body)
    assert (answer.status_code, answer.json()["rule"]) == (409, "CaseNotKnown")
    assert answer.headers["Retry-After"] == "1"
    await api.know("c")
    answer = await api.post("/v1/allocations", body, other)
    assert answer.status_code == 403
    assert answer.json()["rule"] == "NotTheSitesOperator"
    answer = await api.post("/v1/allocations", body | {"consent_given": False})
    assert answer.status_code == 422
    assert answer.json()["rule"] == "ConsentRequired"
    answer = await api.post("/v1/allocations", body, bearer("shelter_operator", "75"))
    assert answer.status_code == 404
    assert (await api.post("/v1/allocations", body, OFFICER)).status_code == 403
    assert (await api.post("/v1/allocations", body | {"nights": 0})).status_code == 422
    envelope = await api.envelope(nights=5)
    paris = bearer("shelter_operator", "75", org="chrs-75")
    assert (await api.client.get(f"/v1/envelopes/{envelope}", headers=paris)).status_code == 404
    assert (await api.client.get(f"/v1/envelopes/{envelope}", headers=OPERATOR)).status_code == 200


async def test_an_allocation_sent_twice_with_one_idempotency_key_is_made_once(api: Api) -> None:
    site = await api.site(places=3)
    body = {
        "case_id": "case-7",
        "site_id": site,
        "first_night": NIGHT.isoformat(),
        "nights": 2,
        "adults": ["pk-7"],
        "consent_given": True,
    }
    await api.know("case-7")
    headers = OPERATOR | {"Idempotency-Key": "alloc-case-7-once"}
    first = await api.client.post("/v1/allocations", json=body, headers=headers)
    again = await api.client.post("/v1/allocations", json=body, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json()["allocation_id"] == first.json()["allocation_id"]
    assert (await api.free())["adult_places"] == 2
