"""The partner directory: registering a partner, and the partners serving a département with
the free places a shelter operator has on a night (shown before sending, issue 12).

Capacity comes from the copy of the shelter service's events this service keeps (``capacity``),
never from the shelter service's database (DESIGN.md section 1). Only shelter operators publish
places; for any other kind it is unknown (None), never a made-up number.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from relais_events.envelope import new_event_id
from relais_events.vocabulary import PartnerKind
from relais_kit.application import Acting, Committed

from relais_referrals.application.services import ReferralServices
from relais_referrals.application.streams import PARTNER
from relais_referrals.domain import errors
from relais_referrals.domain.capacity import free_places
from relais_referrals.domain.partner import Partner, RegisterPartner, decide_partner


@dataclass(frozen=True)
class PartnerView:
    partner: Partner
    night: dt.date
    free_places: int | None  # None: the partner's kind publishes no places


async def register_partner(
    kind: PartnerKind,
    org: str,
    departements: Sequence[str],
    *,
    services: ReferralServices,
    acting: Acting,
) -> Committed[Partner | None]:
    """Register a partner; the caller acts for every département it serves."""
    for departement in departements:
        if not acting.acts_for(departement):
            raise errors.PartnerOutsideJurisdiction(departement)
    partner_id = f"partner-{new_event_id()}"
    command = RegisterPartner(partner_id, kind, org, tuple(departements))
    return await services.write_path.execute(
        PARTNER,
        partner_id,
        lambda loaded, now: decide_partner(loaded.state, command, now),
        acting=acting,
        subject=partner_id,  # a partner is outside any case: its stream is its own subject
        jurisdiction=None,  # it may serve several départements: checked above, one by one
        new=True,
    )


async def load_partner(services: ReferralServices, partner_id: str) -> Partner:
    loaded = await services.write_path.load(PARTNER, partner_id)
    if loaded.state is None:
        raise errors.PartnerNotFound(partner_id)
    return loaded.state


async def capacity_of(
    services: ReferralServices, partner: Partner, departement: str, night: dt.date
) -> int | None:
    """Free places of a shelter operator's sites in ``departement`` on ``night``."""
    if partner.kind is not PartnerKind.SHELTER_OPERATOR:
        return None
    sites = [s.site_id for s in await services.capacity.sites_of(partner.org, departement)]
    if not sites:
        return 0
    declarations = await services.capacity.declarations(sites)
    stays = await services.capacity.stays(sites)
    return free_places(sites, declarations, stays, night)


async def partners_serving(
    services: ReferralServices,
    departement: str,
    kind: PartnerKind | None,
    night: dt.date,
) -> list[PartnerView]:
    found = await services.partners.serving(departement, kind)
    return [
        PartnerView(p, night, await capacity_of(services, p, departement, night)) for p in found
    ]
