"""Risk levels: raised at any time; lowered on review by someone else, holding the reviewer role,
with a written reason (DOMAIN.md "Risk levels", domain/risk.py)."""

from __future__ import annotations

from typing import Any

import pytest
from relais_events.catalogue.intake import LoweringReason, RiskAssessed, RiskLowered
from relais_events.vocabulary import RiskLevel, Role
from relais_intake.domain import errors
from relais_intake.domain.case import decide

from .factories import ASSESSOR, NOW, assess, assessment, file_report, fold, opened_case

REASONS: dict[str, Any] = {
    "lowering_reason": LoweringReason.PERPETRATOR_DETAINED,
    "has_written_reason": True,
}


def review(level: RiskLevel, role: Role = Role.PROSECUTOR, **changes: Any) -> Any:
    """A lowering by ``role`` holding the reviewer role, with reasons, unless changed."""
    return assess(level, role, **({"holds_reviewer_role": True} | REASONS | changes))


def test_any_actor_may_raise_at_any_time() -> None:
    state = opened_case(RiskLevel.MEDIUM)
    [assessed] = decide(state, assess(RiskLevel.GRAVE_DANGER, Role.HOTLINE), NOW)
    assert isinstance(assessed, RiskAssessed)
    assert assessed.assessor_ref == "hotline-2"
    assert fold([assessed], state).risk_level is RiskLevel.GRAVE_DANGER


@pytest.mark.parametrize("role", [Role.POLICE, Role.RISK_REVIEWER, Role.COMMITTEE_MEMBER])
def test_a_reviewer_lowers_with_a_written_reason_and_both_are_recorded(role: Role) -> None:
    # The role the reviewer acts in does not matter: holding the reviewer role does.
    state = opened_case(RiskLevel.GRAVE_DANGER)
    assessed, lowered = decide(state, review(RiskLevel.MEDIUM, role), NOW)
    assert isinstance(assessed, RiskAssessed)
    assert isinstance(lowered, RiskLowered)
    assert (lowered.from_level, lowered.to_level) == (RiskLevel.GRAVE_DANGER, RiskLevel.MEDIUM)
    assert lowered.reviewer_role is Role.RISK_REVIEWER
    assert fold([assessed, lowered], state).risk_level is RiskLevel.MEDIUM


@pytest.mark.parametrize(
    "role", [Role.POLICE, Role.PROSECUTOR, Role.COMMITTEE_MEMBER, Role.HOTLINE, Role.ASSOCIATION]
)
def test_lowering_needs_the_reviewer_role_granted_explicitly(role: Role) -> None:
    command = review(RiskLevel.STANDARD, role, holds_reviewer_role=False)
    with pytest.raises(errors.LoweringNeedsReviewer) as refused:
        decide(opened_case(RiskLevel.HIGH), command, NOW)
    assert refused.value.status == 403


def test_a_reviewer_may_not_lower_a_level_they_raised() -> None:
    state = opened_case(RiskLevel.MEDIUM)
    raised = fold(decide(state, assess(RiskLevel.HIGH, Role.POLICE, assessor="opj-1"), NOW), state)
    confirmed = assess(RiskLevel.HIGH, Role.HOTLINE, assessor="ecoute-2", assessment_id="a-3")
    later = fold(decide(raised, confirmed, NOW), raised)
    own = review(RiskLevel.MEDIUM, Role.POLICE, assessor="opj-1", assessment_id="a-4")
    with pytest.raises(errors.ReviewerAssessedTheCase) as refused:
        decide(later, own, NOW)
    assert refused.value.status == 403
    # The latest assessor is no second look either; anyone else holding the role is.
    with pytest.raises(errors.ReviewerAssessedTheCase):
        decide(later, review(RiskLevel.MEDIUM, assessor="ecoute-2", assessment_id="a-5"), NOW)
    assert len(decide(later, review(RiskLevel.MEDIUM, assessor="pr-9", assessment_id="a-6"), NOW))


def test_the_first_assessor_of_the_case_may_not_lower_it() -> None:
    with pytest.raises(errors.ReviewerAssessedTheCase):
        decide(opened_case(RiskLevel.HIGH), review(RiskLevel.MEDIUM, assessor=ASSESSOR), NOW)


def test_every_raise_since_the_last_review_is_under_review() -> None:
    # Opened at medium, raised to high then to grave danger by others: the opener's assessment
    # is no longer the latest, yet lowering below it is still a look at their own call.
    state = opened_case(RiskLevel.MEDIUM)
    for n, (level, who) in enumerate([(RiskLevel.HIGH, "opj-1"), (RiskLevel.GRAVE_DANGER, "x")]):
        step = assess(level, Role.POLICE, assessor=who, assessment_id=f"a-{n}")
        state = fold(decide(state, step, NOW), state)
    assert state.raised_by == (ASSESSOR, "opj-1", "x")
    for raiser in (ASSESSOR, "opj-1"):
        with pytest.raises(errors.ReviewerAssessedTheCase):
            decide(state, review(RiskLevel.STANDARD, assessor=raiser, assessment_id="a-9"), NOW)
    # Once reviewed, the level was set by the reviewer: earlier raisers may review later on.
    reviewed = review(RiskLevel.HIGH, assessor="pr-1", assessment_id="a-5")
    state = fold(decide(state, reviewed, NOW), state)
    assert state.raised_by == ("pr-1",)
    assert len(decide(state, review(RiskLevel.MEDIUM, assessor="opj-1", assessment_id="a-6"), NOW))


def test_a_reviewer_who_lowered_reviews_no_further_lowering() -> None:
    state = opened_case(RiskLevel.GRAVE_DANGER)
    state = fold(decide(state, review(RiskLevel.HIGH, assessor="pr-9"), NOW), state)
    again = review(RiskLevel.MEDIUM, assessor="pr-9", assessment_id="a-7")
    with pytest.raises(errors.ReviewerAssessedTheCase):
        decide(state, again, NOW)


@pytest.mark.parametrize(
    "changes",
    [
        {"has_written_reason": False},
        {"lowering_reason": None},
    ],
)
def test_lowering_needs_reason_and_written_text(changes: dict[str, Any]) -> None:
    with pytest.raises(errors.LoweringNeedsWrittenReason) as refused:
        decide(opened_case(RiskLevel.HIGH), review(RiskLevel.MEDIUM, **changes), NOW)
    assert refused.value.status == 422


def test_an_assessment_of_unknown_assessor_never_bars_a_reviewer() -> None:
    # risk.assessed v2 records come upcast with no assessor.
    state = opened_case(RiskLevel.MEDIUM)
    older = RiskAssessed(
        case_id="case-1",
        assessment_id="a-8",
        level=RiskLevel.HIGH,
        questionnaire="q",
        assessor_ref=None,
    )
    state = fold([older], state)
    assert (state.raised_by, state.last_assessed_by) == ((ASSESSOR,), None)
    assert len(decide(state, review(RiskLevel.MEDIUM), NOW)) == 2


def test_an_assessment_alone_never_lowers_the_folded_level() -> None:
    state = opened_case(RiskLevel.HIGH)
    lower = RiskAssessed(
        case_id="case-1",
        assessment_id="a-9",
        level=RiskLevel.STANDARD,
        questionnaire="q",
        assessor_ref="x-1",
    )
    assert fold([lower], state).risk_level is RiskLevel.HIGH


def test_a_report_questionnaire_cannot_lower_the_level() -> None:
    attach = file_report(
        attach=True, report_id="report-2", assessment=assessment(RiskLevel.STANDARD, "a-3")
    )
    with pytest.raises(errors.LoweringNeedsReviewer):
        decide(opened_case(RiskLevel.HIGH), attach, NOW)


def test_an_assessment_id_is_recorded_once() -> None:
    with pytest.raises(errors.AssessmentAlreadyRecorded):
        decide(
            opened_case(RiskLevel.HIGH), assess(RiskLevel.HIGH, assessment_id="assessment-1"), NOW
        )


def test_assessment_on_missing_case_is_refused() -> None:
    with pytest.raises(errors.CaseNotFound):
        decide(None, assess(RiskLevel.HIGH), NOW)
