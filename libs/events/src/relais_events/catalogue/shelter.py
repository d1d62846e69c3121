"""Events of the shelter context: sites, places, allocations, nights and funding envelopes.

A site's name and address are secret outside the shelter service: they are never in ``data``;
``shelter.site_registered`` carries them sealed in ``pii`` (the site's own data key), so only the
shelter service, which holds the key, can open them. Money is in integer cents, so that
canonical JSON never has to agree on a float's digits.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import Field

from relais_events import topics
from relais_events.catalogue.base import Event, register
from relais_events.vocabulary import Departement, Identifier


class ReleaseReason(StrEnum):
    STAY_ENDED = "stay_ended"
    MOVED_ON = "moved_on"  # to longer-term housing
    LEFT_WITHOUT_NOTICE = "left_without_notice"
    TRANSFERRED = "transferred"


class NightClaimRejection(StrEnum):
    ENVELOPE_EXHAUSTED = "envelope_exhausted"
    NO_ALLOCATION = "no_allocation"
    PERSON_ALREADY_COUNTED = "person_already_counted"  # once per night across all sites
    OVER_DECLARED_CAPACITY = "over_declared_capacity"
    OUTSIDE_ENVELOPE_PERIOD = "outside_envelope_period"
    OUTSIDE_ENVELOPE_TERRITORY = "outside_envelope_territory"  # the site is in another département


class ShelterOverrideGround(StrEnum):
    MINOR = "minor"  # a minor victim is protected unconditionally (trafficking plan, axis 3)


class _Shelter(Event):
    TOPIC = topics.SHELTER


@register
class SiteRegistered(_Shelter):
    """A shelter or hotel site. Its name and address are sealed in ``pii``, never here."""

    TYPE = "shelter.site_registered"

    site_id: Identifier
    operator_org: Identifier
    departement: Departement
    accepts_children: bool
    step_free_access: bool


@register
class CapacityDeclared(_Shelter):
    """Places a site offers on each night of a range; allocations never exceed them.

    ``child_places`` of the ``places`` suit children (family rooms): a child is only placed in
    one of them, an adult only in one of the others. Absent (0) in the first records.
    """

    TYPE = "shelter.capacity_declared"

    site_id: Identifier
    first_night: dt.date
    last_night: dt.date
    places: int = Field(ge=0, le=10_000)
    child_places: int = Field(default=0, ge=0, le=10_000)


@register
class ShelterAllocated(_Shelter):
    TYPE = "shelter.allocated"

    allocation_id: Identifier
    case_id: Identifier
    site_id: Identifier
    first_night: dt.date
    nights: int = Field(ge=1, le=366)
    adults: int = Field(ge=1, le=20)
    children: int = Field(ge=0, le=20)
    minor_victim: bool  # consent rules never block shelter for a minor; the override is recorded


@register
class ShelterConsentOverridden(_Shelter):
    """A place given without the person's consent because the victim is a minor: consent rules
    never block shelter for a minor, and the override is recorded (DOMAIN.md "Minors")."""

    TYPE = "shelter.consent_overridden"

    allocation_id: Identifier
    case_id: Identifier
    ground: ShelterOverrideGround


@register
class AllocationReleased(_Shelter):
    TYPE = "shelter.allocation_released"

    allocation_id: Identifier
    case_id: Identifier
    site_id: Identifier
    last_night: dt.date
    reason: ReleaseReason


@register
class NightClaimed(_Shelter):
    """A night actually provided, claimed against a funding envelope; points at its allocation."""

    TYPE = "shelter.night_claimed"

    claim_id: Identifier
    allocation_id: Identifier
    case_id: Identifier
    site_id: Identifier
    envelope_id: Identifier
    night: dt.date
    persons: int = Field(ge=1, le=40)


@register
class NightClaimRejected(_Shelter):
    TYPE = "shelter.night_claim_rejected"

    claim_id: Identifier
    allocation_id: Identifier
    case_id: Identifier
    envelope_id: Identifier
    night: dt.date
    reason: NightClaimRejection


@register
class FundingEnvelopeOpened(_Shelter):
    """N nights (and an amount) per period and territory, like the 2020 fund's 20,000 nights."""

    TYPE = "funding.envelope_opened"

    envelope_id: Identifier
    funder_org: Identifier
    departement: Departement | None  # None: a national envelope
    period_start: dt.date
    period_end: dt.date
    nights: int = Field(ge=1)
    amount_cents: int = Field(ge=0)


@register
class FundingEnvelopeExhausted(_Shelter):
    TYPE = "funding.envelope_exhausted"

    envelope_id: Identifier
    nights_claimed: int = Field(ge=0)
