"""Rules of a case: opening, attaching, closing, linking (DOMAIN.md "Cases")."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from relais_events.catalogue.intake import (
    CaseClosed,
    CaseErased,
    CaseLinked,
    CaseLinkKind,
    CaseOpened,
    ClosureReason,
    ErasureBasis,
    ReportFiled,
    ReportKind,
    RiskAssessed,
)
from relais_events.vocabulary import CaseKind, Channel, RiskLevel, Role, TraffickingForm
from relais_intake.domain import errors
from relais_intake.domain.case import CaseStatus, decide
from relais_intake.domain.commands import AssessRisk, CloseCase, EraseCase, LinkCase

from .factories import NOW, assessment, file_report, fold, opened_case


def link(**changes: object) -> LinkCase:
    fields: dict[str, object] = {
        "case_id": "case-1",
        "actor_role": Role.POLICE,
        "linked_case_id": "case-2",
        "link": CaseLinkKind.SAME_VICTIM,
        "confirmed": True,
        "linked_departement": "93",
    }
    return LinkCase.model_validate(fields | changes)


def test_first_report_opens_the_case_then_files_the_report() -> None:
    opened, filed = decide(None, file_report(), NOW)
    assert isinstance(opened, CaseOpened)
    assert (opened.case_id, opened.departement, opened.opened_via) == (
        "case-1",
        "93",
        "hotline_3919",
    )
    assert isinstance(filed, ReportFiled)
    assert filed.children_present == 2


def test_report_with_a_questionnaire_records_the_assessment_once() -> None:
    events = decide(None, file_report(assessment=assessment(RiskLevel.HIGH)), NOW)
    assert [type(e).__name__ for e in events] == ["CaseOpened", "ReportFiled", "RiskAssessed"]
    assert isinstance(events[-1], RiskAssessed)
    assert events[-1].VERSION == 3
    assert fold(events).risk_level is RiskLevel.HIGH


def test_a_second_report_attaches_without_reopening() -> None:
    second = file_report(attach=True, report_id="report-2", channel=Channel.SMS_114)
    [filed] = decide(opened_case(), second, NOW)
    assert isinstance(filed, ReportFiled)
    assert fold([filed], opened_case()).report_ids == ("report-1", "report-2")


def test_attaching_needs_an_existing_case() -> None:
    with pytest.raises(errors.CaseNotFound):
        decide(None, file_report(attach=True), NOW)


def test_opening_an_existing_case_id_is_refused() -> None:
    with pytest.raises(errors.CaseAlreadyExists):
        decide(opened_case(), file_report(), NOW)


def test_report_attaches_only_within_the_case_departement() -> None:
    with pytest.raises(errors.ReportOutsideCaseDepartement):
        decide(opened_case(), file_report(attach=True, departement="75"), NOW)


def test_closed_case_takes_no_new_report() -> None:
    closed = dataclasses.replace(opened_case(), status=CaseStatus.CLOSED)
    with pytest.raises(errors.CaseIsClosed):
        decide(closed, file_report(attach=True, report_id="report-2"), NOW)


@pytest.mark.parametrize(
    ("role", "channel"),
    [(Role.REPORTING_POINT, Channel.POLICE), (Role.HOTLINE, Channel.PHARMACY)],
)
def test_each_channel_is_filed_by_its_own_actors(role: Role, channel: Channel) -> None:
    with pytest.raises(errors.ChannelNotOpenToRole):
        decide(None, file_report(actor_role=role, channel=channel), NOW)


def test_pharmacy_alert_by_a_reporting_point_opens_a_case() -> None:
    command = file_report(
        actor_role=Role.REPORTING_POINT, channel=Channel.PHARMACY, report_kind=ReportKind.ALERT
    )
    assert len(decide(None, command, NOW)) == 2


def test_trafficking_forms_qualify_trafficking_cases_only() -> None:
    forms = (TraffickingForm.FORCED_BEGGING,)
    with pytest.raises(errors.TraffickingFormsOnlyForTrafficking):
        decide(None, file_report(trafficking_forms=forms), NOW)
    trafficking = file_report(case_kind=CaseKind.TRAFFICKING, trafficking_forms=forms)
    opened = decide(None, trafficking, NOW)[0]
    assert isinstance(opened, CaseOpened)
    assert opened.trafficking_forms == [TraffickingForm.FORCED_BEGGING]


def test_minor_victim_stays_flagged_once_any_report_says_so() -> None:
    minor = file_report(attach=True, report_id="report-2", minor_victim=True)
    state = fold(decide(opened_case(), minor, NOW), opened_case())
    assert state.minor_victim


def test_close_once() -> None:
    close = CloseCase(case_id="case-1", actor_role=Role.POLICE, reason=ClosureReason.VICTIM_SAFE)
    [closed] = decide(opened_case(), close, NOW)
    assert isinstance(closed, CaseClosed)
    with pytest.raises(errors.CaseAlreadyClosed):
        decide(fold([closed], opened_case()), close, NOW)


ERASE = EraseCase(case_id="case-1", actor_role=Role.ADMIN, basis=ErasureBasis.ERASURE_REQUEST)


def test_an_open_or_closed_case_is_erased_once_and_then_takes_nothing() -> None:
    """GDPR art. 17, DOMAIN.md "Data protection": erased everywhere, once."""
    close = CloseCase(case_id="case-1", actor_role=Role.POLICE, reason=ClosureReason.VICTIM_SAFE)
    closed = fold(decide(opened_case(), close, NOW), opened_case())
    for state in (opened_case(), closed):
        [erased] = decide(state, ERASE, NOW)
        assert isinstance(erased, CaseErased)
        assert erased.basis is ErasureBasis.ERASURE_REQUEST
        gone = fold([erased], state)
        assert gone.status is CaseStatus.ERASED
        with pytest.raises(errors.CaseAlreadyErased):
            decide(gone, ERASE, NOW)
        with pytest.raises(errors.CaseIsClosed):
            decide(gone, file_report(attach=True, report_id="report-9"), NOW)
        reassess = AssessRisk(
            case_id="case-1",
            actor_role=Role.POLICE,
            assessment=assessment(RiskLevel.HIGH, "assessment-9"),
        )
        with pytest.raises(errors.CaseIsClosed):
            decide(gone, reassess, NOW)
    with pytest.raises(errors.CaseNotFound):
        decide(None, ERASE, NOW)


def test_case_opened_carries_no_person_key_in_clear() -> None:
    """The command's person key is sealed by the application, never put in the event's data."""
    opened, _ = decide(None, file_report(), NOW)
    assert isinstance(opened, CaseOpened)
    assert "a" * 64 not in opened.model_dump_json()


def test_link_on_confirmation_within_the_departement() -> None:
    [linked] = decide(opened_case(), link(), NOW)
    assert isinstance(linked, CaseLinked)
    with pytest.raises(errors.AlreadyLinked):
        decide(fold([linked], opened_case()), link(), NOW)


@pytest.mark.parametrize(
    ("changes", "rule"),
    [
        ({"confirmed": False}, errors.LinkNeedsConfirmation),
        ({"linked_case_id": "case-1"}, errors.LinkToItself),
        ({"linked_departement": None}, errors.LinkedCaseNotFound),
        ({"linked_departement": "75"}, errors.LinkAcrossDepartements),
    ],
)
def test_link_rules(changes: dict[str, object], rule: type[errors.CaseRuleViolation]) -> None:
    with pytest.raises(rule):
        decide(opened_case(), link(**changes), NOW)


def test_now_must_be_aware() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        decide(None, file_report(), dt.datetime(2026, 3, 2))  # noqa: DTZ001
