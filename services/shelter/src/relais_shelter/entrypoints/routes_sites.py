"""Sites and their places, funding envelopes, free places of a département (counts only)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, status
from fastapi.responses import PlainTextResponse
from relais_events.vocabulary import Departement, Identifier
from relais_kit.application import Committed

from relais_shelter.application import reads, sites
from relais_shelter.entrypoints.dependencies import (
    AvailabilityReader,
    CapacityDeclarer,
    EnvelopeOpener,
    EnvelopeReader,
    Services,
    SiteRegistrar,
)
from relais_shelter.entrypoints.schemas import (
    Accepted,
    AvailabilityOut,
    CapacityIn,
    EnvelopeIn,
    EnvelopeOpened,
    EnvelopeOut,
    SiteIn,
    SiteRegistered,
)

router = APIRouter(prefix="/v1", tags=["sites"])
Month = Annotated[str, Query(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]


def ids(written: Committed[object]) -> dict[str, object]:
    found = list(written.event_ids)
    return {"event_ids": found, "min_event": found[-1] if found else None}


@router.post("/sites", status_code=status.HTTP_201_CREATED)
async def register(body: SiteIn, who: SiteRegistrar, services: Services) -> SiteRegistered:
    written = await sites.register_site(
        services,
        departement=body.departement,
        name=body.name,
        address=body.address,
        accepts_children=body.accepts_children,
        step_free_access=body.step_free_access,
        acting=who,
    )
    return SiteRegistered(site_id=written.loaded.aggregate_id, **ids(written))  # type: ignore[arg-type]


@router.post("/sites/{site_id}/capacity", status_code=status.HTTP_201_CREATED)
async def declare(
    site_id: Identifier, body: CapacityIn, who: CapacityDeclarer, services: Services
) -> Accepted:
    written = await sites.declare_capacity(
        services,
        site_id,
        first_night=body.first_night,
        last_night=body.last_night,
        places=body.places,
        child_places=body.child_places,
        acting=who,
    )
    return Accepted(**ids(written))  # type: ignore[arg-type]


@router.post("/envelopes", status_code=status.HTTP_201_CREATED)
async def open_envelope(
    body: EnvelopeIn, who: EnvelopeOpener, services: Services
) -> EnvelopeOpened:
    written = await sites.open_envelope(
        services,
        departement=body.departement,
        period_start=body.period_start,
        period_end=body.period_end,
        nights=body.nights,
        amount_cents=body.amount_cents,
        acting=who,
    )
    return EnvelopeOpened(envelope_id=written.loaded.aggregate_id, **ids(written))  # type: ignore[arg-type]


@router.get("/envelopes/{envelope_id}")
async def envelope(envelope_id: Identifier, who: EnvelopeReader, services: Services) -> EnvelopeOut:
    """Consumption, remaining nights and amount (no case data: not access-logged)."""
    used = await reads.consumption(services, envelope_id, who)
    e = used.envelope
    return EnvelopeOut(
        envelope_id=e.envelope_id,
        funder_org=e.funder_org,
        departement=e.departement,
        period_start=e.period_start,
        period_end=e.period_end,
        nights=e.nights,
        amount_cents=e.amount_cents,
        nights_claimed=used.nights_claimed,
        nights_remaining=used.nights_remaining,
        amount_claimed_cents=used.amount_claimed_cents,
        amount_remaining_cents=used.amount_remaining_cents,
        exhausted=e.exhausted,
    )


@router.get("/envelopes/{envelope_id}/statement", response_class=PlainTextResponse)
async def statement(
    envelope_id: Identifier, month: Month, who: EnvelopeReader, services: Services
) -> PlainTextResponse:
    """The month's claims as CSV for the funder: no case, person or site."""
    text = await reads.statement(services, envelope_id, month, who)
    return PlainTextResponse(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{envelope_id}-{month}.csv"'},
    )


@router.get("/availability")
async def availability(
    who: AvailabilityReader,
    services: Services,
    departement: Annotated[Departement, Query()],
    night: Annotated[dt.date, Query()],
) -> AvailabilityOut:
    """Free places of the département's sites on a night: counts only, for referrers."""
    found = await reads.availability(services, departement, night, who)
    return AvailabilityOut(
        departement=found.departement,
        night=found.night,
        adult_places=found.adult_places,
        child_places=found.child_places,
    )
