"""Breaches reported by police: recorded always, flagged when the order was not enforceable."""

from __future__ import annotations

from datetime import datetime

import pytest
from relais_events.catalogue.protection_orders import OrderBreachReported
from relais_protection_orders.domain import errors
from relais_protection_orders.domain.commands import ReportBreach, RevokeOrder
from relais_protection_orders.domain.deadlines import PARIS
from relais_protection_orders.domain.protection_order import ProtectionOrder, decide, fold


def report(occurred: datetime, at: datetime, actor: str = "police") -> ReportBreach:
    return ReportBreach.model_validate(
        {
            "actor": actor,
            "breach_id": "b-1",
            "occurred_at": occurred,
            "at": at,
            "device_alert_count": 2,
        }
    )


def reported(state: ProtectionOrder, command: ReportBreach) -> OrderBreachReported:
    [event] = decide(state, command, command.at)
    assert isinstance(event, OrderBreachReported)
    return event


def test_breach_of_an_enforceable_order_is_an_offence(notified: ProtectionOrder) -> None:
    event = reported(
        notified, report(datetime(2025, 4, 1, tzinfo=PARIS), datetime(2025, 4, 2, tzinfo=PARIS))
    )
    assert event.enforceable_when_occurred
    assert event.device_alert_count == 2


def test_breach_before_notification_is_recorded_but_not_enforceable(
    issued: ProtectionOrder,
) -> None:
    event = reported(
        issued, report(datetime(2025, 3, 8, tzinfo=PARIS), datetime(2025, 3, 8, 12, tzinfo=PARIS))
    )
    assert not event.enforceable_when_occurred


def test_breach_is_judged_by_the_order_when_it_occurred(notified: ProtectionOrder) -> None:
    revoked_at = datetime(2025, 5, 1, tzinfo=PARIS)
    state = fold(
        decide(notified, RevokeOrder(actor="justice_clerk", at=revoked_at), revoked_at), notified
    )
    late_report = datetime(2025, 5, 3, tzinfo=PARIS)
    assert reported(
        state, report(datetime(2025, 4, 30, tzinfo=PARIS), late_report)
    ).enforceable_when_occurred
    assert not reported(
        state, report(datetime(2025, 5, 2, tzinfo=PARIS), late_report)
    ).enforceable_when_occurred


def test_only_police_or_prosecutor_report_a_breach(notified: ProtectionOrder) -> None:
    at = datetime(2025, 4, 2, tzinfo=PARIS)
    with pytest.raises(errors.OnlyPoliceOrProsecutorMayReportBreach):
        decide(notified, report(at, at, actor="justice_clerk"), at)


def test_breach_cannot_occur_after_its_report(notified: ProtectionOrder) -> None:
    at = datetime(2025, 4, 2, tzinfo=PARIS)
    with pytest.raises(errors.ActDatedInFuture):
        decide(notified, report(datetime(2025, 4, 3, tzinfo=PARIS), at), at)


def test_breach_needs_an_application() -> None:
    at = datetime(2025, 4, 2, tzinfo=PARIS)
    with pytest.raises(errors.NoApplication):
        decide(ProtectionOrder(), report(at, at), at)
