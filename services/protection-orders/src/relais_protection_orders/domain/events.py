"""What happens to a protection order: the union of its events and ``evolve``, which folds them.

``evolve`` never checks a rule: the rules are checked in ``decide`` before an event exists.
"""

from __future__ import annotations

from dataclasses import replace
from typing import assert_never

from relais_events.catalogue.protection_orders import (
    DeadlineKind,
    FlagReason,
    OrderBreachReported,
    ProtectionOrderExpired,
    ProtectionOrderExtended,
    ProtectionOrderFlagged,
    ProtectionOrderHearingScheduled,
    ProtectionOrderIssued,
    ProtectionOrderLapseAnnulled,
    ProtectionOrderLapsed,
    ProtectionOrderMissedDeadlineAnnulled,
    ProtectionOrderModified,
    ProtectionOrderNotified,
    ProtectionOrderRegistered,
    ProtectionOrderRejected,
    ProtectionOrderRequested,
    ProtectionOrderRevoked,
    ProtectionOrderRulingOverdue,
    ProtectionOrderSummonsServed,
    ProtectiveDeviceAssigned,
    ProtectiveDeviceRenewed,
    ProtectiveDeviceWithdrawn,
    ProvisionalOrderEnded,
    ProvisionalOrderIssued,
    ProvisionalOrderOverdue,
    ProvisionalOrderRejected,
    ProvisionalOrderRequested,
)

from relais_protection_orders.domain.state import (
    PENDING,
    ProtectionOrder,
    ProtectiveDevice,
    ProvisionalOrder,
    ProvisionalStatus,
    Stage,
)

ProtectionOrderEvent = (
    ProtectionOrderRequested
    | ProtectionOrderHearingScheduled
    | ProtectionOrderSummonsServed
    | ProtectionOrderLapsed
    | ProtectionOrderLapseAnnulled
    | ProtectionOrderIssued
    | ProtectionOrderRejected
    | ProtectionOrderNotified
    | ProtectionOrderRegistered
    | ProtectionOrderExtended
    | ProtectionOrderModified
    | ProtectionOrderRevoked
    | ProtectionOrderExpired
    | ProtectionOrderRulingOverdue
    | ProtectionOrderFlagged
    | ProtectionOrderMissedDeadlineAnnulled
    | ProvisionalOrderRequested
    | ProvisionalOrderIssued
    | ProvisionalOrderRejected
    | ProvisionalOrderOverdue
    | ProvisionalOrderEnded
    | ProtectiveDeviceAssigned
    | ProtectiveDeviceRenewed
    | ProtectiveDeviceWithdrawn
    | OrderBreachReported
)


def _with_device(state: ProtectionOrder, device_id: str, **changes: object) -> ProtectionOrder:
    devices = tuple(
        replace(d, **changes) if d.device_id == device_id else d  # type: ignore[arg-type]
        for d in state.devices
    )
    return replace(state, devices=devices)


def _with_provisional(state: ProtectionOrder, **changes: object) -> ProtectionOrder:
    assert state.provisional is not None, "an OPPI event follows provisional_order.requested"
    return replace(state, provisional=replace(state.provisional, **changes))  # type: ignore[arg-type]


def _lapse_annulled(state: ProtectionOrder, event: ProtectionOrderLapseAnnulled) -> ProtectionOrder:
    restored = state
    if event.provisional_order_restored and state.provisional is not None:
        # The lapse ended it alive: issued (an OPPI is issued with measures) or awaiting.
        issued = bool(state.provisional.measures)
        status = ProvisionalStatus.ISSUED if issued else ProvisionalStatus.REQUESTED
        restored = _with_provisional(state, status=status)
    return replace(restored, stage=Stage.HEARING_SCHEDULED)


def _missed_deadline_annulled(state: ProtectionOrder, deadline: DeadlineKind) -> ProtectionOrder:
    match deadline:
        case DeadlineKind.RULING:
            return replace(state, ruling_overdue_flagged=False)
        case DeadlineKind.PROVISIONAL_DECISION:
            return _with_provisional(state, overdue_flagged=False)
        case DeadlineKind.NOTIFICATION:
            return replace(state, flags=state.flags - {FlagReason.NOT_NOTIFIED})
        case DeadlineKind.REGISTRATION:
            return replace(state, flags=state.flags - {FlagReason.NOT_REGISTERED})
        case DeadlineKind.SERVICE | DeadlineKind.EXPIRY:
            # Never emitted for these: a lapse has its own annulment, an expiry none.
            return state
        case _:
            assert_never(deadline)


def evolve(state: ProtectionOrder, event: ProtectionOrderEvent) -> ProtectionOrder:
    """Apply one past event. Never raises on a valid stream: the rules are checked in ``decide``."""
    match event:
        case ProtectionOrderRequested():
            return replace(
                state,
                order_id=event.order_id,
                case_id=event.case_id,
                stage=Stage.REQUESTED,
                requested_at=event.requested_at,
            )
        case ProtectionOrderHearingScheduled():
            return replace(
                state,
                stage=Stage.HEARING_SCHEDULED,
                hearing_fixed_at=event.scheduled_at,
                service_due_at=event.service_due_at,
                ruling_due_at=event.ruling_due_at,
            )
        case ProtectionOrderSummonsServed():
            # A service recorded after the ruling it preceded leaves the order at its ruling.
            served = Stage.SUMMONS_SERVED if state.stage in PENDING else state.stage
            return replace(state, stage=served, served_at=event.served_at)
        case ProtectionOrderLapsed():
            return replace(state, stage=Stage.LAPSED)
        case ProtectionOrderLapseAnnulled():
            return _lapse_annulled(state, event)
        case ProtectionOrderIssued():
            return replace(
                state,
                stage=Stage.ISSUED,
                ruled_at=event.issued_at,
                measures=frozenset(event.measures),
                duration_months=event.duration_months,
                notification_due_at=event.notification_due_at,
                registration_due_at=event.registration_due_at,
            )
        case ProtectionOrderRejected():
            return replace(state, stage=Stage.REJECTED, ruled_at=event.rejected_at)
        case ProtectionOrderNotified():
            return replace(state, notified_at=event.notified_at, expires_at=event.expires_at)
        case ProtectionOrderRegistered():
            latest = max(filter(None, (state.last_registered_at, event.registered_at)))
            files = state.registrations | {event.file}
            return replace(state, registrations=files, last_registered_at=latest)
        case ProtectionOrderExtended():
            return replace(state, expires_at=event.expires_at)
        case ProtectionOrderModified():
            return replace(state, measures=frozenset(event.measures))
        case ProtectionOrderRevoked():
            return replace(state, stage=Stage.REVOKED, revoked_at=event.revoked_at)
        case ProtectionOrderExpired():
            return replace(state, stage=Stage.EXPIRED)
        case ProtectionOrderRulingOverdue():
            return replace(state, ruling_overdue_flagged=True)
        case ProtectionOrderFlagged():
            return replace(state, flags=state.flags | {event.reason})
        case ProtectionOrderMissedDeadlineAnnulled():
            return _missed_deadline_annulled(state, event.deadline)
        case ProvisionalOrderRequested():
            provisional = ProvisionalOrder(event.requested_at, event.decision_due_at)
            return replace(state, provisional=provisional)
        case ProvisionalOrderIssued():
            return _with_provisional(
                state, status=ProvisionalStatus.ISSUED, measures=frozenset(event.measures)
            )
        case ProvisionalOrderRejected():
            return _with_provisional(state, status=ProvisionalStatus.REJECTED)
        case ProvisionalOrderOverdue():
            return _with_provisional(state, overdue_flagged=True)
        case ProvisionalOrderEnded():
            return _with_provisional(state, status=ProvisionalStatus.ENDED)
        case ProtectiveDeviceAssigned():
            device = ProtectiveDevice(
                event.device_id,
                event.device,
                event.assigned_at,
                event.ends_at,
                event.alert_distance_km,
            )
            return replace(state, devices=(*state.devices, device))
        case ProtectiveDeviceRenewed():
            return _with_device(state, event.device_id, ends_at=event.ends_at)
        case ProtectiveDeviceWithdrawn():
            return _with_device(state, event.device_id, active=False)
        case OrderBreachReported():
            return replace(state, breaches=state.breaches + 1)
        case _:
            assert_never(event)
