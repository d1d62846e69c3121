"""Rules of an issued order: notification, national files, extension, modification, revocation,
enforceability (C. civ. art. 515-11-1 and 515-12; CPC art. 1136-7)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from relais_events.catalogue.protection_orders import (
    ExtensionGround,
    Measure,
    NationalFile,
    ProtectionOrderFlagged,
    ProtectionOrderNotified,
)
from relais_protection_orders.domain import errors
from relais_protection_orders.domain.commands import (
    Command,
    ExtendOrder,
    IssueOrder,
    ModifyOrder,
    NotifyOrder,
    RegisterInNationalFile,
    RevokeOrder,
)
from relais_protection_orders.domain.deadlines import PARIS, end_of_day
from relais_protection_orders.domain.protection_order import (
    ProtectionOrder,
    decide,
    enforceable_at,
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


def test_term_runs_from_notification_not_from_issuance(issued: ProtectionOrder) -> None:
    # Notified after the flag delays: the flags the manager would have raised come first.
    *flags, event = decide(issued, NotifyOrder(actor="justice_clerk", at=paris(4, 2)), paris(4, 2))
    assert {type(e) for e in flags} == {ProtectionOrderFlagged}
    assert isinstance(event, ProtectionOrderNotified)
    assert event.expires_at == end_of_day(date(2026, 4, 2))


def test_order_is_notified_once(notified: ProtectionOrder) -> None:
    with pytest.raises(errors.OrderAlreadyNotified):
        decide(notified, NotifyOrder(actor="justice_clerk", at=paris(3, 11)), paris(3, 11))


def test_notification_needs_an_issued_order(served: ProtectionOrder) -> None:
    with pytest.raises(errors.OrderNotIssued):
        decide(served, NotifyOrder(actor="justice_clerk", at=paris(3, 5)), paris(3, 5))


def test_enforceable_only_once_notified(issued: ProtectionOrder, notified: ProtectionOrder) -> None:
    assert not enforceable_at(issued, paris(3, 9))
    assert notified.notified_at is not None
    assert not enforceable_at(notified, notified.notified_at - timedelta(seconds=1))
    assert enforceable_at(notified, notified.notified_at)


def test_not_enforceable_from_expiry(notified: ProtectionOrder) -> None:
    assert notified.expires_at == end_of_day(date(2026, 3, 10))
    assert enforceable_at(notified, datetime(2026, 3, 10, 23, 59, tzinfo=PARIS))
    assert not enforceable_at(notified, notified.expires_at)


def test_prosecutor_registers_the_order_in_fpr(issued: ProtectionOrder) -> None:
    command = RegisterInNationalFile(actor="prosecutor", file=NationalFile.FPR, at=paris(3, 8))
    assert step(issued, command, paris(3, 8)).registrations == {NationalFile.FPR}


def test_only_the_prosecutor_registers_in_national_files(issued: ProtectionOrder) -> None:
    command = RegisterInNationalFile(actor="police", file=NationalFile.FPR, at=paris(3, 8))
    with pytest.raises(errors.OnlyProsecutorMayRegister):
        decide(issued, command, paris(3, 8))


def test_finiada_only_for_an_order_banning_weapons(served: ProtectionOrder) -> None:
    state = step(served, issue(paris(3, 7)), paris(3, 7))
    command = RegisterInNationalFile(actor="prosecutor", file=NationalFile.FINIADA, at=paris(3, 8))
    with pytest.raises(errors.FiniadaNeedsWeaponBan):
        decide(state, command, paris(3, 8))


def test_an_order_is_entered_once_in_each_file(issued: ProtectionOrder) -> None:
    command = RegisterInNationalFile(actor="prosecutor", file=NationalFile.FPR, at=paris(3, 8))
    with pytest.raises(errors.AlreadyRegistered):
        decide(step(issued, command, paris(3, 8)), command, paris(3, 8))


def extension(filed: datetime, until: datetime, at: datetime) -> ExtendOrder:
    return ExtendOrder(
        actor="justice_clerk",
        at=at,
        ground=ExtensionGround.DIVORCE,
        proceedings_filed_at=filed,
        expires_at=until,
    )


def test_extended_when_divorce_is_filed_during_the_order(notified: ProtectionOrder) -> None:
    until = paris(9, 1, year=2026)
    state = step(notified, extension(paris(12, 1), until, paris(12, 2)), paris(12, 2))
    assert state.expires_at == until


def test_extension_refused_for_proceedings_filed_before_the_order(
    notified: ProtectionOrder,
) -> None:
    with pytest.raises(errors.ExtensionNeedsProceedingsDuringOrder):
        decide(notified, extension(paris(3, 1), paris(9, 1, year=2026), paris(12, 2)), paris(12, 2))


def test_extension_must_end_later_than_the_current_term(notified: ProtectionOrder) -> None:
    with pytest.raises(errors.ExtensionNeedsProceedingsDuringOrder):
        decide(
            notified, extension(paris(12, 1), paris(1, 1, year=2026), paris(12, 2)), paris(12, 2)
        )


def test_extension_needs_a_notified_order(issued: ProtectionOrder) -> None:
    with pytest.raises(errors.OrderNotNotified):
        decide(issued, extension(paris(3, 8), paris(9, 1, year=2026), paris(3, 9)), paris(3, 9))


def test_measures_may_be_modified_at_any_time(notified: ProtectionOrder) -> None:
    command = ModifyOrder(actor="justice_clerk", at=paris(5, 1), measures=[Measure.PET_CUSTODY])
    assert step(notified, command, paris(5, 1)).measures == {Measure.PET_CUSTODY}


def test_revoked_order_is_no_longer_enforceable(notified: ProtectionOrder) -> None:
    state = step(notified, RevokeOrder(actor="justice_clerk", at=paris(5, 1)), paris(5, 1))
    assert state.stage is Stage.REVOKED
    assert enforceable_at(state, paris(4, 30))
    assert not enforceable_at(state, paris(5, 1))
    with pytest.raises(errors.OrderRevoked):
        decide(
            state,
            ModifyOrder(actor="justice_clerk", at=paris(5, 2), measures=[Measure.LEGAL_AID]),
            paris(5, 2),
        )


def test_no_action_on_an_expired_order_even_before_its_expiry_fired(
    notified: ProtectionOrder,
) -> None:
    after = paris(3, 11, year=2026)
    with pytest.raises(errors.OrderExpired):
        decide(notified, RevokeOrder(actor="justice_clerk", at=after), after)
