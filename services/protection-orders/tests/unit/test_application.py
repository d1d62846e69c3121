"""Rules of an application up to its ruling (C. civ. art. 515-10 to 515-12; CPC art. 1136-3)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from pydantic import ValidationError
from relais_events.catalogue.protection_orders import (
    ApplicantKind,
    Measure,
    ProtectionOrderHearingScheduled,
    ProtectionOrderIssued,
    ProtectionOrderRequested,
)
from relais_protection_orders.domain import errors
from relais_protection_orders.domain.commands import (
    Command,
    IssueOrder,
    NotifyOrder,
    RejectApplication,
    RequestProtectionOrder,
    ScheduleHearing,
    ServeSummons,
)
from relais_protection_orders.domain.deadlines import PARIS, end_of_day
from relais_protection_orders.domain.protection_order import (
    ProtectionOrder,
    decide,
    fold,
)
from relais_protection_orders.domain.state import Stage


def step(state: ProtectionOrder, command: Command, now: datetime) -> ProtectionOrder:
    return fold(decide(state, command, now), state)


def paris(month: int, day: int, hour: int = 12, year: int = 2025) -> datetime:
    return datetime(year, month, day, hour, tzinfo=PARIS)


def issue(at: datetime, months: int = 12, *measures: Measure) -> IssueOrder:
    chosen = list(measures) or [Measure.NO_CONTACT]
    return IssueOrder(actor="justice_clerk", at=at, measures=chosen, duration_months=months)


def test_victim_application_is_recorded_by_the_clerk() -> None:
    command = RequestProtectionOrder(
        order_id="op-1",
        case_id="c-1",
        actor="justice_clerk",
        applicant=ApplicantKind.VICTIM,
        at=paris(3, 3),
    )
    [event] = decide(ProtectionOrder(), command, paris(3, 3))
    assert isinstance(event, ProtectionOrderRequested)
    assert event.requested_at.tzinfo is UTC


def test_prosecutor_applies_only_with_the_victims_agreement() -> None:
    command = RequestProtectionOrder(
        order_id="op-1",
        case_id="c-1",
        actor="prosecutor",
        applicant=ApplicantKind.PROSECUTOR_WITH_AGREEMENT,
        at=paris(3, 3),
    )
    with pytest.raises(errors.ProsecutorApplicationNeedsAgreement):
        decide(ProtectionOrder(), command, paris(3, 3))
    agreed = command.model_copy(update={"victim_agreement": True})
    assert decide(ProtectionOrder(), agreed, paris(3, 3))


def test_only_the_prosecutor_applies_with_agreement() -> None:
    command = RequestProtectionOrder(
        order_id="op-1",
        case_id="c-1",
        actor="police",
        victim_agreement=True,
        applicant=ApplicantKind.PROSECUTOR_WITH_AGREEMENT,
        at=paris(3, 3),
    )
    with pytest.raises(errors.OnlyProsecutorMayApplyForVictim):
        decide(ProtectionOrder(), command, paris(3, 3))


def test_one_application_per_order_stream(requested: ProtectionOrder) -> None:
    command = RequestProtectionOrder(
        order_id="op-1",
        case_id="c-1",
        actor="justice_clerk",
        applicant=ApplicantKind.VICTIM,
        at=paris(3, 4),
    )
    with pytest.raises(errors.ApplicationAlreadyFiled):
        decide(requested, command, paris(3, 4))


def test_act_dated_in_the_future_is_refused(requested: ProtectionOrder) -> None:
    command = ScheduleHearing(actor="justice_clerk", at=paris(3, 5), hearing_at=paris(3, 6))
    with pytest.raises(errors.ActDatedInFuture):
        decide(requested, command, paris(3, 4))


def test_only_the_clerk_records_judicial_acts(requested: ProtectionOrder) -> None:
    command = ScheduleHearing(actor="police", at=paris(3, 3, 10), hearing_at=paris(3, 6))
    with pytest.raises(errors.OnlyClerkRecordsJudicialActs):
        decide(requested, command, paris(3, 3, 10))


def test_fixing_the_hearing_opens_service_and_ruling_deadlines(requested: ProtectionOrder) -> None:
    command = ScheduleHearing(actor="justice_clerk", at=paris(3, 3, 10), hearing_at=paris(3, 6))
    [event] = decide(requested, command, paris(3, 3, 10))
    assert isinstance(event, ProtectionOrderHearingScheduled)
    assert event.service_due_at == end_of_day(date(2025, 3, 5))  # CPC 1136-3: 2 days
    assert event.ruling_due_at == end_of_day(date(2025, 3, 9))  # C. civ. 515-11: 6 days


def test_hearing_cannot_be_fixed_before_the_application(requested: ProtectionOrder) -> None:
    command = ScheduleHearing(actor="justice_clerk", at=paris(3, 2), hearing_at=paris(3, 6))
    with pytest.raises(errors.RulingBeforeApplication):
        decide(requested, command, paris(3, 3, 10))


def test_hearing_date_cannot_precede_the_order_fixing_it(requested: ProtectionOrder) -> None:
    command = ScheduleHearing(actor="justice_clerk", at=paris(3, 3, 10), hearing_at=paris(3, 3, 9))
    with pytest.raises(errors.ActBeforePreviousStep):
        decide(requested, command, paris(3, 3, 10))


def test_notification_cannot_precede_the_ruling(issued: ProtectionOrder) -> None:
    with pytest.raises(errors.ActBeforePreviousStep):
        decide(issued, NotifyOrder(actor="justice_clerk", at=paris(3, 7, 9)), paris(3, 8))


def test_hearing_date_is_fixed_once(scheduled: ProtectionOrder) -> None:
    command = ScheduleHearing(actor="justice_clerk", at=paris(3, 3, 11), hearing_at=paris(3, 6))
    with pytest.raises(errors.HearingAlreadyScheduled):
        decide(scheduled, command, paris(3, 3, 11))


def test_service_needs_a_hearing_date(requested: ProtectionOrder) -> None:
    with pytest.raises(errors.NoHearingScheduled):
        decide(requested, ServeSummons(actor="justice_clerk", at=paris(3, 4)), paris(3, 4))


def test_summons_served_within_two_days(scheduled: ProtectionOrder) -> None:
    last_minute = datetime(2025, 3, 5, 23, 59, tzinfo=PARIS)
    state = step(scheduled, ServeSummons(actor="justice_clerk", at=last_minute), last_minute)
    assert state.stage is Stage.SUMMONS_SERVED


def test_service_after_the_two_days_means_the_application_lapsed(
    scheduled: ProtectionOrder,
) -> None:
    midnight = datetime(2025, 3, 6, 0, 0, tzinfo=PARIS)
    with pytest.raises(errors.OrderLapsed):
        decide(scheduled, ServeSummons(actor="justice_clerk", at=midnight), midnight)


def test_service_is_done_once(served: ProtectionOrder) -> None:
    with pytest.raises(errors.SummonsAlreadyServed):
        decide(served, ServeSummons(actor="justice_clerk", at=paris(3, 5)), paris(3, 5))


def test_service_after_ruling_is_refused(issued: ProtectionOrder) -> None:
    with pytest.raises(errors.ServiceAfterRuling):
        decide(issued, ServeSummons(actor="justice_clerk", at=paris(3, 8)), paris(3, 8))


def test_ruling_dated_before_the_service_is_refused(served: ProtectionOrder) -> None:
    with pytest.raises(errors.ServiceAfterRuling):
        decide(served, issue(paris(3, 4, 9)), paris(3, 8))


def test_ruling_dated_before_the_application_is_refused(served: ProtectionOrder) -> None:
    with pytest.raises(errors.RulingBeforeApplication):
        decide(served, issue(paris(3, 1)), paris(3, 8))


def test_ruling_needs_a_hearing_date(requested: ProtectionOrder) -> None:
    with pytest.raises(errors.NoHearingScheduled):
        decide(requested, issue(paris(3, 4)), paris(3, 4))


def test_ruling_on_an_unserved_application_after_two_days_is_lapsed(
    scheduled: ProtectionOrder,
) -> None:
    with pytest.raises(errors.OrderLapsed):
        decide(scheduled, issue(paris(3, 7)), paris(3, 7))


def test_order_lasts_at_most_12_months(served: ProtectionOrder) -> None:
    with pytest.raises(errors.DurationOverMaximum):
        decide(served, issue(paris(3, 7), 13), paris(3, 7))
    [event] = decide(served, issue(paris(3, 7), 12), paris(3, 7))
    assert isinstance(event, ProtectionOrderIssued)
    assert event.duration_months == 12


def test_order_issued_before_15_june_2024_lasts_at_most_6_months() -> None:
    state = fold(
        [
            ProtectionOrderRequested(
                order_id="op-0",
                case_id="c-0",
                applicant=ApplicantKind.VICTIM,
                requested_at=paris(6, 10, year=2024),
            ),
            ProtectionOrderHearingScheduled(
                order_id="op-0",
                case_id="c-0",
                scheduled_at=paris(6, 10, year=2024),
                hearing_at=paris(6, 14, year=2024),
                service_due_at=paris(6, 13, year=2024),
                ruling_due_at=paris(6, 17, year=2024),
            ),
        ]
    )
    state = step(
        state,
        ServeSummons(actor="justice_clerk", at=paris(6, 11, year=2024)),
        paris(6, 11, year=2024),
    )
    with pytest.raises(errors.DurationOverMaximum):
        decide(state, issue(paris(6, 14, year=2024), 7), paris(6, 14, year=2024))
    assert decide(state, issue(paris(6, 14, year=2024), 6), paris(6, 14, year=2024))


def test_measures_come_from_the_closed_list_of_article_515_11() -> None:
    with pytest.raises(ValidationError):
        IssueOrder.model_validate(
            {
                "actor": "justice_clerk",
                "at": paris(3, 7),
                "measures": ["curfew"],
                "duration_months": 6,
            }
        )
    with pytest.raises(ValidationError):
        IssueOrder(actor="justice_clerk", at=paris(3, 7), measures=[], duration_months=6)


def test_bracelet_measure_needs_a_no_contact_measure(served: ProtectionOrder) -> None:
    with pytest.raises(errors.BraceletNeedsNoContactAndConsent):
        decide(served, issue(paris(3, 7), 6, Measure.ANTI_APPROACH_BRACELET), paris(3, 7))


def test_no_two_active_orders_for_one_application(issued: ProtectionOrder) -> None:
    with pytest.raises(errors.OrderAlreadyRuled):
        decide(issued, issue(paris(3, 8)), paris(3, 8))
    with pytest.raises(errors.OrderAlreadyRuled):
        decide(issued, RejectApplication(actor="justice_clerk", at=paris(3, 8)), paris(3, 8))


def test_nothing_follows_a_rejection_but_a_new_application(served: ProtectionOrder) -> None:
    state = step(served, RejectApplication(actor="justice_clerk", at=paris(3, 7)), paris(3, 7))
    with pytest.raises(errors.ApplicationRejected):
        decide(state, issue(paris(3, 8)), paris(3, 8))
