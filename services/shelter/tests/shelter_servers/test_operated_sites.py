"""An operator's own sites with their places per night, declared and free (what the console's
shelter page shows): counts only, to the site's operator only."""

from __future__ import annotations

import datetime as dt

import pytest

from .harness import DEP, NIGHT, OFFICER, Api, bearer

pytestmark = [pytest.mark.servers, pytest.mark.timeout(120)]


async def test_an_operator_sees_its_sites_places_per_night_and_nobody_else_does(
    api: Api,
) -> None:
    site = await api.site(places=3, child_places=1)
    await api.know("case-1")  # intake's case, as the worker learns it
    answer = await api.allocate(site, "pk-a", nights=2)
    assert answer.status_code == 201, answer.text
    before = (NIGHT - dt.timedelta(days=1)).isoformat()  # declared from NIGHT on
    params = {"first_night": before, "nights": "4"}

    found = await api.client.get("/v1/sites", params=params, headers=bearer("shelter_operator"))
    assert found.status_code == 200, found.text
    (listed,) = found.json()["sites"]
    assert (listed["site_id"], listed["departement"]) == (site, DEP)
    assert set(listed) == {
        "site_id",
        "departement",
        "accepts_children",
        "step_free_access",
        "nights",
    }
    assert [(n["adult_places"], n["adult_free"], n["child_free"]) for n in listed["nights"]] == [
        (0, 0, 0),  # the eve: nothing declared
        (2, 1, 1),  # the two allocated nights: one adult place taken
        (2, 1, 1),
        (2, 2, 1),
    ]

    other_org = bearer("shelter_operator", org="chrs-93-voisin")
    other_dep = bearer("shelter_operator", "75")
    for headers in (other_org, other_dep):
        answer = await api.client.get("/v1/sites", params=params, headers=headers)
        assert answer.status_code == 200, answer.text
        assert answer.json() == {"sites": []}
    answer = await api.client.get("/v1/sites", params=params, headers=OFFICER)
    assert answer.status_code == 403  # referrers see counts of a département, never a site
    too_long = await api.client.get(
        "/v1/sites",
        params={"first_night": before, "nights": "32"},
        headers=bearer("shelter_operator"),
    )
    assert too_long.status_code == 422
