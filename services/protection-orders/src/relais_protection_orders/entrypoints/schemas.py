"""Request and response bodies: API types, separate from commands, events and domain state.

Every request refuses unknown fields (``StrictModel``, ``extra="forbid"``); instants need an
offset; measures and files come from the catalogue's closed vocabularies, so a measure outside
C. civ. art. 515-11 is a 422 naming the field before any rule runs.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, NonNegativeInt, PositiveInt
from relais_events.catalogue.protection_orders import (
    ApplicantKind,
    DeviceKind,
    ExtensionGround,
    Id,
    Measure,
    NationalFile,
    UtcInstant,
)
from relais_events.vocabulary import Departement
from relais_kit.http.schemas import StrictModel

Measures = Annotated[list[Measure], Field(min_length=1)]


class Act(StrictModel):
    at: UtcInstant  # when the act took place (recorded now or later, never in the future)


class ApplicationIn(Act):
    order_id: Id | None = None  # chosen by the server when absent
    case_id: Id
    departement: Departement  # the court's département: whose committee sees the order
    applicant: ApplicantKind
    victim_agreement: bool = False


class HearingIn(Act):
    hearing_at: UtcInstant


class IssuedRulingIn(Act):
    decision: Literal["issued"]
    measures: Measures
    duration_months: PositiveInt


class RejectedRulingIn(Act):
    decision: Literal["rejected"]


RulingIn = Annotated[IssuedRulingIn | RejectedRulingIn, Field(discriminator="decision")]


class RegistrationIn(Act):
    file: NationalFile


class ExtensionIn(Act):
    ground: ExtensionGround
    proceedings_filed_at: UtcInstant
    expires_at: UtcInstant


class ModificationIn(Act):
    measures: Measures


class ProvisionalRequestIn(Act):
    victim_agreement: bool


class IssuedProvisionalIn(Act):
    decision: Literal["issued"]
    measures: Measures


class RejectedProvisionalIn(Act):
    decision: Literal["rejected"]


ProvisionalDecisionIn = Annotated[
    IssuedProvisionalIn | RejectedProvisionalIn, Field(discriminator="decision")
]


class DeviceIn(Act):
    device_id: Id
    device: DeviceKind
    alert_distance_km: float | None = Field(default=None, gt=0)
    victim_consents: bool = False
    defendant_consents: bool = False


class WithdrawalIn(Act):
    alert_count: NonNegativeInt = 0


class BreachIn(Act):
    breach_id: Id
    occurred_at: UtcInstant
    device_alert_count: NonNegativeInt = 0


class DeadlineOut(BaseModel):
    kind: str
    due_at: datetime


class ProvisionalOut(BaseModel):
    status: str
    requested_at: datetime
    decision_due_at: datetime
    overdue: bool
    measures: list[Measure]


class DeviceOut(BaseModel):
    device_id: str
    kind: DeviceKind
    active: bool
    assigned_at: datetime
    ends_at: datetime | None
    alert_distance_km: float | None


class OrderOut(BaseModel):
    order_id: str
    case_id: str
    departement: str | None
    status: str
    version: int
    enforceable_now: bool
    measures: list[Measure]
    duration_months: int
    requested_at: datetime | None
    hearing_fixed_at: datetime | None
    served_at: datetime | None
    ruled_at: datetime | None
    notified_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None
    registrations: list[NationalFile]
    missing_files: list[NationalFile]
    flags: list[str]
    ruling_overdue: bool
    open_deadlines: list[DeadlineOut]
    provisional: ProvisionalOut | None
    devices: list[DeviceOut]
    breaches: int
    committed: list[str] = Field(default_factory=list)  # ids of the events this request wrote


class DashboardRowOut(BaseModel):
    order_id: str
    case_id: str
    departement: str
    status: str
    next_deadline: str | None
    next_due_at: datetime | None
    flags: list[str]
    ruling_overdue: bool
