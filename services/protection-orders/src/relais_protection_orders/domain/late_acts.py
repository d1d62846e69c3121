"""Acts recorded late: every act is decided on the order as it stood at the act's date.

A clerk records an act after it took place (``at <= now``), sometimes days later, and the
deadline manager may have fired a deadline in between. Deadlines are counted from the acts'
dates (CPC art. 640 to 642), so what a deadline did follows from those dates, never from when
an act was recorded nor from when the manager ran:

- Catch up. Every deadline still open and due at or before the act's date is fired first, in the
  same decision, as the manager would have fired it: a ruling dated after the 6 days is
  reported overdue even when the clerk records it before the manager's next tick.
- Annul. A deadline reported at a due instant AFTER the act's date, which this act meets, was
  reported only because the act was not recorded yet; its report is annulled by an event of its
  own, ahead of the act, naming the act's date and who recorded it:
  - the lapse: caducité follows from a service NOT made within 2 days (CPC art. 1136-3), so a
    service, or a ruling, dated before ``service_due_at`` shows it never happened
    (``protection_order.lapse_annulled``); the order returns to its hearing stage, its 6-day
    ruling deadline runs again (C. civ. art. 515-11) and an OPPI the lapse ended is alive again;
  - a missed deadline reports an act still missing: the ruling after 6 days (C. civ. art.
    515-11, which the court and the committee must see), the OPPI decision after 24 hours
    (C. civ. art. 515-13-1), an order not notified or not registered after the configured
    delay (local practice). The act, dated in time, shows it was not missing: a report left
    standing would tell the committee of a delay that never was
    (``protection_order.missed_deadline_annulled``).
  A report is annulled only when the act meets that very deadline (it is open once the report
  is undone and closed after the act), so a fired deadline never reopens under the same due
  instant, and the manager's firing claim for it stays final.
- Refuse. An act dated at or after a deadline that bars it is refused as before: a service (or
  a ruling without one) dated at or after ``service_due_at`` raises ``OrderLapsed`` naming the
  deadline and CPC art. 1136-3. A late ruling or notification is recorded, its deadline stays
  reported. An expiry is never annulled here: an extension or a revocation dated before it but
  recorded after it is refused as on an expired order (C. civ. art. 515-12).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from relais_events.catalogue.protection_orders import (
    DeadlineKind,
    FlagReason,
    ProtectionOrderLapseAnnulled,
    ProtectionOrderMissedDeadlineAnnulled,
)
from relais_events.vocabulary import Role

from relais_protection_orders.domain.commands import FireDeadline
from relais_protection_orders.domain.deadlines import Deadline
from relais_protection_orders.domain.errors import ProtectionOrderRuleViolated
from relais_protection_orders.domain.events import ProtectionOrderEvent, evolve
from relais_protection_orders.domain.schedule import fire_deadline, open_deadlines
from relais_protection_orders.domain.state import (
    ProtectionOrder,
    ProvisionalStatus,
    Stage,
    ids,
)

DecideAct = Callable[[ProtectionOrder], list[ProtectionOrderEvent]]


def _fold(state: ProtectionOrder, events: Sequence[ProtectionOrderEvent]) -> ProtectionOrder:
    for event in events:
        state = evolve(state, event)
    return state


def catch_up(state: ProtectionOrder, at: datetime, now: datetime) -> list[ProtectionOrderEvent]:
    """What the manager would have fired by ``at``: open deadlines due at or before it, in
    due order (a lapse closes the ruling deadline, so each firing sees the one before)."""
    fired: list[ProtectionOrderEvent] = []
    while due := [d for d in open_deadlines(state) if d.due_at <= at]:
        first = min(due, key=lambda d: d.due_at)
        events = fire_deadline(state, FireDeadline(kind=first.kind, due_at=first.due_at), now)
        if not events:  # only when ``now`` is before the due instant: the act is refused later
            break
        fired.extend(events)
        state = _fold(state, events)
    return fired


def reported_deadlines(state: ProtectionOrder) -> list[Deadline]:
    """The deadlines whose firing left a report an act dated in time may annul."""
    found: list[Deadline] = []
    if state.stage is Stage.LAPSED and state.service_due_at is not None:
        found.append(Deadline(DeadlineKind.SERVICE, state.service_due_at))
    if state.ruling_overdue_flagged and state.ruling_due_at is not None:
        found.append(Deadline(DeadlineKind.RULING, state.ruling_due_at))
    provisional = state.provisional
    if provisional is not None and provisional.overdue_flagged:
        found.append(Deadline(DeadlineKind.PROVISIONAL_DECISION, provisional.decision_due_at))
    due = state.notification_due_at
    if FlagReason.NOT_NOTIFIED in state.flags and due is not None:
        found.append(Deadline(DeadlineKind.NOTIFICATION, due))
    due, last = state.registration_due_at, state.last_registered_at
    # A file registered at or after the due instant was missing then: that flag was right.
    if FlagReason.NOT_REGISTERED in state.flags and due and (last is None or last < due):
        found.append(Deadline(DeadlineKind.REGISTRATION, due))
    return found


def annulment(
    state: ProtectionOrder, deadline: Deadline, at: datetime, actor: Role
) -> ProtectionOrderEvent:
    """The event undoing ``deadline``'s report, for an act dated ``at`` recorded by ``actor``."""
    if deadline.kind is DeadlineKind.SERVICE:
        provisional = state.provisional
        return ProtectionOrderLapseAnnulled(
            **ids(state),
            service_due_at=deadline.due_at,
            act_at=at,
            recorded_by=actor,
            ruling_due_at=None if state.ruling_overdue_flagged else state.ruling_due_at,
            # Only the lapse ends an OPPI while no ruling has been recorded.
            provisional_order_restored=(
                provisional is not None and provisional.status is ProvisionalStatus.ENDED
            ),
        )
    return ProtectionOrderMissedDeadlineAnnulled(
        **ids(state), deadline=deadline.kind, due_at=deadline.due_at, act_at=at, recorded_by=actor
    )


def decide_as_of(
    state: ProtectionOrder, at: datetime, actor: Role, now: datetime, decide_act: DecideAct
) -> list[ProtectionOrderEvent]:
    """Catch up to ``at``, annul the reports this act shows premature, then the act's events.

    Raises the act's own refusal when it is refused both with and without the annulments.
    """
    fired = catch_up(state, at, now)
    current = _fold(state, fired)
    candidates = [d for d in reported_deadlines(current) if d.due_at > at]
    refusal: ProtectionOrderRuleViolated | None = None
    while True:
        annulments = [annulment(current, d, at, actor) for d in candidates]
        undone = _fold(current, annulments)
        try:
            acted = decide_act(undone)
        except ProtectionOrderRuleViolated as refused:
            refusal = refusal or refused
            if not candidates:
                raise refusal from None
            candidates = []
            continue
        before, after = set(open_deadlines(undone)), set(open_deadlines(_fold(undone, acted)))
        met = [d for d in candidates if d in before and d not in after]
        if met == candidates:
            return [*fired, *annulments, *acted]
        candidates = met  # the act left some deadline open: that report stands
