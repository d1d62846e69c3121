"""Commands on a case (one stream per case, id ``case_id``).

Frozen pydantic models: a channel, kind or level outside the shared vocabulary fails validation
before ``decide`` sees it. Ids are chosen by the caller (the application layer draws them), so
``decide`` stays deterministic. ``actor_role`` is the role that acts, where a rule depends on it.
Personal data (names, narrative, the written reason) never enters a command: the application seals
it into the envelope's ``pii`` next to the event the command produced.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
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
    Role,
    TraffickingForm,
)


class _Command(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Assessment(_Command):
    """A danger evaluation: the questionnaire's answers and the assessor's level (DASH, grille
    d'évaluation du danger). Answers are kept so they are entered once and reused.
    ``assessor_ref`` is the assessor's pseudonym (the application computes it, as the access
    log does: never a name), so that a review can be refused to the assessor."""

    assessment_id: Identifier
    assessor_ref: Identifier
    level: RiskLevel
    questionnaire: Identifier
    answers: tuple[QuestionnaireAnswer, ...] = ()
    raised_by_judgement: bool = False


class FileReport(_Command):
    """A report from any channel. Opens the case (``attach=False``) or joins it (``attach=True``).

    ``person_key`` is the pseudonymous key of the victim (see ``person_key.py``); ``assessment``
    carries the danger indicators when the report came with a questionnaire.
    """

    case_id: Identifier
    attach: bool
    report_id: Identifier
    actor_role: Role
    channel: Channel
    report_kind: ReportKind
    case_kind: CaseKind
    trafficking_forms: tuple[TraffickingForm, ...] = ()
    departement: Departement
    person_key: Identifier
    minor_victim: bool
    children_present: int = Field(default=0, ge=0, le=20)
    assessment: Assessment | None = None


class AssessRisk(_Command):
    """A new assessment. Lowering the level needs the reviewer role (``holds_reviewer_role``:
    among the caller's roles, whichever one they act in) held by someone other than the
    assessors of the level, and a reason with a written justification (``has_written_reason``:
    the text itself goes to ``pii``)."""

    case_id: Identifier
    actor_role: Role
    assessment: Assessment
    holds_reviewer_role: bool = False
    lowering_reason: LoweringReason | None = None
    has_written_reason: bool = False


class CloseCase(_Command):
    case_id: Identifier
    actor_role: Role
    reason: ClosureReason


class LinkCase(_Command):
    """Link this case to another, on a user's confirmation of a suggestion.

    ``linked_departement`` is the other case's département as the application found it in the
    store (None: no such case); the domain decides with it, never with what a client claims.
    """

    case_id: Identifier
    actor_role: Role
    linked_case_id: Identifier
    link: CaseLinkKind
    confirmed: bool
    linked_departement: Departement | None


class EraseCase(_Command):
    """Erase the case's personal data on its legal basis (GDPR art. 17 right to erasure, a court
    order, or the end of the retention period: DOMAIN.md "Data protection"). The application
    shreds the case's data key; the event says so to every service holding a copy."""

    case_id: Identifier
    actor_role: Role
    basis: ErasureBasis


CaseCommand = FileReport | AssessRisk | CloseCase | LinkCase | EraseCase
