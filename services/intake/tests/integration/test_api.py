"""The intake api end to end: HTTP -> commit in the store -> events on Kafka (real servers)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from relais_events.integrity import verify_log
from relais_events.keyregistry import load_registry
from relais_intake.config import IntakeSettings

from .conftest import Bearer, KafkaTap

pytestmark = pytest.mark.servers

PURPOSE = {"X-Relais-Purpose": "case_follow_up"}


def report(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "channel": "hotline_3919",
        "report_kind": "call",
        "case_kind": "conjugal_violence",
        "departement": "93",
        "minor_victim": False,
        "children_present": 1,
        "victim": {"last_name": "Lefèvre", "first_name": "Zoë", "birth_date": "1991-02-03"},
        "narrative": "Appel de nuit: menaces de mort répétées.",
        "assessment": {
            "questionnaire": "dash-2009",
            "level": "medium",
            "answers": [{"question_id": "q1-injury", "answer": "yes"}],
        },
    }
    return body | changes


async def commits_of(mongo: Any, case_id: str) -> list[dict[str, Any]]:
    return [c async for c in mongo["commits"].find({"aggregate_id": case_id})]


async def test_a_report_is_committed_then_published_sealed_and_signed(
    client: httpx.AsyncClient,
    bearer: Bearer,
    mongo: Any,
    intake_topic: KafkaTap,
    settings: IntakeSettings,
) -> None:
    answer = await client.post("/v1/reports", json=report(), headers=bearer("hotline"))
    assert answer.status_code == 201, answer.text
    body = answer.json()
    case_id = body["case_id"]
    assert body["opened"] is True
    assert answer.headers["location"] == f"/v1/cases/{case_id}"
    [commit] = await commits_of(mongo, case_id)
    assert [e["type"] for e in commit["events"]] == ["case.opened", "report.filed", "risk.assessed"]
    assert [e["id"] for e in commit["events"]] == body["event_ids"]
    tapped = await intake_topic.wait_for(case_id, 3)
    assert [t.envelope.id for t in tapped] == body["event_ids"]
    for record in tapped:
        assert b"Lef" not in record.value
        assert b"menaces" not in record.value
    assert tapped[1].envelope.pii is not None
    # One trace from the request to the records: the commit carried the request's traceparent.
    assert {t.envelope.traceparent for t in tapped} != {None}
    registry = load_registry(settings.key_registry)
    assert verify_log([t.envelope for t in tapped], registry) == []


async def test_a_second_report_attaches_and_a_new_case_suggests_the_link(
    client: httpx.AsyncClient, bearer: Bearer, intake_topic: KafkaTap
) -> None:
    victim = {"last_name": "Martin", "first_name": "Inès"}
    by_police = report(victim=victim, channel="police", report_kind="complaint")
    first = (await client.post("/v1/reports", json=by_police, headers=bearer("police"))).json()
    attach = report(
        case_id=first["case_id"], channel="sms_114", report_kind="alert", assessment=None
    )
    second = await client.post("/v1/reports", json=attach, headers=bearer("hotline"))
    assert second.status_code == 201, second.text
    assert second.json()["opened"] is False
    assert len(await intake_topic.wait_for(first["case_id"], 4)) == 4
    spelled = {"last_name": " MARTIN ", "first_name": "ines"}
    other = await client.post("/v1/reports", json=report(victim=spelled), headers=bearer("hotline"))
    assert other.json()["suggested_links"] == [first["case_id"]]
    link = {"linked_case_id": first["case_id"], "link": "same_victim", "confirmed": True}
    linked = await client.post(
        f"/v1/cases/{other.json()['case_id']}/links", json=link, headers=bearer("police")
    )
    assert linked.status_code == 201, linked.text
    elsewhere = await client.post(
        "/v1/reports",
        json=report(victim=victim, departement="75"),
        headers=bearer("hotline", departements=("75",)),
    )
    assert elsewhere.json()["suggested_links"] == []


async def test_a_reporting_point_gets_an_acknowledgement_only_and_reads_nothing(
    client: httpx.AsyncClient, bearer: Bearer, intake_topic: KafkaTap
) -> None:
    alert = report(channel="pharmacy", report_kind="alert", victim=None, assessment=None)
    answer = await client.post("/v1/reports", json=alert, headers=bearer("reporting_point"))
    assert answer.status_code == 201, answer.text
    ack = answer.json()
    assert set(ack) == {"reference", "event_id"}
    assert "location" not in answer.headers
    [_, filed] = await intake_topic.wait_for(ack["reference"], 2)
    assert filed.envelope.id == ack["event_id"]
    read = await client.get(
        f"/v1/cases/{ack['reference']}", headers=bearer("reporting_point") | PURPOSE
    )
    assert read.status_code == 403
    attach = await client.post(
        "/v1/reports", json=alert | {"case_id": ack["reference"]}, headers=bearer("reporting_point")
    )
    assert attach.status_code == 403


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"departement": "20"}, "departement"),
        ({"channel": "carrier_pigeon"}, "channel"),
        ({"nationality": "xx"}, "nationality"),
        ({"children_present": -1}, "children_present"),
        (
            {"victim": {"last_name": "X", "first_name": "Y", "birth_date": "03/02/1991"}},
            "victim.birth_date",
        ),
    ],
)
async def test_bad_input_is_a_problem_naming_the_field_and_writes_nothing(
    client: httpx.AsyncClient, bearer: Bearer, mongo: Any, changes: dict[str, Any], field: str
) -> None:
    before = await mongo["commits"].count_documents({})
    answer = await client.post("/v1/reports", json=report(**changes), headers=bearer("hotline"))
    assert answer.status_code == 422
    assert answer.headers["content-type"] == "application/problem+json"
    assert field in [e["field"] for e in answer.json()["errors"]]
    assert await mongo["commits"].count_documents({}) == before


async def test_the_same_idempotency_key_returns_the_first_answer(
    client: httpx.AsyncClient, bearer: Bearer, mongo: Any
) -> None:
    headers = bearer("hotline", sub="listener-idem") | {"Idempotency-Key": "call-2026-0001"}
    first = await client.post("/v1/reports", json=report(), headers=headers)
    again = await client.post("/v1/reports", json=report(), headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert len(await commits_of(mongo, first.json()["case_id"])) == 1


async def test_every_read_is_logged_on_the_timeline_with_its_purpose(
    client: httpx.AsyncClient, bearer: Bearer, timeline_topic: KafkaTap
) -> None:
    case_id = (await client.post("/v1/reports", json=report(), headers=bearer("hotline"))).json()[
        "case_id"
    ]
    reader = bearer("committee_member", sub="clav-93-member")
    missing = await client.get(f"/v1/cases/{case_id}", headers=reader)
    assert missing.status_code == 400
    assert missing.json()["errors"][0]["field"] == "header.X-Relais-Purpose"
    outside = await client.get(
        f"/v1/cases/{case_id}", headers=bearer("police", departements=("75",)) | PURPOSE
    )
    assert outside.status_code == 404
    read = await client.get(f"/v1/cases/{case_id}?purpose=committee_review", headers=reader)
    assert read.status_code == 200, read.text
    assert read.json()["departement"] == "93"
    [logged] = await timeline_topic.wait_for(case_id, 1)
    assert logged.envelope.type == "access.logged"
    assert logged.envelope.id == read.json()["access_event_id"]
    assert logged.envelope.data | {"access_id": None} == {
        "access_id": None,
        "case_ids": [case_id],
        "subject_ref": "clav-93-member",
        "role": "committee_member",
        "org": "org-committee_member",
        "resource": "case",
        "purpose": "committee_review",
    }


def case_routes(case_id: str) -> list[tuple[str, str, dict[str, Any] | None]]:
    """Every intake route that names a case: method, path, body."""
    assessment = {"questionnaire": "dash-2009", "level": "high", "answers": []}
    link = {"linked_case_id": "case-any", "link": "same_victim", "confirmed": True}
    return [
        ("GET", f"/v1/cases/{case_id}", None),
        ("POST", f"/v1/cases/{case_id}/risk-assessments", assessment),
        ("POST", f"/v1/cases/{case_id}/close", {"reason": "duplicate"}),
        ("POST", f"/v1/cases/{case_id}/links", link),
        ("POST", "/v1/reports", report(departement="75", case_id=case_id)),
        ("DELETE", f"/v1/cases/{case_id}/personal-data", {"basis": "erasure_request"}),
    ]


async def test_a_case_of_another_departement_answers_as_a_missing_one(
    client: httpx.AsyncClient, bearer: Bearer, mongo: Any
) -> None:
    """Issue 13: the same status and bytes (the id aside) for a case of the 93 asked by a
    police officer of the 75 as for an id that does not exist, on every route naming a case."""
    case_id = (await client.post("/v1/reports", json=report(), headers=bearer("hotline"))).json()[
        "case_id"
    ]
    # Police files, reads and closes; the erasure is the admin's: one token holds both roles.
    police_75 = bearer("police", departements=("75",), also=("admin",)) | PURPOSE
    missing = "case-0000000000000000000000000000"
    for (method, path, body), (_, missing_path, missing_body) in zip(
        case_routes(case_id), case_routes(missing), strict=True
    ):
        hidden = await client.request(method, path, json=body, headers=police_75)
        absent = await client.request(method, missing_path, json=missing_body, headers=police_75)
        assert hidden.status_code == absent.status_code == 404, (path, hidden.text)
        assert hidden.content.replace(case_id.encode(), b"<id>") == absent.content.replace(
            missing.encode(), b"<id>"
        ), path
    assert len(await commits_of(mongo, case_id)) == 1


async def test_an_admin_erases_a_case_by_shredding_its_key(
    client: httpx.AsyncClient, bearer: Bearer, mongo: Any, intake_topic: KafkaTap
) -> None:
    """DELETE .../personal-data (issue 13): the data key goes, case.erased is published, the
    sealed personal data of the case no longer opens, and the case reads as not found."""
    filed = await client.post("/v1/reports", json=report(), headers=bearer("hotline"))
    case_id = filed.json()["case_id"]
    path = f"/v1/cases/{case_id}/personal-data"
    why = {"basis": "erasure_request"}
    refused = await client.request("DELETE", path, json=why, headers=bearer("police"))
    assert refused.status_code == 403  # who follows a case does not shred it
    no_basis = await client.request("DELETE", path, json={}, headers=bearer("admin"))
    assert no_basis.status_code == 422
    erased = await client.request("DELETE", path, json=why, headers=bearer("admin"))
    assert erased.status_code == 200, erased.text
    [record] = [t for t in await intake_topic.wait_for(case_id, 4) if t.envelope.id in erased.text]
    assert record.envelope.type == "case.erased"
    assert record.envelope.data["basis"] == "erasure_request"
    assert await mongo["case_keys"].find_one({"_id": case_id}) == {"_id": case_id, "shredded": True}
    again = await client.request("DELETE", path, json=why, headers=bearer("admin"))
    assert again.status_code == 409
    assert again.json()["rule"] == "CaseAlreadyErased"
    read = await client.get(f"/v1/cases/{case_id}", headers=bearer("hotline") | PURPOSE)
    assert read.status_code == 404
    attach = await client.post(
        "/v1/reports", json=report(case_id=case_id), headers=bearer("hotline")
    )
    assert attach.status_code == 409  # an erased case takes nothing new
