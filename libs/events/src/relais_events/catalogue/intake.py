"""Events of the intake context: cases, reports and risk assessments.

Narratives, names and contact details of a report go in the envelope's sealed ``pii``, never here.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal

from pydantic import Field

from relais_events import topics
from relais_events.catalogue.base import Event, register
from relais_events.upcasting import upcaster
from relais_events.vocabulary import (
    CaseKind,
    Channel,
    Departement,
    Identifier,
    QuestionnaireAnswer,
    RiskLevel,
    Role,
    TraffickingForm,
)


class ReportKind(StrEnum):
    COMPLAINT = "complaint"  # plainte
    LOGBOOK_ENTRY = "logbook_entry"  # main courante
    ALERT = "alert"  # SMS 114, pharmacy, info point
    CALL = "call"  # 3919, perpetrator line
    APPLICATION = "application"  # a court application reaching the court first


class LoweringReason(StrEnum):
    PROTECTION_MEASURE_IN_PLACE = "protection_measure_in_place"
    PERPETRATOR_DETAINED = "perpetrator_detained"
    VICTIM_RELOCATED = "victim_relocated"
    REVIEW_OF_ASSESSMENT = "review_of_assessment"


class CaseLinkKind(StrEnum):
    SAME_VICTIM = "same_victim"
    SAME_PERPETRATOR = "same_perpetrator"
    SAME_TRAFFICKING_NETWORK = "same_trafficking_network"


class ClosureReason(StrEnum):
    VICTIM_SAFE = "victim_safe"
    TRANSFERRED = "transferred"
    VICTIM_DECLINED = "victim_declined"
    NO_FURTHER_ACTION = "no_further_action"
    DUPLICATE = "duplicate"


class ErasureBasis(StrEnum):
    ERASURE_REQUEST = "erasure_request"  # GDPR art. 17
    RETENTION_EXPIRED = "retention_expired"
    COURT_ORDER = "court_order"


class _Intake(Event):
    TOPIC = topics.INTAKE


@register
class CaseOpenedV1(_Intake):
    """Kept to read v1 records: they carried the person key in clear in ``data``."""

    TYPE = "case.opened"
    VERSION = 1

    case_id: Identifier
    kind: CaseKind
    trafficking_forms: list[TraffickingForm] = Field(default_factory=list)
    departement: Departement
    opened_via: Channel
    person_key: Identifier  # pseudonymous person key: found only within a jurisdiction
    minor_victim: bool  # a minor victim of trafficking is protected unconditionally (plan axis 3)


@register
class CaseOpened(_Intake):
    """A case opened by the first report from any channel, or by a clerk for a court application.

    v2: the pseudonymous person key is in the envelope's sealed ``pii`` (``{"person_key": ...}``),
    no longer in ``data``. Sealed, not rotated: a key in clear links every case of one person for
    whoever reads the log (a copy, an export, a backup), and the log is never rewritten, so a
    rotation would leave the old key readable in every record already written. Sealed with the
    case's data key, it goes when that key is shredded (``case.erased``): nothing in the log ties
    the erased case to the person's other cases any more, while hashes still verify.
    """

    TYPE = "case.opened"
    VERSION = 2

    case_id: Identifier
    kind: CaseKind
    trafficking_forms: list[TraffickingForm] = Field(default_factory=list)
    departement: Departement
    opened_via: Channel
    minor_victim: bool  # a minor victim of trafficking is protected unconditionally (plan axis 3)


@upcaster("case.opened", 1)
def _case_opened_v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    # The clear key of a v1 record is dropped on reading, so no consumer keeps a copy of it;
    # the record itself stays as written (the log is append-only and hashed).
    return {k: v for k, v in data.items() if k != "person_key"}


@register
class ReportFiled(_Intake):
    """A report (plainte, main courante, alert, call). Its narrative is in ``pii``."""

    TYPE = "report.filed"

    case_id: Identifier
    report_id: Identifier
    channel: Channel
    kind: ReportKind
    departement: Departement
    minor_victim: bool
    children_present: int = Field(ge=0, le=20)


@register
class RiskAssessedV1(_Intake):
    """Kept to read v1 records: the indicators were the ids of the questions answered yes."""

    TYPE = "risk.assessed"
    VERSION = 1

    case_id: Identifier
    assessment_id: Identifier
    level: RiskLevel
    indicators: list[Identifier] = Field(default_factory=list)


@register
class RiskAssessedV2(_Intake):
    """Kept to read v2 records: they did not name the assessor.

    v2 keeps "no" and "unknown" answers too, names the questionnaire, and says whether the
    assessor's professional judgement raised the level above what the answers alone give.
    """

    TYPE = "risk.assessed"
    VERSION = 2
    RISK_LEVEL = "level"

    case_id: Identifier
    assessment_id: Identifier
    level: RiskLevel
    questionnaire: Identifier
    answers: list[QuestionnaireAnswer] = Field(default_factory=list)
    raised_by_judgement: bool = False


@upcaster("risk.assessed", 1)
def _risk_assessed_v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    # v1 only kept the "yes" answers, and had no questionnaire name.
    upgraded = {k: v for k, v in data.items() if k != "indicators"}
    upgraded["questionnaire"] = "unrecorded_v1"
    upgraded["answers"] = [{"question_id": q, "answer": "yes"} for q in data.get("indicators", [])]
    upgraded["raised_by_judgement"] = False
    return upgraded


@register
class RiskAssessed(_Intake):
    """A danger assessment with every questionnaire answer, entered once and reused (v3).

    v3 names who assessed, pseudonymously: ``assessor_ref`` is the pseudonym of the assessor's
    subject, in the access log's format (``pseudonym(sub)``: never a name), so that a review
    can be refused to whoever raised or last assessed the level (DOMAIN.md "Risk levels").
    None: unknown (records written before v3).
    """

    TYPE = "risk.assessed"
    VERSION = 3
    RISK_LEVEL = "level"

    case_id: Identifier
    assessment_id: Identifier
    level: RiskLevel
    questionnaire: Identifier
    answers: list[QuestionnaireAnswer] = Field(default_factory=list)
    raised_by_judgement: bool = False
    assessor_ref: Identifier | None


@upcaster("risk.assessed", 2)
def _risk_assessed_v2_to_v3(data: dict[str, Any]) -> dict[str, Any]:
    # v2 did not record who assessed: unknown, so it never bars a reviewer.
    return data | {"assessor_ref": None}


@register
class RiskLowered(_Intake):
    """A lowered level: needs the reviewer role, held by someone other than who raised or last
    assessed it, and a reason (the written reason is in ``pii``). ``reviewer_role`` is
    ``risk_reviewer``; the reviewer's pseudonym is the ``assessor_ref`` of the ``risk.assessed``
    recorded with it, just before it."""

    TYPE = "risk.lowered"
    RISK_LEVEL = "to_level"

    case_id: Identifier
    assessment_id: Identifier
    from_level: RiskLevel
    to_level: RiskLevel
    reviewer_role: Role
    reason: LoweringReason


@register
class CaseLinked(_Intake):
    TYPE = "case.linked"

    case_id: Identifier
    linked_case_id: Identifier
    link: CaseLinkKind


@register
class CaseClosed(_Intake):
    TYPE = "case.closed"
    ENDS_CASE = True

    case_id: Identifier
    reason: ClosureReason


@register
class CaseErased(_Intake):
    """The case's data key was shredded: its personal data is gone from every copy of the log.

    Emitted by intake, which owns the case's data key, on an admin's request with its legal
    basis (GDPR art. 17, DOMAIN.md "Data protection"); every service that holds a copy of the
    case's personal data or its own data key for it drops them when it reads this event."""

    TYPE = "case.erased"
    ENDS_CASE = True

    case_id: Identifier
    basis: ErasureBasis
    method: Literal["crypto_shredding"] = "crypto_shredding"
