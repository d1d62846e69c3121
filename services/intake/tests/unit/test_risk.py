"""Risk levels: raised at any time, lowered by a reviewer with a written reason (DOMAIN.md)."""

from __future__ import annotations

import pytest
from relais_events.catalogue.intake import LoweringReason, RiskAssessed, RiskLowered
from relais_events.vocabulary import RiskLevel, Role
from relais_intake.domain import errors
from relais_intake.domain.case import decide

from .factories import NOW, assess, assessment, file_report, fold, opened_case


def test_any_actor_may_raise_at_any_time() -> None:
    state = opened_case(RiskLevel.MEDIUM)
    [assessed] = decide(state, assess(RiskLevel.GRAVE_DANGER, Role.HOTLINE), NOW)
    assert isinstance(assessed, RiskAssessed)
    assert fold([assessed], state).risk_level is RiskLevel.GRAVE_DANGER


def test_reviewer_lowers_with_a_written_reason_and_both_are_recorded() -> None:
    state = opened_case(RiskLevel.GRAVE_DANGER)
    command = assess(
        RiskLevel.MEDIUM,
        Role.PROSECUTOR,
        lowering_reason=LoweringReason.PERPETRATOR_DETAINED,
        has_written_reason=True,
    )
    assessed, lowered = decide(state, command, NOW)
    assert isinstance(assessed, RiskAssessed)
    assert isinstance(lowered, RiskLowered)
    assert (lowered.from_level, lowered.to_level) == (RiskLevel.GRAVE_DANGER, RiskLevel.MEDIUM)
    assert lowered.reviewer_role is Role.PROSECUTOR
    assert fold([assessed, lowered], state).risk_level is RiskLevel.MEDIUM


@pytest.mark.parametrize("role", [Role.HOTLINE, Role.ASSOCIATION, Role.REPORTING_POINT])
def test_lowering_needs_a_reviewer_role(role: Role) -> None:
    command = assess(
        RiskLevel.STANDARD,
        role,
        lowering_reason=LoweringReason.VICTIM_RELOCATED,
        has_written_reason=True,
    )
    with pytest.raises(errors.LoweringNeedsReviewer):
        decide(opened_case(RiskLevel.HIGH), command, NOW)


@pytest.mark.parametrize(
    "changes",
    [
        {"has_written_reason": True},
        {"lowering_reason": LoweringReason.REVIEW_OF_ASSESSMENT},
    ],
)
def test_lowering_needs_reason_and_written_text(changes: dict[str, object]) -> None:
    with pytest.raises(errors.LoweringNeedsWrittenReason):
        decide(opened_case(RiskLevel.HIGH), assess(RiskLevel.MEDIUM, Role.POLICE, **changes), NOW)


def test_an_assessment_alone_never_lowers_the_folded_level() -> None:
    state = opened_case(RiskLevel.HIGH)
    lower = RiskAssessed(
        case_id="case-1", assessment_id="a-9", level=RiskLevel.STANDARD, questionnaire="q"
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
