"""The row a committee's case list shows: folded from the ordered timeline, never from arrival.

Open deadlines come from the protection-order events, which carry their due instants (the
protection-orders service counts them, DOMAIN.md "How deadlines are counted"): a deadline is open
from the event that sets it until the event that meets, ends or reports it.
"""

from __future__ import annotations

import datetime as dt
from typing import Final

from pydantic import AwareDatetime, BaseModel, ConfigDict

from relais_timeline.domain.timeline import CASE_OPENED, CaseTimeline

# event type -> (deadline name, field holding its due instant) it opens
_OPENS: Final = {
    "protection_order.hearing_scheduled": (
        ("service", "service_due_at"),  # CPC art. 1136-3: served within 2 days
        ("ruling", "ruling_due_at"),  # C. civ. art. 515-11: ruling within 6 days
    ),
    "protection_order.issued": (
        ("notification", "notification_due_at"),
        ("registration", "registration_due_at"),
    ),
    "provisional_order.requested": (("provisional_decision", "decision_due_at"),),  # OPPI 24 h
}
# event type -> deadline names it closes (met, moot, or reported overdue/lapsed)
_CLOSES: Final = {
    "protection_order.summons_served": ("service",),
    "protection_order.lapsed": ("service", "ruling"),
    "protection_order.issued": ("ruling",),
    "protection_order.rejected": ("ruling",),
    "protection_order.ruling_overdue": ("ruling",),
    "protection_order.notified": ("notification",),
    "protection_order.registered": ("registration",),
    "provisional_order.issued": ("provisional_decision",),
    "provisional_order.rejected": ("provisional_decision",),
    "provisional_order.overdue": ("provisional_decision",),
}
_CLOSING_TYPES: Final = frozenset({"case.closed", "case.erased"})


class OpenDeadline(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    order_id: str
    due_at: AwareDatetime


class CommitteeCase(BaseModel):
    """A case as its département's committee list shows it (no personal data)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    case_id: str
    departement: str
    kind: str | None
    risk_level: str | None
    open: bool
    open_deadlines: tuple[OpenDeadline, ...]
    last_event_type: str
    last_event_time: AwareDatetime
    case_hash: str


def committee_case(timeline: CaseTimeline) -> CommitteeCase | None:
    """None until the case has a département and an entry naming it: nothing to list yet."""
    if timeline.departement is None or not timeline.is_case:
        return None
    kind: str | None = None
    risk: str | None = None
    is_open = True
    deadlines: dict[tuple[str, str], dt.datetime] = {}
    for entry in timeline.entries:
        event = entry.event
        data = event.data
        if event.type == CASE_OPENED:
            kind = str(data.get("kind")) if data.get("kind") else kind
        elif event.type == "risk.assessed":
            risk = str(data["level"]) if "level" in data else risk
        elif event.type == "risk.lowered":
            risk = str(data["to_level"]) if "to_level" in data else risk
        elif event.type in _CLOSING_TYPES:
            is_open = False
        order_id = str(data.get("order_id", ""))
        for name in _CLOSES.get(event.type, ()):
            deadlines.pop((name, order_id), None)
        for name, field in _OPENS.get(event.type, ()):
            if isinstance(data.get(field), str):
                deadlines[(name, order_id)] = dt.datetime.fromisoformat(data[field])
    last = max(timeline.entries, key=lambda e: (e.event.time, e.event.event_id))
    return CommitteeCase(
        case_id=timeline.case_id,
        departement=timeline.departement,
        kind=kind,
        risk_level=risk,
        open=is_open,
        open_deadlines=tuple(
            OpenDeadline(name=name, order_id=order, due_at=due)
            for (name, order), due in sorted(deadlines.items(), key=lambda item: item[1])
        ),
        last_event_type=last.event.type,
        last_event_time=last.event.time,
        case_hash=timeline.case_hash,
    )
