"""Allocations on memory adapters: places never overbooked, persons counted once a night,
compensation when a night fails half-way, release, and the minor's override."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from relais_events.catalogue.shelter import ReleaseReason
from relais_shelter.application import allocations, reads, releases
from relais_shelter.domain import errors

from .harness import DEP, NIGHT, OFFICER, OPERATOR, Harness


async def free(h: Harness, night: dt.date = NIGHT) -> tuple[int, int]:
    found = await reads.availability(h.services, DEP, night, OFFICER)
    return found.adult_places, found.child_places


async def test_an_allocation_takes_a_place_per_person_and_night(h: Harness) -> None:
    site = await h.site(places=10, child_places=4)
    await h.allocate(site, ("pk-mother",), ("pk-child-1", "pk-child-2"), nights=3)
    assert await free(h) == (5, 2)
    assert await free(h, NIGHT + dt.timedelta(days=2)) == (5, 2)
    assert await free(h, NIGHT + dt.timedelta(days=3)) == (6, 4)
    assert h.types()[-1] == "shelter.allocated"


async def test_fifty_concurrent_requests_for_the_last_ten_places_ten_succeed(h: Harness) -> None:
    site = await h.site(places=12)
    await h.allocate(site, ("pk-x",))
    await h.allocate(site, ("pk-y",))
    results = await asyncio.gather(
        *(h.allocate(site, (f"pk-{i}",), case_id=f"case-{i}") for i in range(50)),
        return_exceptions=True,
    )
    won = [r for r in results if isinstance(r, str)]
    full = [r for r in results if isinstance(r, errors.NightFull)]
    assert (len(won), len(full)) == (10, 40)
    assert "night 2026-03-02 is full" in full[0].detail
    assert await free(h) == (0, 0)
    assert not h.operations.running  # nothing left in flight


async def test_two_processes_claiming_the_same_person_night_one_succeeds(h: Harness) -> None:
    first, second = h.process(), h.process()
    site_a, site_b = await h.site(), await h.site()
    results = await asyncio.gather(
        h.allocate(site_a, ("pk-same",), services=first),
        h.allocate(site_b, ("pk-same",), services=second),
        return_exceptions=True,
    )
    assert sorted(type(r).__name__ for r in results) == ["PersonAlreadySheltered", "str"]
    assert sum(await free(h)) == 19  # one place taken across both sites, not two


async def test_a_full_third_night_gives_back_the_first_two(h: Harness) -> None:
    site = await h.site(places=2)
    await h.allocate(site, ("pk-1", "pk-2"), first_night=NIGHT + dt.timedelta(days=2))
    with pytest.raises(errors.NightFull, match="2026-03-04"):
        await h.allocate(site, ("pk-3",), nights=3)
    assert await free(h) == (2, 0)
    assert await free(h, NIGHT + dt.timedelta(days=1)) == (2, 0)
    assert not [k for k, v in h.reservations.held.items() if "pk-3" in k]
    assert h.types().count("shelter.allocated") == 1  # the first allocation only
    assert not h.operations.running


async def test_release_frees_the_nights_after_the_last_one_stayed(h: Harness) -> None:
    site = await h.site(places=1)
    allocation = await h.allocate(site, ("pk-1",), nights=5)
    await releases.release(h.services, allocation, NIGHT, ReleaseReason.MOVED_ON, OPERATOR)
    assert await free(h) == (0, 0)
    assert await free(h, NIGHT + dt.timedelta(days=1)) == (1, 0)
    await h.allocate(site, ("pk-2",), first_night=NIGHT + dt.timedelta(days=1), nights=4)
    with pytest.raises(errors.AlreadyReleased):
        await releases.release(h.services, allocation, NIGHT, ReleaseReason.MOVED_ON, OPERATOR)
    assert h.types().count("shelter.allocation_released") == 1


async def test_an_adult_without_consent_is_refused_and_holds_nothing(h: Harness) -> None:
    site = await h.site()
    with pytest.raises(errors.ConsentRequired):
        await h.allocate(site, consent=False)
    assert h.reservations.held == {}


async def test_a_minor_without_consent_gets_the_place_and_the_override_is_an_event(
    h: Harness,
) -> None:
    """DOMAIN.md "Minors": consent rules never block shelter for a minor; it is recorded."""
    site = await h.site()
    allocation = await h.allocate(site, minor=True, consent=False)
    stream = await h.stream(allocation)
    assert [e.type for e in stream] == ["shelter.allocated", "shelter.consent_overridden"]
    assert stream[1].data["ground"] == "minor"
    assert stream[0].subject == "case-1"
    assert stream[0].jurisdiction == DEP


async def refused_for(h: Harness, site: str, case_id: str) -> errors.CaseNotKnown:
    """The refusal of an allocation for ``case_id`` (the harness's helper would learn it)."""
    with pytest.raises(errors.CaseNotKnown) as refused:
        await allocations.allocate(
            h.services,
            case_id=case_id,
            site_id=site,
            first_night=NIGHT,
            nights=1,
            adults=("pk-1",),
            children=(),
            consent_given=True,
            acting=OPERATOR,
        )
    return refused.value


async def test_a_case_not_learnt_from_intake_gets_no_place_and_holds_nothing(
    h: Harness,
) -> None:
    """Every allocation is of a case (issue 11: every claim points at an allocation of a case):
    409 ``CaseNotKnown`` with a retry hint until the worker learnt the case from intake."""
    site = await h.site()
    refused = await refused_for(h, site, "case-never-reported")
    assert (refused.status, refused.retry_after_s) == (409, 1)
    assert h.reservations.held == {}
    assert not h.operations.running
    assert "shelter.allocated" not in h.types()
    h.know("case-never-reported")  # the report reached the worker: the same request succeeds
    assert await h.allocate(site, case_id="case-never-reported")


async def test_a_case_of_another_departement_answers_as_a_case_not_learnt(h: Harness) -> None:
    """No search across départements (DOMAIN.md "Cases"): a case of the 75 is, for an operator
    of the 93, exactly a case shelter does not know, status and detail alike."""
    site = await h.site()
    h.know("case-75", departement="75")
    hidden = await refused_for(h, site, "case-75")
    missing = await refused_for(h, site, "case-76")
    assert (hidden.status, hidden.detail.replace("case-75", "<id>")) == (
        missing.status,
        missing.detail.replace("case-76", "<id>"),
    )
    assert h.reservations.held == {}


async def test_whether_the_victim_is_a_minor_is_the_cases_fact_not_the_callers(
    h: Harness,
) -> None:
    """DOMAIN.md "Minors": the case intake reported as a minor's is sheltered without consent,
    the override recorded; an adult's case still needs consent, whatever the caller says."""
    site = await h.site()
    h.know("case-minor", minor=True)
    allocation = await h.allocate(site, ("pk-m",), case_id="case-minor", consent=False)
    stream = await h.stream(allocation)
    assert [e.type for e in stream] == ["shelter.allocated", "shelter.consent_overridden"]
    assert stream[0].data["minor_victim"] is True
    assert stream[0].dependson == ("e-case-minor",)  # after the report, on the timeline
    h.know("case-adult", minor=False)
    with pytest.raises(errors.ConsentRequired):
        await h.allocate(site, ("pk-a",), case_id="case-adult", minor=True, consent=False)


async def test_another_operator_cannot_allocate_a_sites_places(h: Harness) -> None:
    site = await h.site()
    h.know("case-1")
    with pytest.raises(errors.NotTheSitesOperator):
        await allocations.allocate(
            h.services,
            case_id="case-1",
            site_id=site,
            first_night=NIGHT,
            nights=1,
            adults=("pk-1",),
            children=(),
            consent_given=True,
            acting=OPERATOR.__class__("other", OPERATOR.role, "hotel-93", OPERATOR.jurisdictions),
        )


async def test_the_sites_address_is_sealed_never_in_data(h: Harness) -> None:
    site = await h.site()
    registered = (await h.stream(site))[0]
    assert registered.pii is not None
    assert "Lilas" not in registered.model_dump_json(exclude={"pii"})
    assert "Lilas" not in registered.pii.ciphertext


async def test_two_releases_at_once_one_is_recorded_and_nothing_is_left_held(h: Harness) -> None:
    """Releasing on the last night frees no night, so the two releases have no key to race on:
    the allocation's stream decides, and the loser gives back what it took."""
    site = await h.site(places=2)
    allocation = await h.allocate(site, nights=2)
    last = NIGHT + dt.timedelta(days=1)
    results = await asyncio.gather(
        *(
            releases.release(h.process(), allocation, last, ReleaseReason.STAY_ENDED, OPERATOR)
            for _ in range(2)
        ),
        return_exceptions=True,
    )
    assert sorted(type(r).__name__ for r in results) == ["AlreadyReleased", "Committed"]
    assert h.types().count("shelter.allocation_released") == 1
    assert not h.operations.running
