"""Protective devices: serious-danger phone (téléphone grave danger, TGD) and anti-approach
bracelet (bracelet anti-rapprochement, BAR).

Relais records attribution, renewal, withdrawal and alert counts only: never a position
(DOMAIN.md, Protection orders; GDPR art. 5(1)(c), data minimisation).
"""

from __future__ import annotations

from datetime import datetime
from typing import assert_never

from relais_events.catalogue.protection_orders import (
    DeviceKind,
    Measure,
    ProtectiveDeviceAssigned,
    ProtectiveDeviceRenewed,
    ProtectiveDeviceWithdrawn,
    WithdrawalReason,
)
from relais_events.vocabulary import Role

from relais_protection_orders.domain import errors, procedure
from relais_protection_orders.domain.commands import AssignDevice, RenewDevice, WithdrawDevice
from relais_protection_orders.domain.deadlines import DeadlinePolicy
from relais_protection_orders.domain.events import ProtectionOrderEvent
from relais_protection_orders.domain.state import (
    ProtectionOrder,
    ProtectiveDevice,
    ids,
)

MIN_ALERT_DISTANCE_KM = 1.0
MAX_ALERT_DISTANCE_KM = 10.0
PRE_ALERT_FACTOR = 2
"""Bracelet alert distance 1 to 10 km, pre-alert zone twice that (C. civ. art. 515-11-1;
decree no. 2020-1161)."""

DeviceCommand = AssignDevice | RenewDevice | WithdrawDevice


def _recorder(kind: DeviceKind) -> tuple[Role, type[errors.ProtectionOrderRuleViolated]]:
    """The prosecutor attributes the phone (CPP art. 41-3-1); the JAF orders the bracelet within
    the protection order (C. civ. art. 515-11-1), which the clerk records."""
    if kind is DeviceKind.SERIOUS_DANGER_PHONE:
        return Role.PROSECUTOR, errors.OnlyProsecutorMayAssignPhone
    return Role.JUSTICE_CLERK, errors.OnlyClerkRecordsJudicialActs


def _active(state: ProtectionOrder, device_id: str) -> ProtectiveDevice:
    device = state.device(device_id)
    if device is None or not device.active:
        raise errors.UnknownDevice(device_id)
    return device


def _bracelet_allowed(state: ProtectionOrder, command: AssignDevice) -> float:
    """C. civ. art. 515-11-1: an issued order banning contact, and both parties' consent; the
    alert distance between 1 and 10 km. Returns the alert distance."""
    procedure.issued_in_force(state, command.at)
    consents = command.victim_consents and command.defendant_consents
    if Measure.NO_CONTACT not in state.measures or not consents:
        raise errors.BraceletNeedsNoContactAndConsent()
    distance = command.alert_distance_km
    if distance is None or not MIN_ALERT_DISTANCE_KM <= distance <= MAX_ALERT_DISTANCE_KM:
        raise errors.AlertDistanceOutOfRange(f"{distance} km")
    return distance


def decide_device(
    state: ProtectionOrder, command: DeviceCommand, now: datetime, policy: DeadlinePolicy
) -> list[ProtectionOrderEvent]:
    """Assign, renew or withdraw a device."""
    procedure.in_the_past(command.at, now)
    match command:
        case AssignDevice():
            procedure.recorded_by(command.actor, *_recorder(command.device))
            if state.device(command.device_id) is not None:
                raise errors.DeviceAlreadyAssigned(command.device_id)
            if command.device is DeviceKind.ANTI_APPROACH_BRACELET:
                distance = _bracelet_allowed(state, command)
                return [
                    ProtectiveDeviceAssigned(
                        **ids(state),
                        device_id=command.device_id,
                        device=command.device,
                        assigned_at=command.at,
                        alert_distance_km=distance,
                        pre_alert_distance_km=PRE_ALERT_FACTOR * distance,
                    )
                ]
            procedure.still_open(state, command.at)
            return [
                ProtectiveDeviceAssigned(
                    **ids(state),
                    device_id=command.device_id,
                    device=command.device,
                    assigned_at=command.at,
                    ends_at=policy.serious_danger_phone_ends_at(command.at),
                )
            ]
        case RenewDevice():
            device = _active(state, command.device_id)
            if device.kind is not DeviceKind.SERIOUS_DANGER_PHONE:
                raise errors.OnlyPhoneIsRenewable()
            procedure.recorded_by(command.actor, *_recorder(device.kind))
            procedure.still_open(state, command.at)
            procedure.not_before(command.at, device.assigned_at, "the attribution")
            # A new 6-month term from the renewal decision (CPP art. 41-3-1).
            ends_at = policy.serious_danger_phone_ends_at(command.at)
            return [
                ProtectiveDeviceRenewed(
                    **ids(state), device_id=device.device_id, renewed_at=command.at, ends_at=ends_at
                )
            ]
        case WithdrawDevice():
            # Allowed whatever the order's stage: withdrawing protection data never harms.
            device = _active(state, command.device_id)
            procedure.recorded_by(command.actor, *_recorder(device.kind))
            procedure.not_before(command.at, device.assigned_at, "the attribution")
            return [
                ProtectiveDeviceWithdrawn(
                    **ids(state),
                    device_id=device.device_id,
                    withdrawn_at=command.at,
                    reason=WithdrawalReason.DECIDED,
                    alert_count=command.alert_count,
                )
            ]
        case _:
            assert_never(command)


def withdraw_bracelets(state: ProtectionOrder, at: datetime) -> list[ProtectionOrderEvent]:
    """A bracelet exists only within the order: it is withdrawn when the order is revoked or
    expires (C. civ. art. 515-11-1). The phone has its own term (CPP art. 41-3-1) and stays."""
    return [
        ProtectiveDeviceWithdrawn(
            **ids(state),
            device_id=d.device_id,
            withdrawn_at=at,
            reason=WithdrawalReason.ORDER_ENDED,
        )
        for d in state.devices
        if d.active and d.kind is DeviceKind.ANTI_APPROACH_BRACELET
    ]
