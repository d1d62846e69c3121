"""Open deadlines of an order and what firing one does.

A scheduler asks ``open_deadlines(state)`` after each commit and sends ``FireDeadline(kind,
due_at)`` at ``now >= due_at``. Firing emits only if that very deadline is still open (e.g. the
summons was served in time: no lapse; the order was extended: the old expiry no longer applies),
and the emitted event closes it, so firing twice emits nothing the second time.
"""

from __future__ import annotations

from datetime import datetime
from typing import assert_never

from relais_events.catalogue.protection_orders import (
    DeadlineKind,
    FlagReason,
    ProtectionOrderExpired,
    ProtectionOrderFlagged,
    ProtectionOrderLapsed,
    ProtectionOrderRulingOverdue,
    ProvisionalEndReason,
    ProvisionalOrderOverdue,
)

from relais_protection_orders.domain.commands import FireDeadline
from relais_protection_orders.domain.deadlines import Deadline
from relais_protection_orders.domain.events import ProtectionOrderEvent
from relais_protection_orders.domain.protective_device import withdraw_bracelets
from relais_protection_orders.domain.provisional_order import end_provisional
from relais_protection_orders.domain.state import (
    PENDING,
    ProtectionOrder,
    ProvisionalStatus,
    Stage,
    ids,
)


def open_deadlines(state: ProtectionOrder) -> list[Deadline]:
    """Every deadline still to watch, with its ``due_at`` in UTC."""
    found: list[Deadline] = []
    if state.stage is Stage.HEARING_SCHEDULED and state.service_due_at is not None:
        found.append(Deadline(DeadlineKind.SERVICE, state.service_due_at))
    if state.stage in PENDING and state.ruling_due_at and not state.ruling_overdue_flagged:
        found.append(Deadline(DeadlineKind.RULING, state.ruling_due_at))
    provisional = state.provisional
    if (
        state.stage in PENDING
        and provisional is not None
        and provisional.status is ProvisionalStatus.REQUESTED
        and not provisional.overdue_flagged
    ):
        found.append(Deadline(DeadlineKind.PROVISIONAL_DECISION, provisional.decision_due_at))
    if state.stage is Stage.ISSUED:
        if state.expires_at is not None:
            found.append(Deadline(DeadlineKind.EXPIRY, state.expires_at))
        due = state.notification_due_at
        if state.notified_at is None and due and FlagReason.NOT_NOTIFIED not in state.flags:
            found.append(Deadline(DeadlineKind.NOTIFICATION, due))
        due = state.registration_due_at
        if state.missing_files() and due and FlagReason.NOT_REGISTERED not in state.flags:
            found.append(Deadline(DeadlineKind.REGISTRATION, due))
    return found


def fire_deadline(
    state: ProtectionOrder, command: FireDeadline, now: datetime
) -> list[ProtectionOrderEvent]:
    """What the passing of a deadline means, if it still applies; nothing otherwise."""
    deadline = Deadline(command.kind, command.due_at)
    if now < deadline.due_at or deadline not in open_deadlines(state):
        return []
    due_at = deadline.due_at
    match deadline.kind:
        case DeadlineKind.SERVICE:
            # Not served in time: the application lapses (caducité, CPC art. 1136-3), and
            # with it any OPPI (C. civ. art. 515-13-1 al. 4).
            lapsed = ProtectionOrderLapsed(**ids(state), service_due_at=due_at)
            return [
                lapsed,
                *end_provisional(state, due_at, ProvisionalEndReason.APPLICATION_LAPSED),
            ]
        case DeadlineKind.RULING:
            return [ProtectionOrderRulingOverdue(**ids(state), ruling_due_at=due_at)]
        case DeadlineKind.PROVISIONAL_DECISION:
            return [ProvisionalOrderOverdue(**ids(state), decision_due_at=due_at)]
        case DeadlineKind.EXPIRY:
            return [
                ProtectionOrderExpired(**ids(state), expired_at=due_at),
                *withdraw_bracelets(state, due_at),
            ]
        case DeadlineKind.NOTIFICATION:
            reason = FlagReason.NOT_NOTIFIED
            return [ProtectionOrderFlagged(**ids(state), reason=reason, due_at=due_at)]
        case DeadlineKind.REGISTRATION:
            return [
                ProtectionOrderFlagged(
                    **ids(state),
                    reason=FlagReason.NOT_REGISTERED,
                    due_at=due_at,
                    missing_files=state.missing_files(),
                )
            ]
        case _:
            assert_never(deadline.kind)
