"""Who sees what of a case timeline. Need-to-know, default deny (DESIGN.md section 6).

Each rule is one branch of ``view_for``; ``visible_entries`` then shapes the entries for it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final, Protocol

from pydantic import BaseModel, ConfigDict
from relais_events.vocabulary import Role

from relais_timeline.domain.timeline import CaseTimeline

NATIONAL: Final = "*"


class View(StrEnum):
    SUMMARIES = "summaries"  # committee: entries with their personal-data-free ``data``
    STRUCTURE = "structure"  # auditor: which events, when, by whom, in what causal order
    NOTHING = "nothing"


@dataclass(frozen=True)
class Reader:
    """The caller as the domain needs it: roles and the département codes they act for."""

    roles: frozenset[str]
    jurisdictions: frozenset[str]

    def acts_for(self, departement: str | None) -> bool:
        return departement is not None and departement in self.jurisdictions


class HasRoles(Protocol):
    @property
    def roles(self) -> frozenset[Role]: ...
    @property
    def jurisdictions(self) -> frozenset[str]: ...


def reader_of(caller: HasRoles) -> Reader:
    """The caller's roles and départements, as ``view_for`` reads them."""
    return Reader(roles=frozenset(str(r) for r in caller.roles), jurisdictions=caller.jurisdictions)


def view_for(reader: Reader, case_departement: str | None) -> View:
    """The view ``reader`` gets of a case of ``case_departement`` (None: not yet known).

    1. A reporting point (pharmacy, info point) reads nothing back, whatever else it holds
       (DOMAIN.md "Who uses it"; DESIGN.md section 6).
    2. A committee member sees the summaries of the cases of the départements they act for:
       a comité local d'aide aux victimes works per département (DOMAIN.md "Who uses it").
    3. An auditor ("who knew what, when", DOMAIN.md) sees the structure of a case in their
       jurisdiction, or anywhere with the national scope ``*``: ids, types, times, hashes,
       dependencies and acting role/org, but no ``data``, which an integrity check never needs.
    4. Anyone else, and anyone outside the case's département, sees nothing; the API then
       answers 404 so that a case's existence does not leak across départements.
    """
    roles = reader.roles
    if Role.REPORTING_POINT in roles:
        return View.NOTHING
    if Role.COMMITTEE_MEMBER in roles and reader.acts_for(case_departement):
        return View.SUMMARIES
    if Role.AUDITOR in roles and (
        reader.acts_for(case_departement) or NATIONAL in reader.jurisdictions
    ):
        return View.STRUCTURE
    return View.NOTHING


class VisibleEntry(BaseModel):
    """One entry as the API shows it; ``data`` is None in the structure view."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_id: str
    type: str
    time: dt.datetime
    depth: int
    known_at: dt.datetime
    source: str
    actor_role: str
    actor_org: str
    jurisdiction: str | None
    depends_on: tuple[str, ...]
    event_hash: str
    data: dict[str, Any] | None


def visible_entries(timeline: CaseTimeline, view: View) -> list[VisibleEntry]:
    if view is View.NOTHING:
        return []
    return [
        VisibleEntry(
            event_id=e.event.event_id,
            type=e.event.type,
            time=e.event.time,
            depth=e.depth,
            known_at=e.known_at,
            source=e.event.source,
            actor_role=e.event.actor_role,
            actor_org=e.event.actor_org,
            jurisdiction=e.event.jurisdiction,
            depends_on=e.event.depends_on,
            event_hash=e.event.event_hash,
            data=dict(e.event.data) if view is View.SUMMARIES else None,
        )
        for e in timeline.entries
    ]


def committee_departements(reader: Reader, requested: Iterable[str]) -> list[str]:
    """Départements whose committee lists ``reader`` may read: rule 2 applied to lists."""
    if Role.REPORTING_POINT in reader.roles or Role.COMMITTEE_MEMBER not in reader.roles:
        return []
    return [d for d in requested if reader.acts_for(d)]
