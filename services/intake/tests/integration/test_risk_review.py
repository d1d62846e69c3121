"""Lowering a risk level over HTTP on the real servers (issue 16): only a reviewer, granted the
``risk_reviewer`` role explicitly, who neither raised nor last assessed the level, with a written
reason; the review is named in the reviewer's role, and nothing is written when refused."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from .conftest import Bearer, KafkaTap
from .test_api import PURPOSE, commits_of, report

pytestmark = pytest.mark.servers

LOWER = {"questionnaire": "dash-2009", "level": "medium"}
REASONS = {"lowering_reason": "perpetrator_detained", "written_reason": "Placé en détention."}


async def raised_case(client: httpx.AsyncClient, bearer: Bearer) -> str:
    """A listener opens the case (medium), an officer raises it to grave danger."""
    filed = await client.post("/v1/reports", json=report(), headers=bearer("hotline"))
    case_id: str = filed.json()["case_id"]
    raise_ = {"questionnaire": "dash-2009", "level": "grave_danger", "raised_by_judgement": True}
    raised = await client.post(
        f"/v1/cases/{case_id}/risk-assessments",
        json=raise_,
        headers=bearer("police", sub="opj-raised"),
    )
    assert raised.status_code == 201, raised.text
    return case_id


async def refused(
    client: httpx.AsyncClient, mongo: Any, case_id: str, body: dict[str, Any], headers: Any
) -> dict[str, Any]:
    before = len(await commits_of(mongo, case_id))
    answer = await client.post(f"/v1/cases/{case_id}/risk-assessments", json=body, headers=headers)
    assert answer.headers["content-type"] == "application/problem+json", answer.text
    assert len(await commits_of(mongo, case_id)) == before  # nothing written
    problem: dict[str, Any] = answer.json()
    return problem


async def test_a_police_officer_without_the_reviewer_role_may_not_lower(
    client: httpx.AsyncClient, bearer: Bearer, mongo: Any
) -> None:
    case_id = await raised_case(client, bearer)
    for role in ("police", "prosecutor", "committee_member", "hotline"):
        problem = await refused(
            client, mongo, case_id, LOWER | REASONS, bearer(role, sub=f"{role}-other")
        )
        assert (problem["status"], problem["rule"]) == (403, "LoweringNeedsReviewer")


async def test_a_reviewer_may_not_lower_their_own_assessment(
    client: httpx.AsyncClient, bearer: Bearer, mongo: Any
) -> None:
    case_id = await raised_case(client, bearer)
    # The officer who raised it holds the reviewer role too: still no second look.
    own = bearer("police", sub="opj-raised", also=("risk_reviewer",))
    problem = await refused(client, mongo, case_id, LOWER | REASONS, own)
    assert (problem["status"], problem["rule"]) == (403, "ReviewerAssessedTheCase")


async def test_a_reviewer_needs_a_written_reason(
    client: httpx.AsyncClient, bearer: Bearer, mongo: Any
) -> None:
    case_id = await raised_case(client, bearer)
    reviewer = bearer("police", sub="opj-specialised", also=("risk_reviewer",))
    for body in (LOWER, LOWER | {"lowering_reason": "perpetrator_detained"}):
        problem = await refused(client, mongo, case_id, body, reviewer)
        assert (problem["status"], problem["rule"]) == (422, "LoweringNeedsWrittenReason")


async def test_a_reviewer_lowers_with_a_written_reason_named_in_the_reviewer_role(
    client: httpx.AsyncClient, bearer: Bearer, intake_topic: KafkaTap
) -> None:
    case_id = await raised_case(client, bearer)
    reviewer = bearer("police", sub="opj-specialised", also=("risk_reviewer",))
    lowered = await client.post(
        f"/v1/cases/{case_id}/risk-assessments", json=LOWER | REASONS, headers=reviewer
    )
    assert lowered.status_code == 201, lowered.text
    tapped = await intake_topic.wait_for(case_id, 6)
    assert [t.envelope.type for t in tapped] == [
        "case.opened",
        "report.filed",
        "risk.assessed",  # medium, with the listener's report
        "risk.assessed",  # grave danger, by the officer
        "risk.assessed",  # medium, by the reviewer
        "risk.lowered",
    ]
    assessors = [t.envelope.data["assessor_ref"] for t in tapped[2:5]]
    assert assessors == ["user-1", "opj-raised", "opj-specialised"]
    review = tapped[-1].envelope
    assert review.id == lowered.json()["min_event"]
    assert review.data["reviewer_role"] == "risk_reviewer"
    assert review.actor.role == "risk_reviewer"  # the envelope says so too
    assert b"tention" not in tapped[-1].value  # the written reason is sealed
    view = await client.get(f"/v1/cases/{case_id}", headers=bearer("police") | PURPOSE)
    assert view.json()["risk_level"] == "medium"
