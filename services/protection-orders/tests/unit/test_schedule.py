"""Deadline firing: emits only what still applies at ``now >= due_at``, and only once."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from relais_events.catalogue.protection_orders import (
    DeadlineKind,
    DeviceKind,
    ExtensionGround,
    FlagReason,
    Measure,
    NationalFile,
    ProtectionOrderExpired,
    ProtectionOrderFlagged,
    ProtectionOrderLapsed,
    ProtectionOrderRulingOverdue,
    ProtectiveDeviceWithdrawn,
    ProvisionalOrderEnded,
    ProvisionalOrderOverdue,
)
from relais_protection_orders.domain.commands import (
    AssignDevice,
    Command,
    ExtendOrder,
    FireDeadline,
    IssueOrder,
    RegisterInNationalFile,
    RevokeOrder,
)
from relais_protection_orders.domain.deadlines import PARIS, Deadline, end_of_day
from relais_protection_orders.domain.events import ProtectionOrderEvent
from relais_protection_orders.domain.protection_order import (
    ProtectionOrder,
    decide,
    fold,
    open_deadlines,
)
from relais_protection_orders.domain.state import Stage


def step(state: ProtectionOrder, command: Command, now: datetime) -> ProtectionOrder:
    return fold(decide(state, command, now), state)


def fire(
    state: ProtectionOrder, kind: DeadlineKind, due_at: datetime | None = None
) -> list[ProtectionOrderEvent]:
    """Fire ``kind`` at its due instant: the open one, or ``due_at`` when given."""
    if due_at is None:
        due_at = next(d.due_at for d in open_deadlines(state) if d.kind is kind)
    return decide(state, FireDeadline(kind=kind, due_at=due_at), due_at)


def paris(month: int, day: int, hour: int = 12, year: int = 2025) -> datetime:
    return datetime(year, month, day, hour, tzinfo=PARIS)


def test_open_deadlines_after_the_hearing_is_fixed(scheduled: ProtectionOrder) -> None:
    assert open_deadlines(scheduled) == [
        Deadline(DeadlineKind.SERVICE, end_of_day(date(2025, 3, 5))),
        Deadline(DeadlineKind.RULING, end_of_day(date(2025, 3, 9))),
    ]


def test_unserved_application_lapses_at_the_service_deadline(scheduled: ProtectionOrder) -> None:
    [event] = fire(scheduled, DeadlineKind.SERVICE)
    assert isinstance(event, ProtectionOrderLapsed)


def test_lapse_ends_the_provisional_order(with_oppi: ProtectionOrder) -> None:
    events = fire(with_oppi, DeadlineKind.SERVICE)
    assert [type(e) for e in events] == [ProtectionOrderLapsed, ProvisionalOrderEnded]
    assert open_deadlines(fold(events, with_oppi)) == []


def test_summons_served_in_time_means_no_lapse(
    scheduled: ProtectionOrder, served: ProtectionOrder
) -> None:
    due = scheduled.service_due_at
    assert due is not None
    assert fire(served, DeadlineKind.SERVICE, due) == []


def test_firing_before_due_emits_nothing(scheduled: ProtectionOrder) -> None:
    due = scheduled.service_due_at
    assert due is not None
    command = FireDeadline(kind=DeadlineKind.SERVICE, due_at=due)
    assert decide(scheduled, command, due - timedelta(microseconds=1)) == []


def test_firing_twice_emits_nothing_the_second_time(scheduled: ProtectionOrder) -> None:
    due = scheduled.service_due_at
    assert due is not None
    command = FireDeadline(kind=DeadlineKind.SERVICE, due_at=due)
    lapsed = step(scheduled, command, due)
    assert lapsed.stage is Stage.LAPSED
    assert decide(lapsed, command, due + timedelta(days=1)) == []


def test_missing_ruling_is_flagged_overdue_and_may_still_be_issued(served: ProtectionOrder) -> None:
    [event] = fire(served, DeadlineKind.RULING)
    assert isinstance(event, ProtectionOrderRulingOverdue)
    overdue = fold([event], served)
    assert fire(overdue, DeadlineKind.RULING, event.ruling_due_at) == []
    late = IssueOrder(
        actor="justice_clerk", at=paris(3, 11), measures=[Measure.NO_CONTACT], duration_months=6
    )
    assert step(overdue, late, paris(3, 11)).stage is Stage.ISSUED


def test_ruling_in_time_means_no_overdue_flag(
    served: ProtectionOrder, issued: ProtectionOrder
) -> None:
    assert served.ruling_due_at is not None
    assert fire(issued, DeadlineKind.RULING, served.ruling_due_at) == []


def test_undecided_provisional_order_is_overdue_after_24_hours(with_oppi: ProtectionOrder) -> None:
    [event] = fire(with_oppi, DeadlineKind.PROVISIONAL_DECISION)
    assert isinstance(event, ProvisionalOrderOverdue)
    assert event.decision_due_at == paris(3, 4, 11)


def test_order_expires_at_the_end_of_its_term(notified: ProtectionOrder) -> None:
    [event] = fire(notified, DeadlineKind.EXPIRY)
    assert isinstance(event, ProtectionOrderExpired)
    assert event.expired_at == end_of_day(date(2026, 3, 10))


def test_extension_replaces_the_expiry_deadline(notified: ProtectionOrder) -> None:
    old = notified.expires_at
    assert old is not None
    until = paris(9, 1, year=2026)
    extend = ExtendOrder(
        actor="justice_clerk",
        at=paris(12, 2),
        ground=ExtensionGround.PARENTAL_AUTHORITY,
        proceedings_filed_at=paris(12, 1),
        expires_at=until,
    )
    extended = step(notified, extend, paris(12, 2))
    assert fire(extended, DeadlineKind.EXPIRY, old) == []
    assert Deadline(DeadlineKind.EXPIRY, until) in open_deadlines(extended)


def test_expiry_withdraws_the_bracelet(notified: ProtectionOrder) -> None:
    bracelet = AssignDevice(
        actor="justice_clerk",
        at=paris(3, 12),
        device_id="bar-1",
        device=DeviceKind.ANTI_APPROACH_BRACELET,
        alert_distance_km=2,
        victim_consents=True,
        defendant_consents=True,
    )
    state = step(notified, bracelet, paris(3, 12))
    events = fire(state, DeadlineKind.EXPIRY)
    assert [type(e) for e in events] == [ProtectionOrderExpired, ProtectiveDeviceWithdrawn]


def test_order_not_notified_after_the_delay_is_flagged(issued: ProtectionOrder) -> None:
    [event] = fire(issued, DeadlineKind.NOTIFICATION)
    assert isinstance(event, ProtectionOrderFlagged)
    assert event.reason is FlagReason.NOT_NOTIFIED


def test_notified_order_is_not_flagged(issued: ProtectionOrder, notified: ProtectionOrder) -> None:
    assert issued.notification_due_at is not None
    assert fire(notified, DeadlineKind.NOTIFICATION, issued.notification_due_at) == []


def test_order_not_registered_after_the_delay_is_flagged_with_missing_files(
    issued: ProtectionOrder,
) -> None:
    [event] = fire(issued, DeadlineKind.REGISTRATION)
    assert isinstance(event, ProtectionOrderFlagged)
    assert event.reason is FlagReason.NOT_REGISTERED
    assert event.missing_files == [NationalFile.FPR, NationalFile.FINIADA]  # weapon_ban


def test_registered_order_is_not_flagged(issued: ProtectionOrder) -> None:
    state = issued
    for file in (NationalFile.FPR, NationalFile.FINIADA):
        command = RegisterInNationalFile(actor="prosecutor", file=file, at=paris(3, 8))
        state = step(state, command, paris(3, 8))
    assert issued.registration_due_at is not None
    assert fire(state, DeadlineKind.REGISTRATION, issued.registration_due_at) == []


def test_revoked_order_has_no_open_deadline(notified: ProtectionOrder) -> None:
    state = step(notified, RevokeOrder(actor="justice_clerk", at=paris(5, 1)), paris(5, 1))
    assert open_deadlines(state) == []
