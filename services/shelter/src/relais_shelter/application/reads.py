"""The shelter's reads: free places (counts only), an envelope's consumption and its monthly
statement for the funder, and an allocation (case data: through the kit's access log).

Availability and envelopes show no case and no person, so they are not access-logged, like the
referrals partner directory; an allocation names a case, so its read is logged (CNIL: who,
what, when, why). Free places are counted from the reservation documents themselves (exact
look-ups by ``_id``), so they are never ahead of or behind what an allocation would find.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

from relais_events.catalogue.timeline import AccessPurpose
from relais_kit.application import Acting
from relais_kit.application.access_log import Shown

from relais_shelter.application.allocations import load_allocation
from relais_shelter.application.claims import load_envelope
from relais_shelter.application.ports import ClaimRecord
from relais_shelter.application.services import ShelterServices
from relais_shelter.application.streams import ALLOCATION, SITE
from relais_shelter.domain import errors
from relais_shelter.domain.allocation import Allocation
from relais_shelter.domain.envelope import Envelope
from relais_shelter.domain.keys import Pool, place_key


@dataclass(frozen=True)
class Availability:
    departement: str
    night: dt.date
    adult_places: int
    child_places: int


async def availability(
    services: ShelterServices, departement: str, night: dt.date, acting: Acting
) -> Availability:
    """Free places of the département's sites on ``night``: counts, never a site."""
    acting.ensure_acts_for(departement)
    free = {Pool.ADULT: 0, Pool.CHILD: 0}
    for site_id in await services.sites.in_departement(departement):
        site = (await services.write_path.load(SITE, site_id)).state
        if site is None:
            continue  # listed, but its commit failed
        capacity = site.capacity_on(night)
        for pool, slots in ((Pool.ADULT, capacity.adult), (Pool.CHILD, capacity.child)):
            keys = [place_key(site_id, night, pool, s) for s in range(slots)]
            free[pool] += slots - len(await services.reservations.holders(keys))
    return Availability(departement, night, free[Pool.ADULT], free[Pool.CHILD])


@dataclass(frozen=True)
class Consumption:
    envelope: Envelope
    nights_claimed: int
    amount_claimed_cents: int

    @property
    def nights_remaining(self) -> int:
        return max(self.envelope.nights - self.nights_claimed, 0)

    @property
    def amount_remaining_cents(self) -> int:
        return max(self.envelope.amount_cents - self.amount_claimed_cents, 0)


async def _envelope(services: ShelterServices, envelope_id: str, acting: Acting) -> Envelope:
    """An envelope of a département is read by those acting for it; a national one by any
    reader the policy allows."""
    envelope = await load_envelope(services, envelope_id)
    if envelope is None or (
        envelope.departement is not None and not acting.acts_for(envelope.departement)
    ):
        raise errors.EnvelopeNotFound(envelope_id)
    return envelope


async def consumption(services: ShelterServices, envelope_id: str, acting: Acting) -> Consumption:
    envelope = await _envelope(services, envelope_id, acting)
    accepted = [r for r in await services.claims.of_envelope(envelope_id) if r.accepted]
    return Consumption(
        envelope, sum(r.persons for r in accepted), sum(r.amount_cents for r in accepted)
    )


STATEMENT_COLUMNS = (
    "claim_id",
    "night",
    "departement",
    "nuitees",
    "amount_cents",
    "outcome",
    "reason",
)


async def statement(services: ShelterServices, envelope_id: str, month: str, acting: Acting) -> str:
    """The month's decided claims of an envelope as CSV, for the funder: claim, night,
    département, nuitées, amount, outcome and reason. No case, person or site (the funder pays
    nights, it does not follow cases: GDPR art. 5(1)(c), the minimum)."""
    await _envelope(services, envelope_id, acting)
    rows = [
        r
        for r in await services.claims.of_envelope(envelope_id)
        if r.night.isoformat().startswith(month + "-")
    ]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(STATEMENT_COLUMNS)
    for row in rows:
        writer.writerow(_row(row))
    return out.getvalue()


def _row(record: ClaimRecord) -> list[str]:
    return [
        record.claim_id,
        record.night.isoformat(),
        record.departement,
        str(record.persons),
        str(record.amount_cents),
        "accepted" if record.accepted else "rejected",
        record.reason or "",
    ]


@dataclass(frozen=True)
class AllocationView:
    allocation: Allocation
    departement: str
    access_id: str


async def read_allocation(
    services: ShelterServices, allocation_id: str, acting: Acting, purpose: AccessPurpose
) -> AllocationView:
    allocation, site = await load_allocation(services, allocation_id, acting)
    loaded = await services.write_path.load(ALLOCATION, allocation_id)
    entry = await services.access_log.record(
        acting,
        "allocation",
        purpose,
        [Shown(allocation.case_id, site.departement, loaded.last_event_id)],
    )
    return AllocationView(allocation, site.departement, entry.id)
