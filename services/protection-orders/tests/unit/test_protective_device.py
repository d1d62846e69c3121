"""Serious-danger phone (CPP art. 41-3-1) and anti-approach bracelet (C. civ. art. 515-11-1)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from relais_events.catalogue.protection_orders import (
    DeadlineKind,
    DeviceKind,
    Measure,
    ProtectiveDeviceAssigned,
    ProtectiveDeviceWithdrawn,
    WithdrawalReason,
)
from relais_protection_orders.domain import errors
from relais_protection_orders.domain.commands import (
    AssignDevice,
    Command,
    FireDeadline,
    ModifyOrder,
    RenewDevice,
    RevokeOrder,
    WithdrawDevice,
)
from relais_protection_orders.domain.deadlines import PARIS, end_of_day
from relais_protection_orders.domain.protection_order import ProtectionOrder, decide, fold

AT = datetime(2025, 3, 12, 10, tzinfo=PARIS)


def step(state: ProtectionOrder, command: Command, now: datetime = AT) -> ProtectionOrder:
    return fold(decide(state, command, now), state)


def bracelet(**changes: Any) -> AssignDevice:
    fields: dict[str, Any] = {
        "actor": "justice_clerk",
        "at": AT,
        "device_id": "bar-1",
        "device": DeviceKind.ANTI_APPROACH_BRACELET,
        "alert_distance_km": 3,
        "victim_consents": True,
        "defendant_consents": True,
    }
    return AssignDevice.model_validate(fields | changes)


def phone(actor: str = "prosecutor") -> AssignDevice:
    return AssignDevice.model_validate(
        {"actor": actor, "at": AT, "device_id": "tgd-1", "device": DeviceKind.SERIOUS_DANGER_PHONE}
    )


def test_serious_danger_phone_is_attributed_for_6_months(notified: ProtectionOrder) -> None:
    [event] = decide(notified, phone(), AT)
    assert isinstance(event, ProtectiveDeviceAssigned)
    assert event.ends_at == end_of_day(date(2025, 9, 12))


def test_only_the_prosecutor_attributes_the_phone(scheduled: ProtectionOrder) -> None:
    with pytest.raises(errors.OnlyProsecutorMayAssignPhone):
        decide(scheduled, phone(actor="justice_clerk"), AT)


def test_serious_danger_phone_is_renewable(notified: ProtectionOrder) -> None:
    state = step(notified, phone())
    later = datetime(2025, 9, 1, tzinfo=PARIS)
    renewed = step(state, RenewDevice(actor="prosecutor", at=later, device_id="tgd-1"), later)
    device = renewed.device("tgd-1")
    assert device is not None
    assert device.ends_at == end_of_day(date(2026, 3, 1))


def test_only_the_phone_is_renewable(notified: ProtectionOrder) -> None:
    state = step(notified, bracelet())
    with pytest.raises(errors.OnlyPhoneIsRenewable):
        decide(state, RenewDevice(actor="justice_clerk", at=AT, device_id="bar-1"), AT)


def test_a_device_id_is_assigned_once(notified: ProtectionOrder) -> None:
    with pytest.raises(errors.DeviceAlreadyAssigned):
        decide(step(notified, phone()), phone(), AT)


def test_withdrawal_keeps_the_alert_count_never_positions(notified: ProtectionOrder) -> None:
    state = step(notified, phone())
    command = WithdrawDevice(actor="prosecutor", at=AT, device_id="tgd-1", alert_count=4)
    [event] = decide(state, command, AT)
    assert isinstance(event, ProtectiveDeviceWithdrawn)
    assert event.alert_count == 4
    fields = set(ProtectiveDeviceAssigned.model_fields) | set(
        ProtectiveDeviceWithdrawn.model_fields
    )
    assert not {f for f in fields if "position" in f or "lat" in f or "lon" in f}
    with pytest.raises(errors.UnknownDevice):
        decide(fold([event], state), command, AT)


def test_bracelet_needs_an_issued_order(served: ProtectionOrder) -> None:
    with pytest.raises(errors.OrderNotIssued):
        decide(served, bracelet(), AT)


def test_bracelet_needs_both_parties_consent(notified: ProtectionOrder) -> None:
    with pytest.raises(errors.BraceletNeedsNoContactAndConsent):
        decide(notified, bracelet(defendant_consents=False), AT)
    with pytest.raises(errors.BraceletNeedsNoContactAndConsent):
        decide(notified, bracelet(victim_consents=False), AT)


def test_bracelet_needs_a_no_contact_measure(notified: ProtectionOrder) -> None:
    command = ModifyOrder(actor="justice_clerk", at=AT, measures=[Measure.WEAPON_BAN])
    with pytest.raises(errors.BraceletNeedsNoContactAndConsent):
        decide(step(notified, command), bracelet(), AT)


@pytest.mark.parametrize("distance", [0.5, 10.5, None])
def test_alert_distance_between_1_and_10_km(
    notified: ProtectionOrder, distance: float | None
) -> None:
    with pytest.raises(errors.AlertDistanceOutOfRange):
        decide(notified, bracelet(alert_distance_km=distance), AT)


@pytest.mark.parametrize("distance", [1, 10])
def test_pre_alert_zone_is_twice_the_alert_distance(
    notified: ProtectionOrder, distance: float
) -> None:
    [event] = decide(notified, bracelet(alert_distance_km=distance), AT)
    assert isinstance(event, ProtectiveDeviceAssigned)
    assert event.pre_alert_distance_km == 2 * distance


def test_active_bracelet_keeps_the_no_contact_measure(notified: ProtectionOrder) -> None:
    state = step(notified, bracelet())
    command = ModifyOrder(actor="justice_clerk", at=AT, measures=[Measure.WEAPON_BAN])
    with pytest.raises(errors.BraceletNeedsNoContactAndConsent):
        decide(state, command, AT)


def test_revocation_withdraws_the_bracelet_but_not_the_phone(notified: ProtectionOrder) -> None:
    state = step(step(notified, bracelet()), phone())
    events = decide(state, RevokeOrder(actor="justice_clerk", at=AT), AT)
    withdrawn = [e for e in events if isinstance(e, ProtectiveDeviceWithdrawn)]
    assert [(e.device_id, e.reason) for e in withdrawn] == [("bar-1", WithdrawalReason.ORDER_ENDED)]


def test_no_device_on_a_lapsed_application(scheduled: ProtectionOrder) -> None:
    assert scheduled.service_due_at is not None
    fire = FireDeadline(kind=DeadlineKind.SERVICE, due_at=scheduled.service_due_at)
    lapsed = step(scheduled, fire, AT)
    with pytest.raises(errors.OrderLapsed):
        decide(lapsed, phone(), AT)
