"""Risk assessments on a case (DOMAIN.md "Risk levels").

A new assessment may raise the level at any time, whoever makes it. Lowering it is a review: a
second look at the danger by someone other than those who assessed it, never an assessor
undoing their own call. The practice the rule comes from says so: in Spain's VioGén system the
officers following a case may only raise the level the protocol gives; in the UK's DASH/MARAC
practice the multi-agency risk conference, not the officer who filled in the checklist, reviews
it. Here that means:

- the reviewer role (``risk_reviewer``) is granted explicitly, in the token like the other
  roles, to whoever reviews (a specialised officer, a prosecutor, the committee's coordinator):
  no role lowers a level by itself being police, prosecutor or committee member;
- a reviewer who raised the level since it was last lowered (or who lowered it then), or who
  made the latest assessment, may not lower it: their own call is what is reviewed. Assessors
  are named by pseudonym in ``risk.assessed`` (v3), never by name; an unknown one (older
  records) bars nobody;
- a lowering needs a reason and a written justification, and both are on the timeline
  (``risk.lowered`` names the reviewer's role and the reason; the written text is sealed in its
  ``pii``).

An assessment keeps its questionnaire's answers, so that they are entered once and reused.
"""

from __future__ import annotations

from typing import Final

from relais_events.catalogue import Event
from relais_events.catalogue.intake import LoweringReason, RiskAssessed, RiskLowered
from relais_events.vocabulary import Role

from relais_intake.domain import errors
from relais_intake.domain.commands import Assessment, AssessRisk
from relais_intake.domain.state import CaseState

REVIEWER: Final = Role.RISK_REVIEWER
"""The one role that may lower a level, granted explicitly for reviews. Listeners, associations,
reporting points, and officers or prosecutors without it raise, never lower."""


def decide_assessment(state: CaseState, command: AssessRisk) -> list[Event]:
    """``risk.assessed``, followed by ``risk.lowered`` when the new level is below the current."""
    assessment = command.assessment
    _check_new(state, assessment)
    assessed = _assessed(state.case_id, assessment)
    current = state.risk_level
    if current is None or assessment.level.rank >= current.rank:
        return [assessed]
    reason = _reviewed(state, command)
    lowered = RiskLowered(
        case_id=state.case_id,
        assessment_id=assessment.assessment_id,
        from_level=current,
        to_level=assessment.level,
        reviewer_role=REVIEWER,
        reason=reason,
    )
    return [assessed, lowered]


def _reviewed(state: CaseState, command: AssessRisk) -> LoweringReason:
    """A second look, by a reviewer who did not raise nor last assess the level, with reasons."""
    if not command.holds_reviewer_role:
        raise errors.LoweringNeedsReviewer(f"{command.actor_role} without the {REVIEWER} role")
    reviewer = command.assessment.assessor_ref
    if reviewer in state.raised_by or reviewer == state.last_assessed_by:
        raise errors.ReviewerAssessedTheCase()
    if command.lowering_reason is None or not command.has_written_reason:
        raise errors.LoweringNeedsWrittenReason()
    return command.lowering_reason


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
        assessor_ref=assessment.assessor_ref,
    )
