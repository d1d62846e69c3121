"""Allocations (allocate, release, read: logged) and night claims."""

from __future__ import annotations

from fastapi import APIRouter, status
from relais_events.vocabulary import Identifier
from relais_kit.http.purpose import Purpose

from relais_shelter.application import allocations, claims, reads, releases
from relais_shelter.domain.allocation import Allocation
from relais_shelter.entrypoints.dependencies import (
    AllocationReader,
    Allocator,
    Claimer,
    Releaser,
    Services,
)
from relais_shelter.entrypoints.schemas import (
    AllocationIn,
    AllocationOut,
    ClaimIn,
    ClaimOut,
    ReleaseIn,
)

router = APIRouter(prefix="/v1", tags=["allocations"])


def allocation_out(allocation: Allocation, departement: str, event_ids: list[str]) -> AllocationOut:
    return AllocationOut(
        allocation_id=allocation.allocation_id,
        case_id=allocation.case_id,
        site_id=allocation.site_id,
        departement=departement,
        first_night=allocation.first_night,
        nights=allocation.nights,
        adults=allocation.adults,
        children=allocation.children,
        minor_victim=allocation.minor_victim,
        released_after=allocation.released_after,
        event_ids=event_ids,
        min_event=event_ids[-1] if event_ids else None,
    )


@router.post("/allocations", status_code=status.HTTP_201_CREATED)
async def allocate(body: AllocationIn, who: Allocator, services: Services) -> AllocationOut:
    """Places for a case's persons on ``[first_night, first_night + nights)``: 409 with the full
    night named when a night has no place left, or a person already sleeps elsewhere; 409
    ``CaseNotKnown`` with Retry-After for a case not learnt from intake yet (or of another
    département). Whether the victim is a minor comes from the case, not from the request."""
    written = await allocations.allocate(
        services,
        case_id=body.case_id,
        site_id=body.site_id,
        first_night=body.first_night,
        nights=body.nights,
        adults=tuple(body.adults),
        children=tuple(body.children),
        consent_given=body.consent_given,
        acting=who,
    )
    assert written.state is not None  # an allocation decided is an allocation
    return allocation_out(written.state, written.loaded.jurisdiction or "", list(written.event_ids))


@router.get("/allocations/{allocation_id}")
async def allocation(
    allocation_id: Identifier, who: AllocationReader, purpose: Purpose, services: Services
) -> AllocationOut:
    view = await reads.read_allocation(services, allocation_id, who, purpose)
    return allocation_out(view.allocation, view.departement, [])


@router.post("/allocations/{allocation_id}/release")
async def release(
    allocation_id: Identifier, body: ReleaseIn, who: Releaser, services: Services
) -> AllocationOut:
    written = await releases.release(services, allocation_id, body.last_night, body.reason, who)
    assert written.state is not None
    return allocation_out(written.state, written.loaded.jurisdiction or "", list(written.event_ids))


@router.post("/claims", status_code=status.HTTP_201_CREATED)
async def claim(body: ClaimIn, who: Claimer, services: Services) -> ClaimOut:
    """A night provided, claimed against the envelope: accepted, or rejected with its reason
    (both are recorded events: 201 either way)."""
    written = await claims.claim_night(
        services, body.allocation_id, body.envelope_id, body.night, who
    )
    decided = written.state
    assert decided is not None
    event_ids = list(written.event_ids)
    return ClaimOut(
        claim_id=decided.claim_id,
        outcome="accepted" if decided.accepted else "rejected",
        reason=None if decided.reason is None else str(decided.reason),
        event_ids=event_ids,
        min_event=event_ids[-1] if event_ids else None,
    )
