"""Claiming a night provided, against a funding envelope (DOMAIN.md "Shelter and nights").

A claim takes the allocation's ``claimed_key`` for the night (a night is claimed once; a
released night is held by its release), then one envelope unit per person (``unit_key``), then
commits ``shelter.night_claimed``. When a unit is missing the claim gives back what it took and
commits ``shelter.night_claim_rejected`` with ``envelope_exhausted``, and the envelope records
``funding.envelope_exhausted`` once (its own stream decides it: the first commit wins, the
others find it recorded). Units a failed claim gave back are "holes", taken first once the
envelope's units run out, so an envelope is never exhausted while one of its nights is free.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from relais_events.catalogue.shelter import NightClaimRejection
from relais_events.envelope import new_event_id
from relais_kit.application import Acting, AggregateBusy, Committed

from relais_shelter.application.allocations import load_allocation
from relais_shelter.application.operations import TooSlow, acting_json, give_back
from relais_shelter.application.ports import ClaimRecord, Operation, OperationKind, Outcome
from relais_shelter.application.services import ShelterServices
from relais_shelter.application.streams import CLAIM, ENVELOPE
from relais_shelter.domain import errors
from relais_shelter.domain.allocation import Allocation
from relais_shelter.domain.claim import Claim, ClaimNight, claim_verdict, decide_claim
from relais_shelter.domain.envelope import Envelope, MarkExhausted, decide_envelope
from relais_shelter.domain.keys import claimed_key, unit_key
from relais_shelter.domain.site import Site


async def load_envelope(services: ShelterServices, envelope_id: str) -> Envelope | None:
    return (await services.write_path.load(ENVELOPE, envelope_id)).state


async def claim_night(
    services: ShelterServices,
    allocation_id: str,
    envelope_id: str,
    night: dt.date,
    acting: Acting,
) -> Committed[Claim | None]:
    allocation, site = await load_allocation(services, allocation_id, acting)
    envelope = await load_envelope(services, envelope_id)
    command = ClaimNight(
        claim_id=f"claim-{new_event_id()}",
        allocation_id=allocation_id,
        envelope_id=envelope_id,
        night=night,
        operator_org=acting.org_ref,
    )
    rejection = claim_verdict(command, allocation, site, envelope)
    if envelope is None:  # claim_verdict said so already; this tells the type checker
        raise errors.EnvelopeNotFound(envelope_id)
    if rejection is not None:
        return await record_verdict(
            services,
            command,
            allocation=allocation,
            site=site,
            envelope=envelope,
            rejection=rejection,
            acting=acting,
        )
    started = services.clock.now()
    operation = Operation(
        op_id=command.claim_id,
        kind=OperationKind.CLAIM,
        holder=command.claim_id,
        started_at=started,
        held=(claimed_key(allocation_id, night),),
        command={"claim": claim_json(command), "acting": acting_json(acting)},
    )
    await services.operations.begin(operation)
    try:
        rejection, operation = await _reserve(services, operation, allocation, envelope)
        if rejection is None and not services.in_time(started):
            raise TooSlow()
    except BaseException:
        await give_back_claim(services, operation, envelope_id)
        raise
    if rejection is not None:
        await give_back_claim(services, operation, envelope_id)
        committed = await record_verdict(
            services,
            command,
            allocation=allocation,
            site=site,
            envelope=envelope,
            rejection=rejection,
            acting=acting,
        )
        if rejection is NightClaimRejection.ENVELOPE_EXHAUSTED:
            await mark_exhausted(services, envelope)
        return committed
    if await services.operations.decide(command.claim_id, Outcome.COMMIT) is Outcome.ABANDON:
        raise TooSlow()
    committed = await record_verdict(
        services,
        command,
        allocation=allocation,
        site=site,
        envelope=envelope,
        rejection=None,
        acting=acting,
    )
    await services.operations.finish(command.claim_id)
    last = unit_key(envelope_id, envelope.nights - 1)
    if last in operation.held and not await services.holes.of(envelope_id):
        await mark_exhausted(services, envelope)  # it took the last unit, and none is free
    return committed


async def _reserve(
    services: ShelterServices, operation: Operation, allocation: Allocation, envelope: Envelope
) -> tuple[NightClaimRejection | None, Operation]:
    """The night's claimed key, then one unit per person; the rejection when one is missing."""
    lock = operation.held[0]
    if await services.reservations.insert([lock], operation.holder):
        holder = (await services.reservations.holders([lock])).get(lock, "")
        # A release that took the night first gave it back: the allocation no longer holds it.
        if holder.startswith("release-"):
            return NightClaimRejection.NO_ALLOCATION, replace(operation, held=())
        return NightClaimRejection.PERSON_ALREADY_COUNTED, replace(operation, held=())
    needed = allocation.persons
    held: list[int] = []
    envelope_id = envelope.envelope_id

    async def start() -> int:
        return sum(r.persons for r in await services.claims.of_envelope(envelope_id))

    for source in ("next", "holes"):
        while len(held) < needed:
            if source == "next":
                units = await services.units.pick(envelope_id, envelope.nights, needed, start)
            else:
                units = (await services.holes.of(envelope_id))[: needed - len(held)]
            if not units:
                break
            keys = [unit_key(envelope_id, u) for u in units]
            operation = replace(operation, held=(*operation.held, *keys))
            await services.operations.note(operation)
            taken = await services.reservations.insert(keys, operation.holder)
            for unit, key in zip(units, keys, strict=True):
                if key not in taken:
                    held.append(unit)
                if source == "holes":
                    await services.holes.remove(envelope_id, unit)
    if len(held) < needed:
        return NightClaimRejection.ENVELOPE_EXHAUSTED, operation
    return None, operation


async def give_back_claim(
    services: ShelterServices, operation: Operation, envelope_id: str
) -> None:
    """The units it held become holes first (so they can be found again), then everything goes."""
    mine = await services.reservations.holders(
        [k for k in operation.held if k.startswith("nuitee:")]
    )
    units = [int(k.rsplit(":", 1)[1]) for k, h in mine.items() if h == operation.holder]
    if units:
        await services.holes.add(envelope_id, units)
    await give_back(services, operation)


async def record_verdict(
    services: ShelterServices,
    command: ClaimNight,
    *,
    allocation: Allocation,
    site: Site,
    envelope: Envelope | None,
    rejection: NightClaimRejection | None,
    acting: Acting,
    new: bool = True,
) -> Committed[Claim | None]:
    """Commit the claim's verdict on its own stream and enter it in the funder's ledger.
    ``new``: its id was just drawn, nothing to read first (the sweep finishing one: False)."""
    committed = await services.write_path.execute(
        CLAIM,
        command.claim_id,
        lambda loaded, now: decide_claim(loaded.state, command, allocation, rejection, now),
        acting=acting,
        subject=allocation.case_id,
        jurisdiction=site.departement,
        new=new,
    )
    claim = committed.state
    if claim is not None:
        nuitees = claim.persons if claim.accepted else 0
        price = envelope.night_cents if envelope is not None else 0
        await services.claims.add(
            ClaimRecord(
                claim_id=claim.claim_id,
                envelope_id=claim.envelope_id,
                night=claim.night,
                departement=site.departement,
                persons=nuitees,
                amount_cents=nuitees * price,
                reason=None if claim.accepted else str(claim.reason),
                decided_at=services.clock.now(),
            )
        )
    return committed


async def mark_exhausted(services: ShelterServices, envelope: Envelope) -> None:
    """Record ``funding.envelope_exhausted`` unless it is; a claim that loses every race for the
    envelope's stream leaves it to the one that won (only that event is ever appended to it)."""
    try:
        await services.write_path.execute(
            ENVELOPE,
            envelope.envelope_id,
            lambda loaded, now: _exhausted(loaded.state, envelope.nights, now),
            acting=Acting.system("relais-shelter"),
        )
    except AggregateBusy:
        return


def _exhausted(state: Envelope | None, nights: int, now: dt.datetime) -> list[Any]:
    return decide_envelope(state, MarkExhausted(nights_claimed=nights), now)


def claim_json(command: ClaimNight) -> dict[str, Any]:
    return {
        "claim_id": command.claim_id,
        "allocation_id": command.allocation_id,
        "envelope_id": command.envelope_id,
        "night": command.night.isoformat(),
        "operator_org": command.operator_org,
    }


def claim_of(document: dict[str, Any]) -> ClaimNight:
    return ClaimNight(
        claim_id=document["claim_id"],
        allocation_id=document["allocation_id"],
        envelope_id=document["envelope_id"],
        night=dt.date.fromisoformat(document["night"]),
        operator_org=document["operator_org"],
    )
