"""The protection order (ordonnance de protection, OP): ``decide`` for every command.

Lifecycle (C. civ. art. 515-9 to 515-13-1; CPC art. 1136-3 and following): requested -> hearing
scheduled -> summons served -> issued or rejected -> notified -> registered -> extended /
modified / revoked / expired; or lapsed when the summons is not served in time. The OPPI, the
protective devices and breaches are decided in their own modules on the same state; the steps
of the OP itself are in ``lifecycle`` and ``issued_order``, the deadlines in ``schedule``, and
acts recorded after a deadline fired in ``late_acts``.
"""

from __future__ import annotations

from datetime import datetime
from typing import assert_never

from relais_protection_orders.domain import errors
from relais_protection_orders.domain.breach import decide_breach
from relais_protection_orders.domain.commands import (
    Act,
    AssignDevice,
    Command,
    ExtendOrder,
    FireDeadline,
    IssueOrder,
    IssueProvisionalOrder,
    ModifyOrder,
    NotifyOrder,
    RegisterInNationalFile,
    RejectApplication,
    RejectProvisionalOrder,
    RenewDevice,
    ReportBreach,
    RequestProtectionOrder,
    RequestProvisionalOrder,
    RevokeOrder,
    ScheduleHearing,
    ServeSummons,
    WithdrawDevice,
)
from relais_protection_orders.domain.deadlines import DeadlinePolicy
from relais_protection_orders.domain.events import ProtectionOrderEvent, evolve
from relais_protection_orders.domain.issued_order import (
    extend,
    modify,
    notify,
    register_in_file,
    revoke,
)
from relais_protection_orders.domain.late_acts import decide_as_of
from relais_protection_orders.domain.lifecycle import (
    issue,
    reject,
    request,
    schedule_hearing,
    serve_summons,
)
from relais_protection_orders.domain.protective_device import decide_device
from relais_protection_orders.domain.provisional_order import decide_provisional
from relais_protection_orders.domain.schedule import fire_deadline, open_deadlines
from relais_protection_orders.domain.state import ProtectionOrder, enforceable_at

__all__ = [
    "DeadlinePolicy",
    "ProtectionOrder",
    "ProtectionOrderEvent",
    "decide",
    "enforceable_at",
    "errors",
    "evolve",
    "fold",
    "open_deadlines",
]

DEFAULT_POLICY = DeadlinePolicy()


def decide(
    state: ProtectionOrder,
    command: Command,
    now: datetime,
    policy: DeadlinePolicy = DEFAULT_POLICY,
) -> list[ProtectionOrderEvent]:
    """The events a command produces on this order, or a ``ProtectionOrderRuleViolated``.

    An act is decided as of its date (``late_acts``): what the deadlines due by then did first,
    and the annulment of a report the act shows premature."""
    if isinstance(command, FireDeadline):
        return fire_deadline(state, command, now)
    return decide_as_of(
        state, command.at, command.actor, now, lambda s: _act(s, command, now, policy)
    )


def _act(
    state: ProtectionOrder, command: Act, now: datetime, policy: DeadlinePolicy
) -> list[ProtectionOrderEvent]:
    match command:
        case RequestProtectionOrder():
            return request(state, command, now)
        case ScheduleHearing():
            return schedule_hearing(state, command, now, policy)
        case ServeSummons():
            return serve_summons(state, command, now)
        case IssueOrder():
            return issue(state, command, now, policy)
        case RejectApplication():
            return reject(state, command, now)
        case NotifyOrder():
            return notify(state, command, now, policy)
        case RegisterInNationalFile():
            return register_in_file(state, command, now)
        case ExtendOrder():
            return extend(state, command, now)
        case ModifyOrder():
            return modify(state, command, now)
        case RevokeOrder():
            return revoke(state, command, now)
        case RequestProvisionalOrder() | IssueProvisionalOrder() | RejectProvisionalOrder():
            return decide_provisional(state, command, now, policy)
        case AssignDevice() | RenewDevice() | WithdrawDevice():
            return decide_device(state, command, now, policy)
        case ReportBreach():
            return decide_breach(state, command, now)
        case _:
            assert_never(command)


def fold(
    events: list[ProtectionOrderEvent], state: ProtectionOrder | None = None
) -> ProtectionOrder:
    """The state after ``events`` (from an empty order by default)."""
    current = state or ProtectionOrder()
    for event in events:
        current = evolve(current, event)
    return current
