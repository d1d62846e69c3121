"""Request and response bodies of the intake api: separate from commands, events and state.

Requests refuse unknown fields (``StrictModel``: ``extra="forbid"``), so a misspelt field is a
422 that names it and nothing is written.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints
from relais_events.catalogue.intake import (
    CaseLinkKind,
    ClosureReason,
    ErasureBasis,
    LoweringReason,
    ReportKind,
)
from relais_events.vocabulary import (
    CaseKind,
    Channel,
    Departement,
    Identifier,
    QuestionnaireAnswer,
    RiskLevel,
    TraffickingForm,
)
from relais_kit.http.schemas import StrictModel

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Phone = Annotated[str, StringConstraints(pattern=r"^\+?[0-9 .-]{4,20}$")]


class VictimIn(StrictModel):
    """Who the report is about; sealed in ``pii`` and hashed into the person key, never shown."""

    last_name: Name
    first_name: Name
    birth_date: dt.date | None = None


class QuestionnaireIn(StrictModel):
    """A danger questionnaire (DASH, grille d'évaluation du danger) and the assessor's level."""

    questionnaire: Identifier
    level: RiskLevel
    answers: list[QuestionnaireAnswer] = Field(default_factory=list, max_length=200)
    raised_by_judgement: bool = False


class ReportIn(StrictModel):
    case_id: Identifier | None = Field(
        default=None, description="An existing case to attach to; absent: a new case is opened."
    )
    channel: Channel
    report_kind: ReportKind
    case_kind: CaseKind
    trafficking_forms: list[TraffickingForm] = Field(default_factory=list, max_length=4)
    departement: Departement
    minor_victim: bool
    children_present: int = Field(default=0, ge=0, le=20)
    victim: VictimIn | None = None
    narrative: str | None = Field(default=None, max_length=20_000)
    contact_phone: Phone | None = None
    assessment: QuestionnaireIn | None = None


class RiskAssessmentIn(QuestionnaireIn):
    lowering_reason: LoweringReason | None = None
    written_reason: str | None = Field(default=None, max_length=5_000)


class CloseIn(StrictModel):
    reason: ClosureReason


class ErasureIn(StrictModel):
    """Why the case's personal data is erased: its legal basis, from a closed list (free text
    would be personal data kept about an erased person)."""

    basis: ErasureBasis


class LinkIn(StrictModel):
    linked_case_id: Identifier
    link: CaseLinkKind
    confirmed: bool = Field(description="The user confirmed this suggested link.")


class ReportAck(BaseModel):
    """All a reporting point gets back: a reference to quote and the event id (DESIGN.md 6)."""

    reference: str
    event_id: str


class Accepted(BaseModel):
    """A command's new events; ask the timeline for ``?min_event=<min_event>`` to read them."""

    case_id: str
    event_ids: list[str]
    min_event: str


class ReportAccepted(Accepted):
    report_id: str
    opened: bool
    suggested_links: list[str]


class LinkOut(BaseModel):
    case_id: str
    link: CaseLinkKind


class CaseOut(BaseModel):
    case_id: str
    kind: CaseKind
    departement: str
    status: str
    risk_level: RiskLevel | None
    minor_victim: bool
    report_ids: list[str]
    links: list[LinkOut]
    version: int
    opened_at: dt.datetime
    last_event_id: str
    suggested_links: list[str]
    access_event_id: str
