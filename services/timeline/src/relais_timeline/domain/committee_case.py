"""The row a committee's case list shows: folded from the ordered timeline, never from arrival.

Open deadlines come from the protection-order events, which carry their due instants (the
protection-orders service counts them, DOMAIN.md "How deadlines are counted"): a deadline is open
from the event that sets it until the event that meets, ends or reports it. Which event does
what is declared on the event models themselves (``Event.OPENS``, ``CLOSES``, ``ENDS_CASE``,
``RISK_LEVEL``), never listed here by type name.
"""

from __future__ import annotations

import datetime as dt

from pydantic import AwareDatetime, BaseModel, ConfigDict
from relais_events.catalogue import Event, UnknownEventType, catalogue
from relais_events.catalogue.intake import CaseOpened

from relais_timeline.domain.timeline import CaseTimeline


def _meaning(event_type: str) -> type[Event] | None:
    """The catalogue's model of a type: what it opens, closes, ends or sets (None: unknown)."""
    try:
        return catalogue.model(event_type, catalogue.latest_version(event_type))
    except UnknownEventType:
        return None


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
        meaning = _meaning(event.type)
        if meaning is None:
            continue
        if meaning is CaseOpened:
            kind = str(data.get("kind")) if data.get("kind") else kind
        if meaning.RISK_LEVEL is not None and meaning.RISK_LEVEL in data:
            risk = str(data[meaning.RISK_LEVEL])
        if meaning.ENDS_CASE:
            is_open = False
        order_id = str(data.get("order_id", ""))
        for name in meaning.CLOSES:
            deadlines.pop((name, order_id), None)
        for name, field in meaning.OPENS.items():
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
