"""Allocating places, with reservations decided by inserts (releasing them: ``releases``).

An allocation holds, for each of its nights, one ``place_key`` per person (an adult slot per
adult, a child slot per child) and one ``person_key`` per person: a full night or a person
already sheltered elsewhere shows as duplicates, and the allocation gives back everything it
tried and answers ``NightFull`` / ``PersonAlreadySheltered`` (409). See ``operations`` for the
order of the writes and what a crash leaves.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from relais_events.envelope import new_event_id
from relais_kit.application import Acting, Committed

from relais_shelter.application.cases import follows, known_case
from relais_shelter.application.operations import TooSlow, acting_json, give_back
from relais_shelter.application.ports import Operation, OperationKind, Outcome
from relais_shelter.application.services import ShelterServices
from relais_shelter.application.streams import ALLOCATION, SITE
from relais_shelter.domain import errors
from relais_shelter.domain.allocation import (
    Allocate,
    Allocation,
    decide_allocation,
)
from relais_shelter.domain.keys import (
    Pool,
    is_person,
    night_of,
    person_key,
    place_key,
)
from relais_shelter.domain.nights import nights_between
from relais_shelter.domain.site import Site

MAX_ROUNDS = 20  # rounds of lost races (another process won the slots) before answering full


async def load_site(services: ShelterServices, site_id: str, acting: Acting) -> Site:
    site = (await services.write_path.load(SITE, site_id)).state
    if site is None or not acting.acts_for(site.departement):
        raise errors.SiteNotFound(site_id)
    return site


async def load_allocation(
    services: ShelterServices, allocation_id: str, acting: Acting
) -> tuple[Allocation, Site]:
    loaded = await services.write_path.load(ALLOCATION, allocation_id)
    if loaded.state is None or not acting.acts_for(loaded.jurisdiction):
        raise errors.AllocationNotFound(allocation_id)
    site = (await services.write_path.load(SITE, loaded.state.site_id)).state
    if site is None:
        raise errors.AllocationNotFound(allocation_id)
    return loaded.state, site


def allocate_json(command: Allocate) -> dict[str, Any]:
    return {
        "allocation_id": command.allocation_id,
        "case_id": command.case_id,
        "site_id": command.site_id,
        "operator_org": command.operator_org,
        "first_night": command.first_night.isoformat(),
        "nights": command.nights,
        "adults": list(command.adults),
        "children": list(command.children),
        "minor_victim": command.minor_victim,
        "consent_given": command.consent_given,
    }


def allocate_of(document: dict[str, Any]) -> Allocate:
    return Allocate(
        allocation_id=document["allocation_id"],
        case_id=document["case_id"],
        site_id=document["site_id"],
        operator_org=document["operator_org"],
        first_night=dt.date.fromisoformat(document["first_night"]),
        nights=int(document["nights"]),
        adults=tuple(document["adults"]),
        children=tuple(document["children"]),
        minor_victim=bool(document["minor_victim"]),
        consent_given=bool(document["consent_given"]),
    )


@dataclass
class _Attempt:
    """The operation as last written, with every key it may have inserted."""

    operation: Operation
    begun: bool = False
    tried: list[str] = field(default_factory=list)


async def allocate(
    services: ShelterServices,
    *,
    case_id: str,
    site_id: str,
    first_night: dt.date,
    nights: int,
    adults: tuple[str, ...],
    children: tuple[str, ...],
    consent_given: bool,
    acting: Acting,
) -> Committed[Allocation | None]:
    """Places for a case shelter knows; whether its victim is a minor is the case's fact, never
    the request's (``application.cases``)."""
    site = await load_site(services, site_id, acting)
    case = await known_case(services, case_id, acting)
    command = Allocate(
        allocation_id=f"alloc-{new_event_id()}",
        case_id=case_id,
        site_id=site_id,
        operator_org=acting.org_ref,
        first_night=first_night,
        nights=nights,
        adults=adults,
        children=children,
        minor_victim=case.minor_victim,
        consent_given=consent_given,
    )
    started = services.clock.now()
    decide_allocation(None, command, site, started)  # every rule the records decide, first
    attempt = _Attempt(
        Operation(
            op_id=command.allocation_id,
            kind=OperationKind.ALLOCATE,
            holder=command.allocation_id,
            started_at=started,
            command={"allocate": allocate_json(command), "acting": acting_json(acting)},
        )
    )
    try:
        held = await _reserve(services, site, command, attempt)
        if not services.in_time(started):
            raise TooSlow()
    except BaseException:
        if attempt.begun:
            await give_back(services, replace(attempt.operation, held=tuple(attempt.tried)))
            services.places.forget_keys(attempt.tried)
        raise
    return await commit_allocation(
        services, site, command, acting, new=True, held=held, depends_on=follows(case)
    )


async def commit_allocation(
    services: ShelterServices,
    site: Site,
    command: Allocate,
    acting: Acting,
    *,
    new: bool,
    held: list[str] | None = None,
    depends_on: Sequence[str] = (),
) -> Committed[Allocation | None]:
    """Holdings kept and COMMIT decided (together: both before the commit, neither depends on
    the other), the events committed, the operation forgotten. Also the sweep's way to finish
    an allocation whose process died after deciding (``held`` None: kept already)."""
    outcome = services.operations.decide(command.allocation_id, Outcome.COMMIT)
    if held is None:
        decided = await outcome
    else:
        _, decided = await asyncio.gather(
            services.holdings.keep(command.allocation_id, held), outcome
        )
    if decided is Outcome.ABANDON:
        raise TooSlow()  # the sweep took it over and gives everything back
    committed = await services.write_path.execute(
        ALLOCATION,
        command.allocation_id,
        lambda loaded, now: decide_allocation(loaded.state, command, site, now),
        acting=acting,
        subject=command.case_id,
        jurisdiction=site.departement,
        new=new,
        depends_on=depends_on,
    )
    await services.operations.finish(command.allocation_id)
    return committed


async def _reserve(
    services: ShelterServices, site: Site, command: Allocate, attempt: _Attempt
) -> list[str]:
    """Insert the person-nights and one slot per person and night, trying other slots for the
    ones another process won; raises the rule that failed (the caller gives back)."""
    end = command.first_night + dt.timedelta(days=command.nights)
    nights = nights_between(command.first_night, end)
    persons = (*command.adults, *command.children)
    pending = [person_key(p, n) for n in nights for p in persons]
    missing = {(n, Pool.ADULT): len(command.adults) for n in nights}
    missing.update({(n, Pool.CHILD): len(command.children) for n in nights if command.children})
    held: list[str] = []
    for _ in range(MAX_ROUNDS):
        picked = await _pick(services, site, missing)
        keys = [*picked, *pending]
        pending = []
        attempt.tried.extend(keys)
        attempt.operation = replace(attempt.operation, held=tuple(attempt.tried))
        if attempt.begun:
            await services.operations.note(attempt.operation)
        else:
            await services.operations.begin(attempt.operation)
            attempt.begun = True
        taken = await services.reservations.insert(keys, command.allocation_id)
        for key, (night, pool, slot) in picked.items():
            services.places.answered((site.site_id, night, pool), slot)
            if key not in taken:
                missing[(night, pool)] -= 1
        people = sorted(k for k in taken if is_person(k))
        if people:
            raise errors.PersonAlreadySheltered(f"on the night of {night_of(people[0])}")
        held.extend(k for k in keys if k not in taken)
        missing = {np: k for np, k in missing.items() if k > 0}
        if not missing:
            return held
    raise errors.NightFull(min(n for n, _ in missing), "other allocations kept winning its places")


async def _pick(
    services: ShelterServices, site: Site, missing: dict[tuple[dt.date, Pool], int]
) -> dict[str, tuple[dt.date, Pool, int]]:
    """Candidate slots for what is missing; ``NightFull`` when a night has none left."""
    picked: dict[str, tuple[dt.date, Pool, int]] = {}
    for (night, pool), count in sorted(missing.items()):
        capacity = site.capacity_on(night)
        slots = capacity.adult if pool is Pool.ADULT else capacity.child
        key = (site.site_id, night, pool)
        seen = services.places.generation(key)
        chosen = services.places.pick(key, slots, count)
        if len(chosen) < count:
            await services.places.refresh(key, slots, seen, services.reservations.holders)
            chosen += services.places.pick(key, slots, count - len(chosen))
        if len(chosen) < count:
            for slot in chosen:
                services.places.forget(key, slot)
            for n, p, slot in picked.values():
                services.places.forget((site.site_id, n, p), slot)
            raise errors.NightFull(night, f"{pool} places")
        for slot in chosen:
            picked[place_key(site.site_id, night, pool, slot)] = (night, pool, slot)
    return picked
