"""A shelter site and the places it declares per night (DOMAIN.md "Shelter and nights").

A site is registered once by its operator (gestionnaire d'hébergement) and then declares, for
ranges of nights, how many places it offers and how many of those suit children. A later
declaration of a night replaces an earlier one, but may only raise a night's places of either
kind: lowering could fall below what is already allocated, which the invariant forbids. The
name and address are personal data of the site (secret outside this service): the application
seals them in ``pii``; they are never part of this state nor of any event's ``data``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final, assert_never

from relais_events.catalogue import Event
from relais_events.catalogue.shelter import CapacityDeclared, SiteRegistered

from relais_shelter.domain import errors
from relais_shelter.domain.nights import nights_between

# A declaration covers at most a year and a day: the longest stay an allocation may hold.
MAX_DECLARED_NIGHTS: Final = 366


@dataclass(frozen=True)
class Capacity:
    """Places on one night: ``adult`` places for adults, ``child`` places suiting children."""

    adult: int = 0
    child: int = 0

    @property
    def places(self) -> int:
        return self.adult + self.child


@dataclass(frozen=True)
class Declaration:
    first_night: dt.date
    last_night: dt.date  # inclusive, as the event says
    places: int
    child_places: int

    def covers(self, night: dt.date) -> bool:
        return self.first_night <= night <= self.last_night

    @property
    def capacity(self) -> Capacity:
        return Capacity(adult=self.places - self.child_places, child=self.child_places)


@dataclass(frozen=True)
class Site:
    site_id: str
    operator_org: str
    departement: str
    accepts_children: bool
    step_free_access: bool
    declarations: tuple[Declaration, ...] = ()

    def capacity_on(self, night: dt.date) -> Capacity:
        """What the latest declaration covering ``night`` offers (nothing when none does)."""
        for declaration in reversed(self.declarations):
            if declaration.covers(night):
                return declaration.capacity
        return Capacity()


@dataclass(frozen=True)
class RegisterSite:
    site_id: str
    operator_org: str
    departement: str
    accepts_children: bool
    step_free_access: bool


@dataclass(frozen=True)
class DeclareCapacity:
    operator_org: str
    first_night: dt.date
    last_night: dt.date
    places: int
    child_places: int


SiteCommand = RegisterSite | DeclareCapacity


def decide_site(state: Site | None, command: SiteCommand, now: dt.datetime) -> list[Event]:
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    match command:
        case RegisterSite():
            if state is not None:
                raise errors.AlreadyRecorded(command.site_id)
            return [
                SiteRegistered(
                    site_id=command.site_id,
                    operator_org=command.operator_org,
                    departement=command.departement,
                    accepts_children=command.accepts_children,
                    step_free_access=command.step_free_access,
                )
            ]
        case DeclareCapacity():
            if state is None:
                raise errors.SiteNotFound()
            return [_declare(state, command)]
        case _:
            assert_never(command)


def _declare(site: Site, command: DeclareCapacity) -> CapacityDeclared:
    """Places may only grow on a night (``CapacityCannotShrink``); a site without children
    declares no place for them; child places are part of the places."""
    if command.operator_org != site.operator_org:
        raise errors.NotTheSitesOperator(site.site_id)
    nights = nights_between(command.first_night, command.last_night + dt.timedelta(days=1))
    if not 1 <= len(nights) <= MAX_DECLARED_NIGHTS:
        raise errors.BadNightRange(f"1 to {MAX_DECLARED_NIGHTS} nights")
    if command.child_places > command.places:
        raise errors.ChildPlacesOverPlaces(f"{command.child_places} > {command.places}")
    if command.child_places and not site.accepts_children:
        raise errors.SiteTakesNoChildren(site.site_id)
    new = Capacity(adult=command.places - command.child_places, child=command.child_places)
    for night in nights:
        old = site.capacity_on(night)
        if new.adult < old.adult or new.child < old.child:
            raise errors.CapacityCannotShrink(
                f"{night.isoformat()}: {old.adult} adult and {old.child} child places declared"
            )
    return CapacityDeclared(
        site_id=site.site_id,
        first_night=command.first_night,
        last_night=command.last_night,
        places=command.places,
        child_places=command.child_places,
    )


def evolve_site(state: Site | None, event: Event) -> Site:
    match event:
        case SiteRegistered():
            return Site(
                site_id=event.site_id,
                operator_org=event.operator_org,
                departement=event.departement,
                accepts_children=event.accepts_children,
                step_free_access=event.step_free_access,
            )
        case CapacityDeclared() if state is not None:
            declared = Declaration(
                event.first_night, event.last_night, event.places, event.child_places
            )
            return Site(
                state.site_id,
                state.operator_org,
                state.departement,
                state.accepts_children,
                state.step_free_access,
                (*state.declarations, declared),
            )
        case _:
            raise ValueError(f"{event.TYPE} in a site's stream")
