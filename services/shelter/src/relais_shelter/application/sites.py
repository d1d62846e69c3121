"""Registering a site, declaring its places, opening a funding envelope.

A site's name and address are sealed in the ``pii`` of its ``shelter.site_registered`` with the
site's own data key (the kit's sealing, as intake seals a victim's name): secret outside this
service, never in ``data``, never in a read of another service.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from relais_events.catalogue import Event
from relais_events.catalogue.shelter import SiteRegistered
from relais_events.envelope import new_event_id
from relais_kit.application import Acting, Committed

from relais_shelter.application.services import ShelterServices
from relais_shelter.application.streams import ENVELOPE, SITE
from relais_shelter.domain import errors
from relais_shelter.domain.envelope import Envelope, OpenEnvelope, decide_envelope
from relais_shelter.domain.site import DeclareCapacity, RegisterSite, Site, decide_site


async def register_site(
    services: ShelterServices,
    *,
    departement: str,
    name: str,
    address: str,
    accepts_children: bool,
    step_free_access: bool,
    acting: Acting,
) -> Committed[Site | None]:
    acting.ensure_acts_for(departement)
    site_id = f"site-{new_event_id()}"
    command = RegisterSite(site_id, acting.org_ref, departement, accepts_children, step_free_access)

    def personal_data(event: Event) -> Mapping[str, Any] | None:
        if isinstance(event, SiteRegistered):
            return {"name": name, "address": address}
        return None

    # Listed first: a site whose commit then fails is listed but never loads (skipped).
    await services.sites.add(site_id, departement)
    return await services.write_path.execute(
        SITE,
        site_id,
        lambda loaded, now: decide_site(loaded.state, command, now),
        acting=acting,
        subject=site_id,  # a site is outside any case: its stream is its own subject
        jurisdiction=departement,
        personal_data=personal_data,
        new=True,
    )


async def declare_capacity(
    services: ShelterServices,
    site_id: str,
    *,
    first_night: dt.date,
    last_night: dt.date,
    places: int,
    child_places: int,
    acting: Acting,
) -> Committed[Site | None]:
    command = DeclareCapacity(acting.org_ref, first_night, last_night, places, child_places)
    loaded = await services.write_path.load(SITE, site_id)
    if loaded.state is None or not acting.acts_for(loaded.jurisdiction):
        raise errors.SiteNotFound(site_id)
    return await services.write_path.execute(
        SITE, site_id, lambda loaded, now: decide_site(loaded.state, command, now), acting=acting
    )


async def open_envelope(
    services: ShelterServices,
    *,
    departement: str | None,
    period_start: dt.date,
    period_end: dt.date,
    nights: int,
    amount_cents: int,
    acting: Acting,
) -> Committed[Envelope | None]:
    if departement is not None:
        acting.ensure_acts_for(departement)
    envelope_id = f"envelope-{new_event_id()}"
    command = OpenEnvelope(
        envelope_id, acting.org_ref, departement, period_start, period_end, nights, amount_cents
    )
    return await services.write_path.execute(
        ENVELOPE,
        envelope_id,
        lambda loaded, now: decide_envelope(loaded.state, command, now),
        acting=acting,
        subject=envelope_id,
        jurisdiction=departement,
        new=True,
    )
