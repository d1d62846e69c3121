"""The shelter's rules on the pure domain: each names its source (DOMAIN.md "Shelter and
nights", "Minors") in the docstring of the rule it tests."""

from __future__ import annotations

import datetime as dt

import pytest
from relais_events.catalogue.shelter import (
    FundingEnvelopeExhausted,
    NightClaimRejection,
    ReleaseReason,
    ShelterConsentOverridden,
)
from relais_shelter.domain import errors
from relais_shelter.domain.allocation import (
    Allocate,
    Allocation,
    Release,
    decide_allocation,
    evolve_allocation,
    freed_nights,
)
from relais_shelter.domain.claim import ClaimNight, claim_verdict
from relais_shelter.domain.envelope import (
    MarkExhausted,
    OpenEnvelope,
    decide_envelope,
    evolve_envelope,
)
from relais_shelter.domain.keys import Pool, night_of, place_key, place_of
from relais_shelter.domain.site import (
    DeclareCapacity,
    RegisterSite,
    Site,
    decide_site,
    evolve_site,
)

NOW = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
NIGHT = dt.date(2026, 3, 2)
ORG = "chrs-93"


def site(places: int = 4, child_places: int = 2, accepts_children: bool = True) -> Site:
    state = None
    for event in decide_site(None, RegisterSite("site-1", ORG, "93", accepts_children, True), NOW):
        state = evolve_site(state, event)
    declare = DeclareCapacity(ORG, NIGHT, NIGHT + dt.timedelta(days=9), places, child_places)
    for event in decide_site(state, declare, NOW):
        state = evolve_site(state, event)
    assert state is not None
    return state


def allocate(**changes: object) -> Allocate:
    fields: dict[str, object] = {
        "allocation_id": "alloc-1",
        "case_id": "case-1",
        "site_id": "site-1",
        "operator_org": ORG,
        "first_night": NIGHT,
        "nights": 3,
        "adults": ("pk-m",),
        "children": ("pk-c",),
        "minor_victim": False,
        "consent_given": True,
    }
    fields.update(changes)
    return Allocate(**fields)  # type: ignore[arg-type]


def allocated(command: Allocate | None = None) -> Allocation:
    state = None
    for event in decide_allocation(None, command or allocate(), site(), NOW):
        state = evolve_allocation(state, event)
    assert state is not None
    return state


def test_a_declaration_never_lowers_a_nights_places() -> None:
    """A site never allocates more places than it declared: lowering could go below them."""
    with pytest.raises(errors.CapacityCannotShrink):
        decide_site(site(4, 2), DeclareCapacity(ORG, NIGHT, NIGHT, 3, 2), NOW)
    with pytest.raises(errors.CapacityCannotShrink):  # 2 adult places would become 1
        decide_site(site(4, 2), DeclareCapacity(ORG, NIGHT, NIGHT, 4, 3), NOW)
    raised = evolve_site(
        site(4, 2), decide_site(site(4, 2), DeclareCapacity(ORG, NIGHT, NIGHT, 6, 2), NOW)[0]
    )
    assert (raised.capacity_on(NIGHT).adult, raised.capacity_on(NIGHT).child) == (4, 2)
    assert raised.capacity_on(NIGHT + dt.timedelta(days=1)).adult == 2


def test_child_places_are_part_of_the_places_and_need_a_site_taking_children() -> None:
    with pytest.raises(errors.ChildPlacesOverPlaces):
        decide_site(site(), DeclareCapacity(ORG, NIGHT, NIGHT, 2, 3), NOW)
    with pytest.raises(errors.SiteTakesNoChildren):
        site(4, 1, accepts_children=False)


def test_only_the_sites_operator_declares_and_allocates() -> None:
    with pytest.raises(errors.NotTheSitesOperator):
        decide_site(site(), DeclareCapacity("hotel-93", NIGHT, NIGHT, 9, 2), NOW)
    with pytest.raises(errors.NotTheSitesOperator):
        decide_allocation(None, allocate(operator_org="hotel-93"), site(), NOW)


def test_an_allocation_asks_only_for_declared_places() -> None:
    with pytest.raises(errors.NightNotDeclared):
        decide_allocation(None, allocate(children=("c1", "c2", "c3")), site(), NOW)
    with pytest.raises(errors.NightNotDeclared):  # the declaration covers 10 nights
        decide_allocation(None, allocate(first_night=NIGHT + dt.timedelta(days=8)), site(), NOW)
    with pytest.raises(errors.BadNightRange):
        decide_allocation(None, allocate(nights=0), site(), NOW)
    with pytest.raises(errors.PersonAlreadySheltered):
        decide_allocation(None, allocate(adults=("pk-m",), children=("pk-m",)), site(), NOW)


def test_consent_is_needed_for_an_adult_never_for_a_minor() -> None:
    """DOMAIN.md "Minors": consent rules never block shelter for a minor; the override is
    recorded (an event)."""
    with pytest.raises(errors.ConsentRequired):
        decide_allocation(None, allocate(consent_given=False), site(), NOW)
    events = decide_allocation(None, allocate(consent_given=False, minor_victim=True), site(), NOW)
    assert isinstance(events[1], ShelterConsentOverridden)
    assert len(decide_allocation(None, allocate(minor_victim=True), site(), NOW)) == 1


def test_a_release_frees_the_nights_after_the_last_one_stayed_once() -> None:
    state = allocated()
    release = Release("alloc-1", ORG, NIGHT, ReleaseReason.MOVED_ON)
    after = evolve_allocation(state, decide_allocation(state, release, site(), NOW)[0])
    assert freed_nights(state, NIGHT) == [
        NIGHT + dt.timedelta(days=1),
        NIGHT + dt.timedelta(days=2),
    ]
    assert after.held_nights() == [NIGHT]
    with pytest.raises(errors.AlreadyReleased):
        decide_allocation(after, release, site(), NOW)
    with pytest.raises(errors.ReleaseOutsideStay):
        decide_allocation(
            state,
            Release("alloc-1", ORG, NIGHT + dt.timedelta(days=3), ReleaseReason.MOVED_ON),
            site(),
            NOW,
        )
    eve = Release("alloc-1", ORG, NIGHT - dt.timedelta(days=1), ReleaseReason.LEFT_WITHOUT_NOTICE)
    assert (
        evolve_allocation(state, decide_allocation(state, eve, site(), NOW)[0]).held_nights() == []
    )


def test_a_claim_points_at_a_night_the_allocation_holds_inside_the_envelope() -> None:
    """Every claim points at an allocation for a case; claims stay inside the envelope's
    period and territory (DOMAIN.md "Shelter and nights")."""
    envelope = evolve_envelope(
        None,
        decide_envelope(
            None,
            OpenEnvelope("env-1", "pref-93", "93", NIGHT, NIGHT + dt.timedelta(days=1), 10, 1000),
            NOW,
        )[0],
    )
    national = evolve_envelope(
        None,
        decide_envelope(None, OpenEnvelope("env-2", "dgcs", None, NIGHT, NIGHT, 10, 0), NOW)[0],
    )
    claim = ClaimNight("claim-1", "alloc-1", "env-1", NIGHT, ORG)
    state = allocated()
    assert claim_verdict(claim, state, site(), envelope) is None
    assert claim_verdict(claim, state, site(), national) is None
    late = ClaimNight("claim-1", "alloc-1", "env-1", NIGHT + dt.timedelta(days=2), ORG)
    assert (
        claim_verdict(late, state, site(), envelope) is NightClaimRejection.OUTSIDE_ENVELOPE_PERIOD
    )
    early = ClaimNight("claim-1", "alloc-1", "env-1", NIGHT - dt.timedelta(days=1), ORG)
    assert claim_verdict(early, state, site(), envelope) is NightClaimRejection.NO_ALLOCATION
    paris = evolve_envelope(
        None,
        decide_envelope(None, OpenEnvelope("env-3", "pref-75", "75", NIGHT, NIGHT, 10, 0), NOW)[0],
    )
    assert (
        claim_verdict(claim, state, site(), paris) is NightClaimRejection.OUTSIDE_ENVELOPE_TERRITORY
    )
    with pytest.raises(errors.AllocationNotFound):
        claim_verdict(claim, None, site(), envelope)


def test_an_envelope_is_exhausted_once() -> None:
    opened = evolve_envelope(
        None,
        decide_envelope(None, OpenEnvelope("env-1", "pref-93", "93", NIGHT, NIGHT, 10, 1005), NOW)[
            0
        ],
    )
    assert opened.night_cents == 100  # whole cents: the remainder is not claimable
    first = decide_envelope(opened, MarkExhausted(10), NOW)
    assert isinstance(first[0], FundingEnvelopeExhausted)
    assert decide_envelope(evolve_envelope(opened, first[0]), MarkExhausted(10), NOW) == []
    with pytest.raises(errors.BadEnvelopePeriod):
        decide_envelope(
            None, OpenEnvelope("env-9", "p", "93", NIGHT, NIGHT - dt.timedelta(days=1), 1, 0), NOW
        )


def test_reservation_keys_name_their_night_and_place() -> None:
    key = place_key("site:with:colons", NIGHT, Pool.CHILD, 7)
    assert night_of(key) == NIGHT
    assert place_of(key) == ("site:with:colons", NIGHT, Pool.CHILD, 7)
