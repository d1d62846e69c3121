"""A risk level lowered on review reaches the committee timeline (issue 16).

An officer files a complaint with a danger questionnaire, the 3919 raises the level to grave
danger; a prosecutor who holds the ``risk_reviewer`` role lowers it with a written reason. The
committee of the département reads ``risk.lowered`` named in the reviewer's role, sees the new
level on its case list, and never the written reason (sealed in ``pii``). The officer who
assessed the case, though also a reviewer, was refused first: nothing of that attempt shows.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from relais_infra.testing import Servers

from .harness import Json, Platform, bearer, open_platform, types_of

pytestmark = pytest.mark.servers

DEP = "33"
WRITTEN_REASON = "Mis en examen, placé en détention provisoire le 12 mars."


@pytest.fixture(scope="module")
async def platform(
    servers: Servers, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Platform]:
    async with open_platform(servers, "sys5", tmp_path_factory.mktemp("sys5-keys")) as opened:
        yield opened


async def test_a_lowering_by_a_reviewer_is_on_the_committee_timeline(platform: Platform) -> None:
    officer = bearer("police", DEP, sub="opj-33", org="pn-33", also=("risk_reviewer",))
    complaint: Json = {
        "channel": "police",
        "report_kind": "complaint",
        "case_kind": "conjugal_violence",
        "departement": DEP,
        "minor_victim": False,
        "victim": {"last_name": "Carrère", "first_name": "Maëlys"},
        "assessment": {"questionnaire": "grille-danger", "level": "high", "answers": []},
    }
    case_id = (await platform.report(complaint, officer))["case_id"]
    url = f"/v1/cases/{case_id}/risk-assessments"
    listener = bearer("hotline", DEP, sub="ecoutante-3919", org="fnsf")
    raise_ = {"questionnaire": "dash-2009", "level": "grave_danger"}
    assert (await platform.intake.post(url, json=raise_, headers=listener)).status_code == 201

    lower = {
        "questionnaire": "dash-2009",
        "level": "medium",
        "lowering_reason": "perpetrator_detained",
        "written_reason": WRITTEN_REASON,
    }
    # The listener who raised it has no reviewer role; the officer was an assessor of the case.
    listener_lowers = await platform.intake.post(url, json=lower, headers=listener)
    assert listener_lowers.status_code == 403
    officer_lowers = await platform.intake.post(url, json=lower, headers=officer)
    assert officer_lowers.json().get("rule") == "ReviewerAssessedTheCase", officer_lowers.text
    prosecutor = bearer("prosecutor", DEP, sub="pr-33", org="tj-bordeaux", also=("risk_reviewer",))
    lowered = await platform.intake.post(url, json=lower, headers=prosecutor)
    assert lowered.status_code == 201, lowered.text

    member = bearer("committee_member", DEP, sub="member-33", org="clav-33")
    answer = await platform.case_timeline(case_id, member, lowered.json()["min_event"])
    assert answer.status_code == 200, answer.text
    assert WRITTEN_REASON not in answer.text
    assert "Carrère" not in answer.text
    entries = answer.json()["entries"]
    assert types_of(entries) == [
        "case.opened",
        "report.filed",
        "risk.assessed",  # high, the officer's questionnaire
        "risk.assessed",  # grave danger, the 3919
        "risk.assessed",  # medium, the review
        "risk.lowered",
    ]
    review = entries[-1]
    assert review["actor_role"] == "risk_reviewer"
    assert review["data"]["reviewer_role"] == "risk_reviewer"
    assert review["data"]["reason"] == "perpetrator_detained"
    assert (review["data"]["from_level"], review["data"]["to_level"]) == ("grave_danger", "medium")

    listing = await platform.timeline.get(f"/v1/committees/{DEP}/cases", headers=member)
    assert listing.status_code == 200, listing.text
    [row] = [c for c in listing.json()["cases"] if c["case_id"] == case_id]
    assert row["risk_level"] == "medium"
