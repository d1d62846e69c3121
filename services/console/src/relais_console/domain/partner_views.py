"""What the console reads from the shelter and referrals services (issues 11 and 12).

Shelter: ``POST /v1/allocations``, ``POST /v1/claims``, ``GET /v1/envelopes/{id}``,
``GET /v1/availability``, tested against the real shelter api (``tests/test_console_calls_
shelter.py``). Referrals: ``GET /v1/partners/{id}/referrals``, ``GET /v1/referrals/outbox``,
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
