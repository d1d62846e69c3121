"""The recovery sweep: operations a dead process left in flight, finished or given back.

Run at worker start and then every ``lease`` (DESIGN.md "Store rules": a crash half-way leaves no
place held). An operation older than its lease is an orphan: its command gives up by itself
after half the lease (``ShelterServices.in_time``), so nothing live races the sweep. The sweep
inserts ABANDON; if it wins, it gives back everything the operation may hold. If the command had
inserted COMMIT first, it had every reservation it needed: the sweep finishes the commit instead
(the write path's version insert makes it happen once).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from typing import assert_never

from relais_events.catalogue.shelter import ReleaseReason

from relais_shelter.application.allocations import allocate_of, commit_allocation
from relais_shelter.application.cases import follows
from relais_shelter.application.claims import (
    claim_of,
    give_back_claim,
    load_envelope,
    record_verdict,
)
from relais_shelter.application.operations import acting_of, give_back
from relais_shelter.application.ports import Operation, OperationKind, Outcome
from relais_shelter.application.releases import commit_release
from relais_shelter.application.services import ShelterServices
from relais_shelter.application.streams import ALLOCATION, SITE
from relais_shelter.domain.allocation import Allocation, Release
from relais_shelter.domain.errors import ShelterRuleViolation
from relais_shelter.domain.site import Site

log = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class Swept:
    given_back: int = 0
    finished: int = 0


async def sweep(services: ShelterServices, now: dt.datetime | None = None) -> Swept:
    """Finish or give back every operation older than the lease; returns what it did."""
    instant = (now or services.clock.now()) - services.lease
    given_back = finished = 0
    for operation in await services.operations.started_before(instant):
        try:
            outcome = await services.operations.decide(operation.op_id, Outcome.ABANDON)
            if outcome is Outcome.ABANDON:
                await _abandon(services, operation)
                given_back += 1
            else:
                await _finish(services, operation)
                finished += 1
        except ShelterRuleViolation as rule:  # decided otherwise meanwhile: nothing to finish
            log.info("recovery sweep: %s ended by %s", operation.op_id, rule.rule)
        except Exception:  # one bad operation never stops the sweep of the others
            log.exception("recovery sweep: %s left for the next sweep", operation.op_id)
    if given_back or finished:
        log.info("recovery sweep: %s given back, %s finished", given_back, finished)
    return Swept(given_back, finished)


async def _abandon(services: ShelterServices, operation: Operation) -> None:
    if operation.kind is OperationKind.CLAIM:
        await give_back_claim(services, operation, operation.command["claim"]["envelope_id"])
    else:
        await give_back(services, operation)


async def _finish(services: ShelterServices, operation: Operation) -> None:
    match operation.kind:
        case OperationKind.ALLOCATE:
            await _finish_allocation(services, operation)
        case OperationKind.RELEASE:
            await _finish_release(services, operation)
        case OperationKind.CLAIM:
            await _finish_claim(services, operation)
        case _:
            assert_never(operation.kind)
    await services.operations.finish(operation.op_id)


async def _site_of(services: ShelterServices, allocation: Allocation | None) -> Site | None:
    if allocation is None:
        return None
    return (await services.write_path.load(SITE, allocation.site_id)).state


async def _finish_allocation(services: ShelterServices, operation: Operation) -> None:
    command = allocate_of(operation.command["allocate"])
    site = (await services.write_path.load(SITE, command.site_id)).state
    if site is not None:
        acting = acting_of(operation.command["acting"])
        case = await services.cases.get(command.case_id)
        await commit_allocation(
            services, site, command, acting, new=False, depends_on=follows(case)
        )


async def _finish_release(services: ShelterServices, operation: Operation) -> None:
    body = operation.command["release"]
    allocation = (await services.write_path.load(ALLOCATION, body["allocation_id"])).state
    site = await _site_of(services, allocation)
    if site is None:
        return
    command = Release(
        body["allocation_id"],
        body["operator_org"],
        dt.date.fromisoformat(body["last_night"]),
        ReleaseReason(body["reason"]),
    )
    acting = acting_of(operation.command["acting"])
    await commit_release(services, operation, site, command, acting)


async def _finish_claim(services: ShelterServices, operation: Operation) -> None:
    command = claim_of(operation.command["claim"])
    allocation = (await services.write_path.load(ALLOCATION, command.allocation_id)).state
    site = await _site_of(services, allocation)
    if allocation is None or site is None:
        return
    await record_verdict(
        services,
        command,
        allocation=allocation,
        site=site,
        envelope=await load_envelope(services, command.envelope_id),
        rejection=None,
        acting=acting_of(operation.command["acting"]),
        new=False,
    )
