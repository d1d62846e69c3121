"""What a service learns of a case from intake's events, once each, in the case's order."""

from __future__ import annotations

from relais_events.catalogue.intake import (
    CaseClosed,
    CaseErased,
    CaseOpened,
    ClosureReason,
    ErasureBasis,
    LoweringReason,
    ReportFiled,
    ReportKind,
    RiskAssessed,
    RiskLowered,
)
from relais_events.vocabulary import CaseKind, Channel, RiskLevel, Role
from relais_kit.cases import CaseFacts, learn

OPENED = CaseOpened(
    case_id="case-1",
    kind=CaseKind.TRAFFICKING,
    departement="93",
    opened_via=Channel.POLICE,
    minor_victim=False,
)


def report(minor: bool) -> ReportFiled:
    return ReportFiled(
        case_id="case-1",
        report_id="r-2",
        channel=Channel.HOTLINE_3919,
        kind=ReportKind.CALL,
        departement="93",
        minor_victim=minor,
        children_present=0,
    )


def assessed(level: RiskLevel) -> RiskAssessed:
    return RiskAssessed(
        case_id="case-1", assessment_id="a", level=level, questionnaire="dash", assessor_ref=None
    )


def fold(*events: object) -> CaseFacts | None:
    facts: CaseFacts | None = None
    for version, event in enumerate(events, start=1):
        facts = learn(
            facts,
            event,  # type: ignore[arg-type]
            case_id="case-1",
            event_id=f"e-{version}",
            version=version,
            from_case_stream=True,
        )
    return facts


def test_the_case_opened_gives_its_departement_kind_and_last_event() -> None:
    assert fold(OPENED) == CaseFacts(
        case_id="case-1",
        departement="93",
        kind=CaseKind.TRAFFICKING,
        last_event_id="e-1",
        version=1,
    )


def test_a_later_report_of_a_minor_makes_the_case_a_minor_victims() -> None:
    facts = fold(OPENED, report(minor=True), report(minor=False))
    assert facts is not None
    assert facts.minor_victim
    assert facts.last_event_id == "e-3"


def test_an_assessment_never_lowers_the_level_only_a_reviewed_lowering_does() -> None:
    grave = fold(OPENED, assessed(RiskLevel.GRAVE_DANGER), assessed(RiskLevel.MEDIUM))
    assert grave is not None
    assert grave.risk_level is RiskLevel.GRAVE_DANGER
    lowered = RiskLowered(
        case_id="case-1",
        assessment_id="a",
        from_level=RiskLevel.GRAVE_DANGER,
        to_level=RiskLevel.HIGH,
        reviewer_role=Role.RISK_REVIEWER,
        reason=LoweringReason.VICTIM_RELOCATED,
    )
    after = fold(OPENED, assessed(RiskLevel.GRAVE_DANGER), lowered)
    assert after is not None
    assert after.risk_level is RiskLevel.HIGH


def test_a_closed_case_is_known_closed() -> None:
    facts = fold(OPENED, CaseClosed(case_id="case-1", reason=ClosureReason.VICTIM_SAFE))
    assert facts is not None
    assert facts.closed


def test_a_redelivered_event_changes_nothing() -> None:
    facts = fold(OPENED, report(minor=False))
    again = learn(
        facts,
        report(minor=True),
        case_id="case-1",
        event_id="e-1",
        version=1,
        from_case_stream=True,
    )
    assert again is facts


def test_nothing_is_learnt_before_the_case_is_opened_or_reported() -> None:
    learnt = learn(
        None,
        assessed(RiskLevel.HIGH),
        case_id="case-1",
        event_id="e-1",
        version=3,
        from_case_stream=True,
    )
    assert learnt is None


def test_an_erased_case_is_known_closed() -> None:
    facts = fold(OPENED, CaseErased(case_id="case-1", basis=ErasureBasis.ERASURE_REQUEST))
    assert facts is not None
    assert facts.closed
