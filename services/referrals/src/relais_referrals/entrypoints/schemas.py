"""Request and response bodies of the referrals api: separate from commands, events and state.

Requests refuse unknown fields (``StrictModel``), so a misspelt field is a 422 naming it and
nothing is written. Free text (a reason's "other", an override's justification) is accepted
here, checked by the domain, sealed into ``pii``, and never answered back.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints
from relais_events.catalogue.referrals import (
    OverrideGround,
    ReferralOutcomeReason,
    SharedDataCategory,
)
from relais_events.vocabulary import (
    CaseKind,
    ConsentPurpose,
    Departement,
    Identifier,
    PartnerKind,
)
from relais_kit.http.schemas import StrictModel

FreeText = Annotated[str, StringConstraints(max_length=2000)]


class Accepted(BaseModel):
    """What a command committed; ``min_event`` lets a client wait for it on the timeline."""

    event_ids: list[str]
    min_event: str | None


class PartnerIn(StrictModel):
    kind: PartnerKind
    org: Identifier  # the organisation in its members' tokens (``org`` claim)
    departements: list[Departement] = Field(min_length=1, max_length=101)


class PartnerRegistered(Accepted):
    partner_id: str


class PartnerOut(BaseModel):
    partner_id: str
    kind: PartnerKind
    org: str
    departements: list[str]
    night: dt.date
    free_places: int | None  # shelter operators only: from the shelter service's events


class ConsentIn(StrictModel):
    partner_ids: list[Identifier] = Field(default_factory=list, max_length=50)
    partner_kinds: list[PartnerKind] = Field(default_factory=list)
    purposes: list[ConsentPurpose] = Field(min_length=1)
    data_categories: list[SharedDataCategory] = Field(default_factory=list)
    valid_until: dt.date  # the last day covered (Europe/Paris)


class ConsentRecorded(Accepted):
    consent_id: str


class ConsentOut(BaseModel):
    consent_id: str
    status: str  # active | expired | withdrawn, at the instant of the read
    partner_ids: list[str]
    partner_kinds: list[PartnerKind]
    purposes: list[ConsentPurpose]
    data_categories: list[SharedDataCategory]
    valid_until: dt.date
    expires_at: dt.datetime


class CaseConsentsOut(BaseModel):
    case_id: str
    departement: str
    at: dt.datetime
    active: list[ConsentOut]  # what covers NOW, not the last one recorded
    consents: list[ConsentOut]


class OverrideIn(StrictModel):
    ground: OverrideGround
    justification: FreeText | None = None  # required by the rule: checked by the domain (422)


class ReferralIn(StrictModel):
    partner_id: Identifier
    purpose: ConsentPurpose
    data_categories: list[SharedDataCategory] = Field(default_factory=list)
    override: OverrideIn | None = None


class ReasonIn(StrictModel):
    reason: ReferralOutcomeReason
    text: FreeText | None = None  # with "other" only


class ReferralAccepted(Accepted):
    case_id: str
    referral_id: str


class ReferralOut(BaseModel):
    referral_id: str
    case_id: str
    departement: str | None
    partner_id: str
    partner_kind: PartnerKind
    purpose: ConsentPurpose
    data_categories: list[SharedDataCategory]
    status: str
    answer_due_by: dt.datetime
    escalated: bool
    consent_withdrawn: bool  # the consent it was sent under was withdrawn since
    consent_id: str | None
    override_id: str | None
    reason: ReferralOutcomeReason | None  # the outcome's reason (decline, withdrawal)
    case_kind: CaseKind | None = None
    minor_victim: bool | None = None
