"""An allocation: places of one site for the persons of a case, on the nights ``[first, end)``.

DOMAIN.md "Shelter and nights": a site never allocates more places on a night than it declared,
and one person is counted once per night across all sites. ``decide_allocation`` checks what the
site's declarations and the request alone can tell (declared places, children, consent); whether
a place is still free on a night, and whether a person already sleeps elsewhere, is decided by
the reservations the application inserts first (DESIGN.md "Store rules": races are decided by
inserts under unique ids), and reported with ``NightFull`` / ``PersonAlreadySheltered``.

A minor is never refused a place for lack of consent (DOMAIN.md "Minors": the 2nd national
action plan against trafficking, axis 3, protects minor victims unconditionally; consent rules
never block shelter for a minor): the allocation then carries ``shelter.consent_overridden``.
Release (early departure) names the last night stayed and frees the nights after it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final, assert_never

from relais_events.catalogue import Event
from relais_events.catalogue.shelter import (
    AllocationReleased,
    ReleaseReason,
    ShelterAllocated,
    ShelterConsentOverridden,
    ShelterOverrideGround,
)

from relais_shelter.domain import errors
from relais_shelter.domain.nights import nights_between
from relais_shelter.domain.site import Site

# The longest stay one allocation holds (a quarter): emergency shelter is renewed, not open-ended.
MAX_STAY_NIGHTS: Final = 92


@dataclass(frozen=True)
class Allocation:
    allocation_id: str
    case_id: str
    site_id: str
    first_night: dt.date
    nights: int
    adults: int
    children: int
    minor_victim: bool
    released_after: dt.date | None = None  # the last night stayed, once released
    release_reason: ReleaseReason | None = None

    @property
    def end(self) -> dt.date:
        """The morning after the last allocated night (exclusive end)."""
        return self.first_night + dt.timedelta(days=self.nights)

    @property
    def persons(self) -> int:
        return self.adults + self.children

    def stays_on(self, night: dt.date) -> bool:
        """Whether the allocation holds ``night`` (not released before it)."""
        if self.released_after is not None and night > self.released_after:
            return False
        return self.first_night <= night < self.end

    def held_nights(self) -> list[dt.date]:
        return [n for n in nights_between(self.first_night, self.end) if self.stays_on(n)]


@dataclass(frozen=True)
class Allocate:
    allocation_id: str
    case_id: str
    site_id: str
    operator_org: str
    first_night: dt.date
    nights: int
    adults: tuple[str, ...]  # pseudonymous person keys
    children: tuple[str, ...]
    minor_victim: bool
    consent_given: bool


@dataclass(frozen=True)
class Release:
    allocation_id: str
    operator_org: str
    last_night: dt.date
    reason: ReleaseReason


AllocationCommand = Allocate | Release


def decide_allocation(
    state: Allocation | None, command: AllocationCommand, site: Site | None, now: dt.datetime
) -> list[Event]:
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if site is None:
        raise errors.SiteNotFound()
    if command.operator_org != site.operator_org:
        raise errors.NotTheSitesOperator(site.site_id)
    match command:
        case Allocate():
            if state is not None:
                return []  # decided already (a recovery finishing what a crash interrupted)
            return _allocate(command, site)
        case Release():
            if state is None:
                raise errors.AllocationNotFound(command.allocation_id)
            return [_release(state, command)]
        case _:
            assert_never(command)


def _allocate(command: Allocate, site: Site) -> list[Event]:
    if not 1 <= command.nights <= MAX_STAY_NIGHTS:
        raise errors.BadNightRange(f"1 to {MAX_STAY_NIGHTS} nights")
    persons = (*command.adults, *command.children)
    if not command.adults:
        raise errors.BadNightRange("an allocation shelters at least one adult")
    if len(set(persons)) != len(persons):
        raise errors.PersonAlreadySheltered("a person is named twice in the allocation")
    if command.children and not site.accepts_children:
        raise errors.SiteTakesNoChildren(site.site_id)
    for night in nights_between(command.first_night, _end(command)):
        declared = site.capacity_on(night)
        if declared.adult < len(command.adults) or declared.child < len(command.children):
            raise errors.NightNotDeclared(
                f"{night.isoformat()}: {declared.adult} adult and {declared.child} child places"
                " declared"
            )
    if not command.consent_given and not command.minor_victim:
        raise errors.ConsentRequired()
    events: list[Event] = [
        ShelterAllocated(
            allocation_id=command.allocation_id,
            case_id=command.case_id,
            site_id=site.site_id,
            first_night=command.first_night,
            nights=command.nights,
            adults=len(command.adults),
            children=len(command.children),
            minor_victim=command.minor_victim,
        )
    ]
    if not command.consent_given:  # a minor: the override is recorded, never a refusal
        events.append(
            ShelterConsentOverridden(
                allocation_id=command.allocation_id,
                case_id=command.case_id,
                ground=ShelterOverrideGround.MINOR,
            )
        )
    return events


def _end(command: Allocate) -> dt.date:
    return command.first_night + dt.timedelta(days=command.nights)


def _release(state: Allocation, command: Release) -> AllocationReleased:
    if state.released_after is not None:
        raise errors.AlreadyReleased(state.allocation_id)
    eve = state.first_night - dt.timedelta(days=1)
    if not eve <= command.last_night < state.end:
        raise errors.ReleaseOutsideStay(
            f"{command.last_night.isoformat()} outside {state.first_night.isoformat()}"
            f" to {state.end.isoformat()}"
        )
    return AllocationReleased(
        allocation_id=state.allocation_id,
        case_id=state.case_id,
        site_id=state.site_id,
        last_night=command.last_night,
        reason=command.reason,
    )


def freed_nights(state: Allocation, last_night: dt.date) -> list[dt.date]:
    """The nights a release after ``last_night`` gives back."""
    return [n for n in nights_between(state.first_night, state.end) if n > last_night]


def evolve_allocation(state: Allocation | None, event: Event) -> Allocation:
    match event:
        case ShelterAllocated():
            return Allocation(
                allocation_id=event.allocation_id,
                case_id=event.case_id,
                site_id=event.site_id,
                first_night=event.first_night,
                nights=event.nights,
                adults=event.adults,
                children=event.children,
                minor_victim=event.minor_victim,
            )
        case ShelterConsentOverridden() if state is not None:
            return state
        case AllocationReleased() if state is not None:
            return Allocation(
                state.allocation_id,
                state.case_id,
                state.site_id,
                state.first_night,
                state.nights,
                state.adults,
                state.children,
                state.minor_victim,
                released_after=event.last_night,
                release_reason=event.reason,
            )
        case _:
            raise ValueError(f"{event.TYPE} in an allocation's stream")
