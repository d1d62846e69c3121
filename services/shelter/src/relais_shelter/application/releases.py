"""Releasing an allocation (early departure): the nights after the last one stayed go back.

A release first takes the ``claimed_key`` of each night it frees, so a night being claimed is
never released and a released night is never claimed (``ReleaseOfClaimedNight`` otherwise);
then it commits ``shelter.allocation_released`` and only then frees the places and
person-nights, so a crash in between leaves the sweep a committed release to finish (see
``operations``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from relais_events.catalogue.shelter import ReleaseReason
from relais_events.envelope import new_event_id
from relais_kit.application import Acting, Committed

from relais_shelter.application.allocations import load_allocation
from relais_shelter.application.operations import TooSlow, acting_json, give_back
from relais_shelter.application.ports import Operation, OperationKind, Outcome
from relais_shelter.application.services import ShelterServices
from relais_shelter.application.streams import ALLOCATION
from relais_shelter.domain import errors
from relais_shelter.domain.allocation import Allocation, Release, decide_allocation, freed_nights
from relais_shelter.domain.keys import claimed_key, night_of
from relais_shelter.domain.site import Site


async def release(
    services: ShelterServices,
    allocation_id: str,
    last_night: dt.date,
    reason: ReleaseReason,
    acting: Acting,
) -> Committed[Allocation | None]:
    allocation, site = await load_allocation(services, allocation_id, acting)
    command = Release(allocation_id, acting.org_ref, last_night, reason)
    started = services.clock.now()
    decide_allocation(allocation, command, site, started)
    op_id = f"release-{new_event_id()}"
    locks = [claimed_key(allocation_id, n) for n in freed_nights(allocation, last_night)]
    operation = Operation(
        op_id=op_id,
        kind=OperationKind.RELEASE,
        holder=op_id,
        started_at=started,
        held=tuple(locks),
        command={
            "release": {
                "allocation_id": allocation_id,
                "operator_org": command.operator_org,
                "last_night": last_night.isoformat(),
                "reason": str(reason),
            },
            "acting": acting_json(acting),
        },
    )
    await services.operations.begin(operation)
    try:
        taken = await services.reservations.insert(locks, op_id)
        if taken:
            holders = await services.reservations.holders(sorted(taken))
            if any(h.startswith("release-") for h in holders.values()):
                raise errors.AlreadyReleased(allocation_id)
            raise errors.ReleaseOfClaimedNight(", ".join(sorted(str(night_of(k)) for k in taken)))
        if not services.in_time(started):
            raise TooSlow()
    except BaseException:
        await give_back(services, operation)
        raise
    return await commit_release(services, operation, site, command, acting)


async def commit_release(
    services: ShelterServices, operation: Operation, site: Site, command: Release, acting: Acting
) -> Committed[Allocation | None]:
    op_id = operation.op_id
    if await services.operations.decide(op_id, Outcome.COMMIT) is Outcome.ABANDON:
        raise TooSlow()
    try:
        committed = await services.write_path.execute(
            ALLOCATION,
            command.allocation_id,
            lambda loaded, now: _release_once(loaded.state, command, site, now),
            acting=acting,
        )
    except errors.ShelterRuleViolation:
        # Another release committed first (one that freed no night takes no key to race on):
        # this one holds its keys for nothing.
        await services.reservations.release(operation.held, operation.holder)
        await services.operations.finish(op_id)
        raise
    await free_after(services, command.allocation_id, command.last_night)
    await services.operations.finish(op_id)
    return committed


def _release_once(
    state: Allocation | None, command: Release, site: Site, now: dt.datetime
) -> list[Any]:
    if state is not None and state.released_after == command.last_night:
        return []  # committed already (the sweep finishing a release)
    return decide_allocation(state, command, site, now)


async def free_after(services: ShelterServices, allocation_id: str, last_night: dt.date) -> None:
    """Give back the places and person-nights after ``last_night`` (idempotent)."""
    keys = [
        k
        for k in await services.holdings.of(allocation_id)
        if (night_of(k) or last_night) > last_night
    ]
    await services.reservations.release(keys, allocation_id)
    services.places.forget_keys(keys)
