"""A shelter operator's free places on a night, from the shelter service's events only.

DESIGN.md section 1: referrals never reads the shelter service's database; it keeps its own
copy of what ``relais.shelter.v1`` says (``shelter.site_registered``, ``capacity_declared``,
``allocated``, ``allocation_released``). DOMAIN.md "Shelter and nights": a site never allocates
more places on a night than it declared; so what is left on a night is what the latest
declaration covering it offers, minus the persons (adults and children) of the stays covering
it. It is shown to a referrer before sending; the partner still answers (it may decline for
lack of capacity), so a count a few seconds old misleads nobody into a wrong allocation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Declaration:
    """Places a site offers on each night of ``[first_night, last_night]``; a later declaration
    of a night replaces an earlier one (ordered by the event's time, then id)."""

    site_id: str
    first_night: dt.date
    last_night: dt.date
    places: int
    declared_at: dt.datetime
    event_id: str

    def covers(self, night: dt.date) -> bool:
        return self.first_night <= night <= self.last_night


@dataclass(frozen=True)
class Stay:
    """An allocation: ``persons`` on the nights from ``first_night``, ``nights`` of them, or
    up to ``released_after`` (the last night stayed) when it was released early."""

    allocation_id: str
    site_id: str
    first_night: dt.date
    nights: int
    persons: int
    released_after: dt.date | None = None

    def covers(self, night: dt.date) -> bool:
        end = self.first_night + dt.timedelta(days=self.nights)  # exclusive
        if self.released_after is not None and night > self.released_after:
            return False
        return self.first_night <= night < end


def declared_places(declarations: Iterable[Declaration], site_id: str, night: dt.date) -> int:
    covering = [d for d in declarations if d.site_id == site_id and d.covers(night)]
    if not covering:
        return 0
    return max(covering, key=lambda d: (d.declared_at, d.event_id)).places


def free_places(
    site_ids: Iterable[str],
    declarations: Iterable[Declaration],
    stays: Iterable[Stay],
    night: dt.date,
) -> int:
    """Free places on ``night`` across these sites (a site never counts below zero)."""
    declared = list(declarations)
    staying = [s for s in stays if s.covers(night)]
    total = 0
    for site in set(site_ids):
        used = sum(s.persons for s in staying if s.site_id == site)
        total += max(0, declared_places(declared, site, night) - used)
    return total
