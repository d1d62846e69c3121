"""Risk assessments on a case (DOMAIN.md "Risk levels").

A new assessment may raise the level at any time; lowering it needs a reviewer role and a written
reason, and both are on the timeline (``risk.lowered`` names the reviewer's role and the reason;
the written text is sealed in its ``pii``). An assessment keeps its questionnaire's answers
(``risk.assessed`` v2), so that they are entered once and reused.
"""

from __future__ import annotations

from typing import Final

from relais_events.catalogue import Event
from relais_events.catalogue.intake import RiskAssessed, RiskLowered
from relais_events.vocabulary import Role

from relais_intake.domain import errors
from relais_intake.domain.commands import Assessment, AssessRisk
from relais_intake.domain.state import CaseState

REVIEWER_ROLES: Final = frozenset({Role.POLICE, Role.PROSECUTOR, Role.COMMITTEE_MEMBER})
"""Who may lower a level: the officer in charge, the prosecutor, a local committee member at a
case review. Listeners, associations and reporting points may raise, never lower."""


def decide_assessment(state: CaseState, command: AssessRisk) -> list[Event]:
    """``risk.assessed``, followed by ``risk.lowered`` when the new level is below the current."""
    assessment = command.assessment
    _check_new(state, assessment)
    assessed = _assessed(state.case_id, assessment)
    current = state.risk_level
    if current is None or assessment.level.rank >= current.rank:
        return [assessed]
    if command.actor_role not in REVIEWER_ROLES:
        raise errors.LoweringNeedsReviewer(f"{command.actor_role} is not a reviewer role")
    if command.lowering_reason is None or not command.has_written_reason:
        raise errors.LoweringNeedsWrittenReason()
    lowered = RiskLowered(
        case_id=state.case_id,
        assessment_id=assessment.assessment_id,
        from_level=current,
        to_level=assessment.level,
        reviewer_role=command.actor_role,
        reason=command.lowering_reason,
    )
    return [assessed, lowered]


def assessed_with_report(state: CaseState | None, case_id: str, assessment: Assessment) -> Event:
    """A report's questionnaire may raise the level; it never lowers it (that needs a review)."""
    if state is None:
        return _assessed(case_id, assessment)
    _check_new(state, assessment)
    if state.risk_level is not None and assessment.level.rank < state.risk_level.rank:
        raise errors.LoweringNeedsReviewer("a report's questionnaire cannot lower the level")
    return _assessed(case_id, assessment)


def _check_new(state: CaseState, assessment: Assessment) -> None:
    if assessment.assessment_id in state.assessment_ids:
        raise errors.AssessmentAlreadyRecorded(assessment.assessment_id)


def _assessed(case_id: str, assessment: Assessment) -> RiskAssessed:
    return RiskAssessed(
        case_id=case_id,
        assessment_id=assessment.assessment_id,
        level=assessment.level,
        questionnaire=assessment.questionnaire,
        answers=list(assessment.answers),
        raised_by_judgement=assessment.raised_by_judgement,
    )
