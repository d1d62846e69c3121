"""The committee's rows (enforceable now, next deadline) and the clerk's situations."""

from __future__ import annotations

import datetime as dt

from relais_console.domain.boards import committee_rows, counts, dashboard, situations
from relais_console.domain.views import CommitteeCase, DashboardRow, OpenDeadline, Order

NOW = dt.datetime(2025, 3, 10, 12, 0, tzinfo=dt.UTC)


def _case(case_id: str, *deadlines: OpenDeadline) -> CommitteeCase:
    return CommitteeCase(
        case_id=case_id,
        departement="93",
        kind="conjugal_violence",
        risk_level="high",
        open=True,
        open_deadlines=deadlines,
        last_event_type="report.filed",
        last_event_time=NOW,
    )


def _order(case_id: str, enforceable: bool) -> Order:
    return Order(
        order_id=f"op-{case_id}-{enforceable}",
        case_id=case_id,
        departement="93",
        status="issued",
        enforceable_now=enforceable,
    )


def test_a_case_is_enforceable_when_one_of_its_orders_binds_now() -> None:
    later = OpenDeadline(name="ruling", order_id="op-1", due_at=NOW + dt.timedelta(days=6))
    sooner = OpenDeadline(name="service", order_id="op-1", due_at=NOW + dt.timedelta(days=2))
    rows = committee_rows(
        [_case("a", later, sooner), _case("b"), _case("c")],
        {"a": [_order("a", False), _order("a", True)], "b": [_order("b", False)]},
    )
    assert [r.enforceable for r in rows] == [True, False, None]
    assert rows[0].next_deadline == sooner
    assert rows[1].next_deadline is None


def _row(status: str, due: dt.datetime | None, *flags: str, overdue: bool = False) -> DashboardRow:
    return DashboardRow(
        order_id=f"op-{status}",
        case_id="c",
        departement="93",
        status=status,
        next_deadline="service" if due else None,
        next_due_at=due,
        flags=list(flags),
        ruling_overdue=overdue,
    )


def test_the_clerk_sees_overdue_due_within_48_hours_lapsed_and_flags() -> None:
    hour = dt.timedelta(hours=1)
    assert situations(_row("hearing_scheduled", NOW - hour), NOW) == ("overdue",)
    assert situations(_row("hearing_scheduled", NOW + 48 * hour), NOW) == ("due_soon",)
    assert situations(_row("hearing_scheduled", NOW + 49 * hour), NOW) == ()
    assert situations(_row("summons_served", None, overdue=True), NOW) == ("overdue",)
    assert situations(_row("lapsed", None), NOW) == ("lapsed",)
    flagged = _row("issued", NOW + 100 * hour, "not_notified", "not_registered")
    assert situations(flagged, NOW) == ("not_notified", "not_registered")
    lines = dashboard([flagged, _row("lapsed", None)], NOW)
    assert counts(lines) == {
        "overdue": 0,
        "due_soon": 0,
        "lapsed": 1,
        "not_notified": 1,
        "not_registered": 1,
    }
