"""Request and response bodies of the shelter api: separate from commands, events and state.

Requests refuse unknown fields (``StrictModel``): a misspelt field is a 422 naming it and
nothing is written. A site's name and address are accepted here, sealed into ``pii`` and never
answered back; no answer names a site to anyone but its operator.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints
from relais_events.catalogue.shelter import ReleaseReason
from relais_events.vocabulary import Departement, Identifier
from relais_kit.http.schemas import StrictModel

from relais_shelter.domain.allocation import MAX_STAY_NIGHTS

Text = Annotated[str, StringConstraints(min_length=1, max_length=300)]


class Accepted(BaseModel):
    """What a command committed; ``min_event`` lets a client wait for it on the timeline."""

    event_ids: list[str]
    min_event: str | None


class SiteIn(StrictModel):
    departement: Departement
    name: Text
    address: Text
    accepts_children: bool = False
    step_free_access: bool = False


class SiteRegistered(Accepted):
    site_id: str


class CapacityIn(StrictModel):
    first_night: dt.date
    last_night: dt.date
    places: int = Field(ge=0, le=10_000)
    child_places: int = Field(default=0, ge=0, le=10_000)


class AllocationIn(StrictModel):
    """What the console's allocation form sends (``relais_console.entrypoints.routes_shelter``).
    No ``minor_victim``: it is a fact of the case, learnt from intake, never the caller's say."""

    case_id: Identifier
    site_id: Identifier
    first_night: dt.date
    nights: int = Field(ge=1, le=MAX_STAY_NIGHTS)
    adults: list[Identifier] = Field(min_length=1, max_length=20)  # pseudonymous person keys
    children: list[Identifier] = Field(default_factory=list, max_length=20)
    consent_given: bool = False


class AllocationOut(Accepted):
    allocation_id: str
    case_id: str
    site_id: str
    departement: str
    first_night: dt.date
    nights: int
    adults: int
    children: int
    minor_victim: bool
    released_after: dt.date | None = None


class ReleaseIn(StrictModel):
    last_night: dt.date  # the last night stayed; the nights after it are freed
    reason: ReleaseReason


class ClaimIn(StrictModel):
    allocation_id: Identifier
    envelope_id: Identifier
    night: dt.date


class ClaimOut(Accepted):
    claim_id: str
    outcome: str  # accepted | rejected
    reason: str | None = None


class EnvelopeIn(StrictModel):
    departement: Departement | None = None  # None: a national envelope
    period_start: dt.date
    period_end: dt.date
    nights: int = Field(ge=1, le=10_000_000)
    amount_cents: int = Field(ge=0)


class EnvelopeOpened(Accepted):
    envelope_id: str


class EnvelopeOut(BaseModel):
    envelope_id: str
    funder_org: str
    departement: str | None
    period_start: dt.date
    period_end: dt.date
    nights: int
    amount_cents: int
    nights_claimed: int
    nights_remaining: int
    amount_claimed_cents: int
    amount_remaining_cents: int
    exhausted: bool


class AvailabilityOut(BaseModel):
    """Counts only: never a site's id, name or address (DOMAIN.md "Shelter and nights")."""

    departement: str
    night: dt.date
    adult_places: int
    child_places: int
