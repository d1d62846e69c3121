"""Acts done in time but recorded after their deadline fired (issue 16): the vectors.

Hearing fixed Fri 27 March 2026 10:00 Europe/Paris: the 2 days end on Sun 29 March, the day the
clocks go forward, extended to Mon 30 March (CPC art. 642), so service is due before
31 March 00:00 CEST = 2026-03-30T22:00Z; the 6-day ruling before 3 April 00:00 CEST =
2026-04-02T22:00Z (C. civ. art. 515-11, not extended).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from relais_events.catalogue.protection_orders import (
    ApplicantKind,
    DeadlineKind,
    ProtectionOrderLapseAnnulled,
    ProtectionOrderLapsed,
    ProtectionOrderSummonsServed,
)
from relais_events.vocabulary import Role
from relais_protection_orders.domain import errors
from relais_protection_orders.domain.commands import (
    Command,
    FireDeadline,
    IssueOrder,
    RejectApplication,
    RequestProtectionOrder,
    RequestProvisionalOrder,
    ScheduleHearing,
    ServeSummons,
)
from relais_protection_orders.domain.deadlines import PARIS, Deadline
from relais_protection_orders.domain.protection_order import (
    ProtectionOrder,
    decide,
    fold,
    open_deadlines,
)
from relais_protection_orders.domain.state import Stage

CLERK = Role.JUSTICE_CLERK
SECOND = timedelta(seconds=1)
SPRING_DUE = datetime(2026, 3, 30, 22, tzinfo=UTC)
SPRING_RULING_DUE = datetime(2026, 4, 2, 22, tzinfo=UTC)
AUTUMN_DUE = datetime(2026, 10, 26, 23, tzinfo=UTC)  # end of Mon 26 October, CET


def run(state: ProtectionOrder, command: Command, now: datetime) -> ProtectionOrder:
    return fold(decide(state, command, now), state)


def fire(state: ProtectionOrder, kind: DeadlineKind) -> ProtectionOrder:
    [deadline] = [d for d in open_deadlines(state) if d.kind is kind]
    command = FireDeadline(kind=kind, due_at=deadline.due_at)
    return run(state, command, deadline.due_at)


def hearing_fixed(fixed: datetime) -> ProtectionOrder:
    application = RequestProtectionOrder(
        order_id="op-16",
        case_id="case-16",
        actor=CLERK,
        applicant=ApplicantKind.VICTIM,
        at=fixed - timedelta(hours=1),
    )
    state = run(ProtectionOrder(), application, fixed)
    hearing = ScheduleHearing(actor=CLERK, at=fixed, hearing_at=fixed + timedelta(days=5))
    return run(state, hearing, fixed)


@pytest.fixture
def lapsed() -> ProtectionOrder:
    """The spring vector: the manager fired the lapse at its due instant."""
    state = fire(hearing_fixed(datetime(2026, 3, 27, 10, tzinfo=PARIS)), DeadlineKind.SERVICE)
    assert state.stage is Stage.LAPSED
    return state


def test_the_vector_crosses_the_spring_dst_change() -> None:
    state = hearing_fixed(datetime(2026, 3, 27, 10, tzinfo=PARIS))
    assert (state.service_due_at, state.ruling_due_at) == (SPRING_DUE, SPRING_RULING_DUE)


def test_a_service_one_second_in_time_recorded_after_the_lapse_annuls_it(
    lapsed: ProtectionOrder,
) -> None:
    monday_morning = datetime(2026, 3, 31, 9, tzinfo=PARIS)
    command = ServeSummons(actor=CLERK, at=SPRING_DUE - SECOND)
    annulled, served = decide(lapsed, command, monday_morning)
    assert isinstance(annulled, ProtectionOrderLapseAnnulled)
    assert (annulled.service_due_at, annulled.act_at) == (SPRING_DUE, SPRING_DUE - SECOND)
    assert annulled.recorded_by is CLERK
    assert annulled.ruling_due_at == SPRING_RULING_DUE  # runs again: as if it never fired
    assert isinstance(served, ProtectionOrderSummonsServed)
    state = fold([annulled, served], lapsed)
    assert state.stage is Stage.SUMMONS_SERVED
    assert open_deadlines(state) == [Deadline(DeadlineKind.RULING, SPRING_RULING_DUE)]


def test_a_service_at_the_due_instant_is_refused_naming_the_deadline(
    lapsed: ProtectionOrder,
) -> None:
    command = ServeSummons(actor=CLERK, at=SPRING_DUE)
    with pytest.raises(errors.OrderLapsed) as refused:
        decide(lapsed, command, SPRING_DUE + timedelta(hours=11))
    assert SPRING_DUE.isoformat() in refused.value.detail
    assert "CPC art. 1136-3" in refused.value.detail


def test_a_service_at_the_due_instant_recorded_before_the_manager_ran_is_refused_too() -> None:
    state = hearing_fixed(datetime(2026, 3, 27, 10, tzinfo=PARIS))
    with pytest.raises(errors.OrderLapsed, match="1136-3"):
        decide(state, ServeSummons(actor=CLERK, at=SPRING_DUE), SPRING_DUE + SECOND)


@pytest.mark.parametrize(("offset", "accepted"), [(-SECOND, True), (timedelta(0), False)])
def test_the_autumn_dst_change_vector(offset: timedelta, accepted: bool) -> None:
    # Fixed Fri 23 October 2026: Sun 25 (clocks go back) extended to Mon 26, end 00:00 CET.
    state = hearing_fixed(datetime(2026, 10, 23, 10, tzinfo=PARIS))
    assert state.service_due_at == AUTUMN_DUE
    state = fire(state, DeadlineKind.SERVICE)
    command = ServeSummons(actor=CLERK, at=AUTUMN_DUE + offset)
    if accepted:
        assert run(state, command, AUTUMN_DUE + timedelta(days=1)).stage is Stage.SUMMONS_SERVED
    else:
        with pytest.raises(errors.OrderLapsed):
            decide(state, command, AUTUMN_DUE + timedelta(days=1))


def test_a_ruling_dated_before_the_service_deadline_annuls_the_lapse(
    lapsed: ProtectionOrder,
) -> None:
    ruling = RejectApplication(actor=CLERK, at=SPRING_DUE - timedelta(hours=3))
    events = decide(lapsed, ruling, SPRING_DUE + timedelta(days=2))
    assert [e.TYPE for e in events] == [
        "protection_order.lapse_annulled",
        "protection_order.rejected",
    ]
    assert fold(events, lapsed).stage is Stage.REJECTED


def test_a_ruling_dated_after_the_lapse_is_still_refused(lapsed: ProtectionOrder) -> None:
    ruling = IssueOrder(
        actor=CLERK, at=SPRING_DUE + SECOND, measures=["no_contact"], duration_months=6
    )
    with pytest.raises(errors.OrderLapsed, match="1136-3"):
        decide(lapsed, ruling, SPRING_DUE + timedelta(days=1))


def test_an_act_that_does_not_meet_the_deadline_leaves_the_lapse_standing(
    lapsed: ProtectionOrder,
) -> None:
    # An OPPI request dated before the lapse does not serve the application.
    oppi = RequestProvisionalOrder(
        actor=Role.PROSECUTOR, victim_agreement=True, at=SPRING_DUE - timedelta(hours=5)
    )
    with pytest.raises(errors.NoPendingApplication):
        decide(lapsed, oppi, SPRING_DUE + timedelta(hours=1))


def test_the_lapse_and_its_annulment_both_stay_in_the_history(lapsed: ProtectionOrder) -> None:
    late = decide(lapsed, ServeSummons(actor=CLERK, at=SPRING_DUE - SECOND), SPRING_DUE + SECOND)
    history = [
        ProtectionOrderLapsed(order_id="op-16", case_id="case-16", service_due_at=SPRING_DUE),
        *late,
    ]
    state = fold(history, hearing_fixed(datetime(2026, 3, 27, 10, tzinfo=PARIS)))
    assert state == fold(late, lapsed)
    assert state.stage is Stage.SUMMONS_SERVED
