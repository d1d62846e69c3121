"""The committee list row: kind, risk level, open deadlines, last event, open or closed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import reduce

from relais_timeline.domain.committee_case import committee_case
from relais_timeline.domain.summary import EventSummary
from relais_timeline.domain.timeline import apply, empty_timeline

MakeEvent = Callable[..., EventSummary]
DUE = "2026-03-04T23:00:00Z"


def test_the_row_folds_kind_risk_and_deadlines_in_causal_order(event: MakeEvent) -> None:
    events = [
        event(
            "a",
            type_="case.opened",
            data={"case_id": "case-1", "kind": "trafficking", "departement": "75"},
        ),
        event("b", type_="risk.assessed", minute=1, data={"level": "high"}),
        event("c", type_="risk.lowered", minute=2, data={"to_level": "medium"}),
        event(
            "d",
            type_="protection_order.hearing_scheduled",
            minute=3,
            data={"order_id": "op-1", "service_due_at": DUE, "ruling_due_at": DUE},
        ),
        event("e", type_="protection_order.summons_served", minute=4, data={"order_id": "op-1"}),
    ]
    row = committee_case(reduce(apply, reversed(events), empty_timeline("case-1")))
    assert row is not None
    assert (row.departement, row.kind, row.risk_level, row.open) == (
        "75",
        "trafficking",
        "medium",
        True,
    )
    assert [(d.name, d.order_id) for d in row.open_deadlines] == [("ruling", "op-1")]
    assert row.open_deadlines[0].due_at == dt.datetime(2026, 3, 4, 23, tzinfo=dt.UTC)
    assert row.last_event_type == "protection_order.summons_served"


def test_a_closed_case_is_not_open_and_an_empty_case_has_no_row(event: MakeEvent) -> None:
    closed = reduce(
        apply,
        [event("a", type_="case.opened"), event("b", type_="case.closed", minute=1)],
        empty_timeline("case-1"),
    )
    row = committee_case(closed)
    assert row is not None
    assert not row.open
    assert committee_case(empty_timeline("case-2")) is None


def test_an_annulled_lapse_gives_the_ruling_deadline_back(event: MakeEvent) -> None:
    # A service in time recorded after the lapse fired (protection orders, issue 16).
    order = {"order_id": "op-1"}
    events = [
        event("a", type_="case.opened", data={"case_id": "case-1", "departement": "75"}),
        event(
            "b",
            type_="protection_order.hearing_scheduled",
            minute=1,
            data=order | {"service_due_at": DUE, "ruling_due_at": "2026-03-08T23:00:00Z"},
        ),
        event("c", type_="protection_order.lapsed", minute=2, data=order),
    ]
    lapsed = committee_case(reduce(apply, events, empty_timeline("case-1")))
    assert lapsed is not None
    assert lapsed.open_deadlines == ()
    later = [
        event(
            "d",
            type_="protection_order.lapse_annulled",
            minute=3,
            data=order | {"ruling_due_at": "2026-03-08T23:00:00Z", "act_at": DUE},
        ),
        event("e", type_="protection_order.summons_served", minute=3, data=order),
    ]
    row = committee_case(reduce(apply, [*events, *later], empty_timeline("case-1")))
    assert row is not None
    assert [(d.name, d.due_at) for d in row.open_deadlines] == [
        ("ruling", dt.datetime(2026, 3, 8, 23, tzinfo=dt.UTC))
    ]
