"""Value types the whole project shares: case kinds, channels, risk levels, départements, roles.

Services reuse these instead of redefining them, so a value accepted by one context is accepted by
every other. Identifiers are restricted to a safe alphabet on purpose: a field typed ``Identifier``
can never carry a name, a phone number or a sentence, which keeps personal data out of ``data``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Final, Literal

from pydantic import BaseModel, ConfigDict, StringConstraints

DEPARTEMENT_PATTERN: Final = r"^(0[1-9]|1[0-9]|2[1-9]|2A|2B|[3-8][0-9]|9[0-5]|97[1-6])$"
Departement = Annotated[str, StringConstraints(pattern=DEPARTEMENT_PATTERN)]
"""A French département code: 01-95 except 20 (split into 2A and 2B in 1976), 2A, 2B, 971-976."""

IDENTIFIER_PATTERN: Final = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,79}$"
Identifier = Annotated[str, StringConstraints(pattern=IDENTIFIER_PATTERN)]
"""An opaque id (case, report, site, partner, org...): no spaces, so never a name or a sentence."""

Sha256Hex = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]


class CaseKind(StrEnum):
    CONJUGAL_VIOLENCE = "conjugal_violence"
    SEXUAL_VIOLENCE = "sexual_violence"
    TRAFFICKING = "trafficking"
    PROSTITUTION_EXIT = "prostitution_exit"  # parcours de sortie de la prostitution


class TraffickingForm(StrEnum):
    SEXUAL_EXPLOITATION = "sexual_exploitation"
    FORCED_LABOUR = "forced_labour"
    FORCED_BEGGING = "forced_begging"
    FORCED_CRIMINALITY = "forced_criminality"


class Channel(StrEnum):
    """Where a report came from."""

    POLICE = "police"
    HOTLINE_3919 = "hotline_3919"
    SMS_114 = "sms_114"
    ONLINE_PLATFORM = "online_platform"
    PHARMACY = "pharmacy"
    INFO_POINT = "info_point"  # point d'information éphémère
    ASSOCIATION = "association"
    COURT = "court"
    PERPETRATOR_LINE = "perpetrator_line"  # "Ne Frappez pas"


class RiskLevel(StrEnum):
    STANDARD = "standard"
    MEDIUM = "medium"
    HIGH = "high"
    GRAVE_DANGER = "grave_danger"

    @property
    def rank(self) -> int:
        """Order of severity, so that "lowering" has one meaning everywhere."""
        return list(RiskLevel).index(self)


class Role(StrEnum):
    POLICE = "police"
    HOTLINE = "hotline"
    ASSOCIATION = "association"
    REPORTING_POINT = "reporting_point"
    PROSECUTOR = "prosecutor"
    JUSTICE_CLERK = "justice_clerk"
    SHELTER_OPERATOR = "shelter_operator"
    COMMITTEE_MEMBER = "committee_member"
    AUDITOR = "auditor"
    ADMIN = "admin"
    # Granted explicitly to whoever may LOWER a risk level on review (a specialised officer, a
    # prosecutor, the committee's coordinator): a second look, never the assessor's own.
    RISK_REVIEWER = "risk_reviewer"
    SYSTEM = "system"  # a process manager acting on its own (escalations, deadlines)


class PartnerKind(StrEnum):
    ASSOCIATION = "association"
    CIDFF = "cidff"
    VICTIM_SUPPORT = "victim_support"
    SHELTER_OPERATOR = "shelter_operator"
    PROSTITUTION_EXIT_PROGRAMME = "prostitution_exit_programme"
    PERPETRATOR_PROGRAMME = "perpetrator_programme"


class ConsentPurpose(StrEnum):
    SUPPORT = "support"
    SHELTER = "shelter"
    LEGAL_AID = "legal_aid"
    PROTECTION_ORDER = "protection_order"
    PROSTITUTION_EXIT = "prostitution_exit"
    PERPETRATOR_PROGRAMME = "perpetrator_programme"


class Answer(StrEnum):
    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


class Actor(BaseModel):
    """Who acted, by role and organisation: never a name (the access log has the sub)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    role: Role
    org: Identifier
    jurisdiction: Departement | None = None


class QuestionnaireAnswer(BaseModel):
    """One answer of a danger-evaluation questionnaire (DASH, grille d'évaluation du danger)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    question_id: Identifier
    answer: Answer


AccessedResource = Literal[
    "case",
    "timeline",
    "report",
    "risk_assessment",
    "protection_order",
    "referral",
    "allocation",
    "consent",
]
