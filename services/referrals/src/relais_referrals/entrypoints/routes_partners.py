"""The partner directory: register a partner; list the partners serving a département with the
free places a shelter operator has on a night (no case data: nothing to log)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, status
from relais_events.vocabulary import Departement, Identifier, PartnerKind

from relais_referrals.application.partners import (
    PartnerView,
    capacity_of,
    load_partner,
    partners_serving,
    register_partner,
)
from relais_referrals.domain import errors
from relais_referrals.domain.consent import civil_day
from relais_referrals.entrypoints.dependencies import DirectoryReader, Registrar, Services
from relais_referrals.entrypoints.schemas import PartnerIn, PartnerOut, PartnerRegistered
from relais_referrals.entrypoints.views import partner_out

router = APIRouter(prefix="/v1/partners", tags=["partners"])


@router.post("", status_code=status.HTTP_201_CREATED)
async def register(body: PartnerIn, who: Registrar, services: Services) -> PartnerRegistered:
    written = await register_partner(
        body.kind, body.org, body.departements, services=services, acting=who
    )
    ids = list(written.event_ids)
    return PartnerRegistered(
        partner_id=written.loaded.aggregate_id, event_ids=ids, min_event=ids[-1]
    )


@router.get("")
async def directory(
    who: DirectoryReader,
    services: Services,
    departement: Annotated[Departement, Query()],
    kind: Annotated[PartnerKind | None, Query()] = None,
    night: Annotated[dt.date | None, Query()] = None,
) -> list[PartnerOut]:
    """Partners serving ``departement``, with a shelter operator's free places on ``night``
    (tonight, Europe/Paris, by default)."""
    who.ensure_acts_for(departement)
    on = night or civil_day(services.clock.now())
    return [partner_out(v) for v in await partners_serving(services, departement, kind, on)]


@router.get("/{partner_id}")
async def partner(
    partner_id: Identifier,
    who: DirectoryReader,
    services: Services,
    departement: Annotated[Departement, Query()],
    night: Annotated[dt.date | None, Query()] = None,
) -> PartnerOut:
    who.ensure_acts_for(departement)
    found = await load_partner(services, partner_id)
    if not found.serves(departement):
        raise errors.PartnerDoesNotServeDepartement(f"{partner_id} does not serve {departement}")
    on = night or civil_day(services.clock.now())
    return partner_out(PartnerView(found, on, await capacity_of(services, found, departement, on)))
