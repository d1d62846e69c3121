"""Missed-deadline reports and the OPPI when the act that met the deadline is recorded late.

Fixtures (conftest): hearing fixed Mon 3 March 2025 10:00, service due by the end of Wed 5 March,
ruling by the end of Sun 9 March; served Tue 4 March; issued Fri 7 March 14:00 with no_contact
and weapon_ban (notification and FPR + FINIADA flagged from the end of Sun 9 March).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from relais_events.catalogue.protection_orders import (
    DeadlineKind,
    FlagReason,
    Measure,
    NationalFile,
    ProtectionOrderMissedDeadlineAnnulled,
)
from relais_events.vocabulary import Role
from relais_protection_orders.domain import errors
from relais_protection_orders.domain.commands import (
    Command,
    FireDeadline,
    IssueOrder,
    IssueProvisionalOrder,
    NotifyOrder,
    RegisterInNationalFile,
    RequestProvisionalOrder,
    RevokeOrder,
    ServeSummons,
)
from relais_protection_orders.domain.deadlines import PARIS
from relais_protection_orders.domain.protection_order import (
    ProtectionOrder,
    decide,
    fold,
    open_deadlines,
)
from relais_protection_orders.domain.state import ProvisionalStatus, Stage

CLERK, PROSECUTOR = Role.JUSTICE_CLERK, Role.PROSECUTOR


def paris(day: int, hour: int = 12, month: int = 3) -> datetime:
    return datetime(2025, month, day, hour, tzinfo=PARIS)


def run(state: ProtectionOrder, command: Command, now: datetime) -> ProtectionOrder:
    return fold(decide(state, command, now), state)


def fire(state: ProtectionOrder, *kinds: DeadlineKind) -> ProtectionOrder:
    for kind in kinds:
        [deadline] = [d for d in open_deadlines(state) if d.kind is kind]
        state = run(state, FireDeadline(kind=kind, due_at=deadline.due_at), deadline.due_at)
    return state


def ruling(at: datetime) -> IssueOrder:
    return IssueOrder(actor=CLERK, at=at, measures=[Measure.NO_CONTACT], duration_months=12)


def test_a_ruling_in_time_recorded_after_the_overdue_report_annuls_it(
    served: ProtectionOrder,
) -> None:
    overdue = fire(served, DeadlineKind.RULING)
    assert overdue.ruling_overdue_flagged
    annulled, issued = decide(overdue, ruling(paris(9, 20)), paris(10, 9))
    assert isinstance(annulled, ProtectionOrderMissedDeadlineAnnulled)
    assert (annulled.deadline, annulled.act_at) == (DeadlineKind.RULING, paris(9, 20))
    assert annulled.due_at == overdue.ruling_due_at
    assert annulled.recorded_by is CLERK
    assert not fold([annulled, issued], overdue).ruling_overdue_flagged


def test_a_late_ruling_is_recorded_and_stays_overdue(served: ProtectionOrder) -> None:
    overdue = fire(served, DeadlineKind.RULING)
    [issued] = decide(overdue, ruling(paris(10, 9)), paris(10, 10))
    assert fold([issued], overdue).ruling_overdue_flagged
    # Recorded before the manager ran: the report it would have made comes first.
    reported, _ = decide(served, ruling(paris(10, 9)), paris(10, 10))
    assert reported.TYPE == "protection_order.ruling_overdue"


def test_a_notification_in_time_recorded_after_the_flag_annuls_it(
    issued: ProtectionOrder,
) -> None:
    flagged = fire(issued, DeadlineKind.NOTIFICATION, DeadlineKind.REGISTRATION)
    events = decide(flagged, NotifyOrder(actor=CLERK, at=paris(9, 18)), paris(11, 9))
    assert [e.TYPE for e in events] == [
        "protection_order.missed_deadline_annulled",
        "protection_order.notified",
    ]
    assert fold(events, flagged).flags == {FlagReason.NOT_REGISTERED}


def register(file: NationalFile, at: datetime) -> RegisterInNationalFile:
    return RegisterInNationalFile(actor=PROSECUTOR, at=at, file=file)


def test_registrations_annul_their_flag_only_when_every_file_was_entered_in_time(
    issued: ProtectionOrder,
) -> None:
    flagged = fire(issued, DeadlineKind.REGISTRATION)
    state = run(flagged, register(NationalFile.FPR, paris(9, 10)), paris(10, 9))
    assert FlagReason.NOT_REGISTERED in state.flags  # FINIADA still missing
    state = run(state, register(NationalFile.FINIADA, paris(9, 11)), paris(11, 9))
    assert FlagReason.NOT_REGISTERED not in state.flags
    # FPR entered late (10 March): the flag was right, a FINIADA dated in time does not undo it.
    late = run(flagged, register(NationalFile.FPR, paris(10, 9)), paris(10, 10))
    late = run(late, register(NationalFile.FINIADA, paris(9, 11)), paris(11, 9))
    assert FlagReason.NOT_REGISTERED in late.flags


def test_an_oppi_ended_by_the_lapse_is_back_in_force_with_the_annulment(
    with_oppi: ProtectionOrder,
) -> None:
    granted = run(
        with_oppi,
        IssueProvisionalOrder(actor=CLERK, at=paris(3, 18), measures=[Measure.NO_CONTACT]),
        paris(3, 18),
    )
    lapsed = fire(granted, DeadlineKind.SERVICE)
    assert lapsed.provisional is not None
    assert not lapsed.provisional.alive
    state = run(lapsed, ServeSummons(actor=CLERK, at=paris(5, 10)), paris(6, 9))
    assert state.stage is Stage.SUMMONS_SERVED
    assert state.provisional is not None
    assert state.provisional.status is ProvisionalStatus.ISSUED


def test_an_oppi_awaiting_its_decision_awaits_it_again(scheduled: ProtectionOrder) -> None:
    requested = RequestProvisionalOrder(actor=PROSECUTOR, victim_agreement=True, at=paris(5, 20))
    lapsed = fire(run(scheduled, requested, paris(5, 20)), DeadlineKind.SERVICE)
    assert DeadlineKind.PROVISIONAL_DECISION not in {d.kind for d in open_deadlines(lapsed)}
    state = run(lapsed, ServeSummons(actor=CLERK, at=paris(5, 10)), paris(6, 9))
    assert state.provisional is not None
    assert state.provisional.status is ProvisionalStatus.REQUESTED
    assert {d.kind for d in open_deadlines(state)} == {
        DeadlineKind.RULING,
        DeadlineKind.PROVISIONAL_DECISION,  # due 6 March 20:00: as if the lapse never fired
    }


def test_an_oppi_decision_in_time_recorded_late_annuls_its_overdue_report(
    with_oppi: ProtectionOrder,
) -> None:
    overdue = fire(with_oppi, DeadlineKind.PROVISIONAL_DECISION)
    decision = IssueProvisionalOrder(actor=CLERK, at=paris(4, 10), measures=[Measure.NO_CONTACT])
    events = decide(overdue, decision, paris(5, 9))
    assert [e.TYPE for e in events] == [
        "protection_order.missed_deadline_annulled",
        "provisional_order.issued",
    ]
    provisional = fold(events, overdue).provisional
    assert provisional is not None
    assert not provisional.overdue_flagged


def test_a_service_recorded_after_the_ruling_it_preceded(scheduled: ProtectionOrder) -> None:
    issued = run(scheduled, ruling(paris(5, 10)), paris(5, 11))
    state = run(issued, ServeSummons(actor=CLERK, at=paris(4, 10)), paris(6, 9))
    assert (state.stage, state.served_at) == (Stage.ISSUED, paris(4, 10))
    with pytest.raises(errors.ServiceAfterRuling):
        decide(issued, ServeSummons(actor=CLERK, at=paris(5, 10)), paris(6, 9))


def test_an_expiry_is_not_annulled(notified: ProtectionOrder) -> None:
    expired = fire(notified, DeadlineKind.EXPIRY)
    assert expired.expires_at is not None
    revocation = RevokeOrder(actor=CLERK, at=expired.expires_at - timedelta(days=1))
    with pytest.raises(errors.OrderExpired):
        decide(expired, revocation, expired.expires_at + timedelta(days=1))
