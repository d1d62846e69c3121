"""Breaches of a protection order reported by police (violation d'une ordonnance de protection,
an offence under C. pén. art. 227-4-2), which go on the case's timeline.

The defendant is bound only once the order is notified (DOMAIN.md). A breach reported against an
order that was not enforceable when it occurred is still recorded, because police reported a fact
the committee must see (e.g. contact before notification shows the need to notify quickly), but
``enforceable_when_occurred=False`` flags that it is not an offence under this order. For the
same reason a report is accepted on an order that has since expired, been revoked or lapsed: the
question is the state of the order when the facts occurred.
"""

from __future__ import annotations

from datetime import datetime

from relais_events.catalogue.protection_orders import OrderBreachReported
from relais_events.vocabulary import Role

from relais_protection_orders.domain import errors, procedure
from relais_protection_orders.domain.commands import ReportBreach
from relais_protection_orders.domain.events import ProtectionOrderEvent
from relais_protection_orders.domain.state import (
    ProtectionOrder,
    Stage,
    enforceable_at,
    ids,
)


def decide_breach(
    state: ProtectionOrder, command: ReportBreach, now: datetime
) -> list[ProtectionOrderEvent]:
    """Record a breach reported by police or the prosecutor."""
    if command.actor not in (Role.POLICE, Role.PROSECUTOR):
        raise errors.OnlyPoliceOrProsecutorMayReportBreach(command.actor)
    if state.stage is Stage.NONE:
        raise errors.NoApplication()
    procedure.in_the_past(command.at, now)
    if command.occurred_at > command.at:
        raise errors.ActDatedInFuture("the breach occurred after its report")
    return [
        OrderBreachReported(
            **ids(state),
            breach_id=command.breach_id,
            occurred_at=command.occurred_at,
            reported_at=command.at,
            enforceable_when_occurred=enforceable_at(state, command.occurred_at),
            device_alert_count=command.device_alert_count,
        )
    ]
