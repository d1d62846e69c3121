"""A shelter operator's free places, shown before sending, from ``relais.shelter.v1`` only:
events built and signed here as the shelter service builds them, published to the real topic,
learnt by the real worker (never the shelter service's database)."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

import pytest
from relais_events.catalogue import Event
from relais_events.catalogue.shelter import (
    AllocationReleased,
    CapacityDeclared,
    ReleaseReason,
    ShelterAllocated,
    SiteRegistered,
)

from .harness import Api, bearer, eventually, signed

pytestmark = [pytest.mark.servers, pytest.mark.timeout(120)]
NIGHT = dt.date(2026, 3, 2)
OFFICER = bearer("police", "93", org="pn-93")


def shelter(event: Event, subject: str, version: int = 1) -> Any:
    return signed(event, "shelter", subject, subject, version, "93")


async def free_places(api: Api, org: str, night: dt.date) -> int | None:
    answer = await api.client.get(
        "/v1/partners",
        params={"departement": "93", "kind": "shelter_operator", "night": night.isoformat()},
        headers=OFFICER,
    )
    assert answer.status_code == 200, answer.text
    found = [p["free_places"] for p in answer.json() if p["org"] == org]
    return found[0] if found else None


async def test_free_places_follow_the_shelter_services_events(api: Api) -> None:
    org = f"chrs-{secrets.token_hex(3)}"
    site = f"site-{secrets.token_hex(3)}"
    await api.register("shelter_operator", org, "93")
    assert await free_places(api, org, NIGHT) == 0  # no site known yet
    registered = SiteRegistered(
        site_id=site,
        operator_org=org,
        departement="93",
        accepts_children=True,
        step_free_access=True,
    )
    declared = CapacityDeclared(
        site_id=site, first_night=NIGHT, last_night=NIGHT + dt.timedelta(days=9), places=12
    )
    allocated = ShelterAllocated(
        allocation_id=f"alloc-{site}",
        case_id=f"case-{site}",
        site_id=site,
        first_night=NIGHT,
        nights=4,
        adults=1,
        children=3,
        minor_victim=False,
    )
    await api.publish(shelter(registered, site), shelter(declared, site, 2))
    await api.publish(shelter(allocated, f"case-{site}"))

    async def eight() -> bool:
        return await free_places(api, org, NIGHT) == 8

    await eventually(eight, "12 declared minus 4 persons")
    released = AllocationReleased(
        allocation_id=f"alloc-{site}",
        case_id=f"case-{site}",
        site_id=site,
        last_night=NIGHT,
        reason=ReleaseReason.STAY_ENDED,
    )
    await api.publish(shelter(released, f"case-{site}", 2))

    async def freed() -> bool:
        return await free_places(api, org, NIGHT + dt.timedelta(days=1)) == 12

    await eventually(freed, "the nights after the release freed")
    assert await free_places(api, org, NIGHT) == 8  # the night stayed stays taken
