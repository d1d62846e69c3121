"""What the console reads from the services' answers (their OpenAPI schemas, the parts shown).

``extra="ignore"``: a field a service adds later does not break a page; a field it removes
does, loudly, at the edge (a 502 page), never as a half-shown record.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _View(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class OpenDeadline(_View):
    name: str
    order_id: str
    due_at: dt.datetime


class CommitteeCase(_View):
    """A row of ``GET /v1/committees/{dep}/cases`` (timeline)."""

    case_id: str
    departement: str
    kind: str | None
    risk_level: str | None
    open: bool
    open_deadlines: tuple[OpenDeadline, ...] = ()
    last_event_type: str
    last_event_time: dt.datetime


class CasePage(_View):
    cases: list[CommitteeCase]
    next_offset: int | None = None


class TimelineEntry(_View):
    event_id: str
    type: str
    time: dt.datetime
    known_at: dt.datetime
    source: str
    actor_role: str
    actor_org: str
    depends_on: tuple[str, ...] = ()
    data: dict[str, Any] | None = None


class Timeline(_View):
    """``GET /v1/cases/{id}/timeline`` or a case as known at a meeting (timeline)."""

    case_id: str
    departement: str | None
    entries: list[TimelineEntry]
    case_hash: str
    as_of: dt.datetime | None = None
    meeting_id: str | None = None


class MeetingCase(_View):
    case_id: str
    case_hash: str


class Meeting(_View):
    meeting_id: str
    departement: str
    held_at: dt.datetime
    cases: list[MeetingCase]


class Deadline(_View):
    kind: str
    due_at: dt.datetime


class Order(_View):
    """``GET /v1/protection-orders/{id}`` (protection orders), and every command's answer."""

    order_id: str
    case_id: str
    departement: str | None
    status: str
    enforceable_now: bool
    measures: list[str] = Field(default_factory=list)
    duration_months: int = 0
    requested_at: dt.datetime | None = None
    hearing_fixed_at: dt.datetime | None = None
    served_at: dt.datetime | None = None
    ruled_at: dt.datetime | None = None
    notified_at: dt.datetime | None = None
    expires_at: dt.datetime | None = None
    registrations: list[str] = Field(default_factory=list)
    missing_files: list[str] = Field(default_factory=list)
    flags: list[str] = Field(default_factory=list)
    ruling_overdue: bool = False
    open_deadlines: list[Deadline] = Field(default_factory=list)


class DashboardRow(_View):
    """A row of ``GET /v1/protection-orders`` (the clerk's deadline dashboard)."""

    order_id: str
    case_id: str
    departement: str
    status: str
    next_deadline: str | None
    next_due_at: dt.datetime | None
    flags: list[str] = Field(default_factory=list)
    ruling_overdue: bool = False


class Filed(_View):
    """``POST /v1/reports`` for a professional: the case and the events written."""

    case_id: str
    min_event: str
    report_id: str | None = None
    opened: bool = False


class Acknowledgement(_View):
    """``POST /v1/reports`` for a reporting point: a reference to quote, nothing else."""

    reference: str
    event_id: str
