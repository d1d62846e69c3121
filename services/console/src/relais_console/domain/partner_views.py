"""What the console reads from the shelter and referrals services (issues 11 and 12).

Shelter: ``POST /v1/allocations``, ``GET /v1/allocations/{id}``, ``POST /v1/claims``,
``GET /v1/envelopes/{id}``, ``GET /v1/availability``, ``GET /v1/sites``, driven against the real
shelter api by ``tests/browser/test_shelter_in_a_browser.py``. Referrals:
``GET /v1/partners/{id}/referrals``, ``GET /v1/referrals/outbox``,
``POST /v1/cases/{case}/referrals/{id}/accept|decline``, as that branch had them.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field


class _View(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class Allocation(_View):
    allocation_id: str
    case_id: str
    site_id: str
    departement: str | None = None
    first_night: dt.date
    nights: int
    adults: int
    children: int = 0
    released_after: dt.date | None = None
    claimed_nights: list[dt.date] = Field(default_factory=list)


class ClaimOutcome(_View):
    claim_id: str
    outcome: str  # accepted | rejected
    reason: str | None = None


class Envelope(_View):
    envelope_id: str
    funder_org: str
    departement: str | None = None
    period_start: dt.date
    period_end: dt.date
    nights: int
    amount_cents: int
    nights_claimed: int
    nights_remaining: int
    amount_claimed_cents: int = 0
    amount_remaining_cents: int = 0
    exhausted: bool = False


class Availability(_View):
    departement: str
    night: dt.date
    adult_places: int
    child_places: int


class NightPlaces(_View):
    night: dt.date
    adult_places: int  # declared
    child_places: int
    adult_free: int  # declared and held by no allocation
    child_free: int


class OperatedSite(_View):
    """One of the operator's own sites, with its places per night (no name: sealed)."""

    site_id: str
    departement: str
    accepts_children: bool = False
    step_free_access: bool = False
    nights: list[NightPlaces] = Field(default_factory=list)


class Referral(_View):
    referral_id: str
    case_id: str
    departement: str | None = None
    partner_id: str
    partner_kind: str
    purpose: str
    status: str
    answer_due_by: dt.datetime
    escalated: bool = False
    consent_withdrawn: bool = False
    reason: str | None = None
    case_kind: str | None = None
    minor_victim: bool | None = None
