"""The worker's one event handler: every record of the intake, shelter and referrals topics.

Kept in this one module so the consumer loop around it can change (batches, issue "Data path
speed") without touching what each event does. Each branch is idempotent on its own, so a
redelivery changes nothing and the worker needs no processed-event claim per record:
- intake: the case's facts are replaced only by a newer version of the case's stream
  (the kit's ``relais_kit.cases.learn_case``, as shelter learns them); ``case.erased`` also
  shreds this service's data key of the case, so the justifications and texts sealed here are
  erased with the rest (DOMAIN.md "Data protection": crypto-shredding);
- shelter: insert-only documents keyed by what the events name (``ShelterCapacity``);
- referrals: the directory listing is one insert per partner; an index row takes an event only
  when its version is newer than the row's.
One writer per document: the consumer owning the partition its key maps to (DESIGN.md rule 2).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from relais_events import topics
from relais_events.catalogue import Event
from relais_events.catalogue.intake import CaseErased
from relais_events.catalogue.referrals import (
    PartnerRegistered,
    ReferralAccepted,
    ReferralCompleted,
    ReferralDeclined,
    ReferralSent,
    ReferralWithdrawn,
)
from relais_events.catalogue.shelter import (
    AllocationReleased,
    CapacityDeclared,
    ShelterAllocated,
    SiteRegistered,
)
from relais_events.envelope import Envelope, payload
from relais_events.pii import KeyStore
from relais_kit.cases import CaseDirectory, learn_case

from relais_referrals.application.ports import (
    IndexRow,
    PartnerDirectory,
    ReferralIndex,
    ShelterCapacity,
    Site,
)
from relais_referrals.domain.capacity import Declaration, Stay
from relais_referrals.domain.partner import evolve_partner
from relais_referrals.domain.referral import ReferralStatus

_OUTCOMES = {
    ReferralAccepted: ReferralStatus.ACCEPTED,
    ReferralDeclined: ReferralStatus.DECLINED,
    ReferralCompleted: ReferralStatus.COMPLETED,
    ReferralWithdrawn: ReferralStatus.WITHDRAWN,
}


@dataclass(frozen=True)
class EventHandlers:
    cases: CaseDirectory
    partners: PartnerDirectory
    index: ReferralIndex
    capacity: ShelterCapacity
    keys: KeyStore

    async def on_event(self, envelope: Envelope) -> None:
        event = payload(envelope)
        if event.TOPIC == topics.INTAKE:
            await learn_case(self.cases, envelope)
            if isinstance(event, CaseErased):
                await self.keys.shred(envelope.subject)
        elif event.TOPIC == topics.SHELTER:
            await self._count_places(envelope, event)
        elif event.TOPIC == topics.REFERRALS:
            await self._index(envelope, event)

    async def _count_places(self, envelope: Envelope, event: Event) -> None:
        match event:
            case SiteRegistered():
                await self.capacity.add_site(
                    Site(event.site_id, event.operator_org, event.departement)
                )
            case CapacityDeclared():
                declaration = Declaration(
                    event.site_id,
                    event.first_night,
                    event.last_night,
                    event.places,
                    envelope.time,
                    envelope.id,
                )
                await self.capacity.add_declaration(declaration)
            case ShelterAllocated():
                persons = event.adults + event.children
                stay = Stay(
                    event.allocation_id, event.site_id, event.first_night, event.nights, persons
                )
                await self.capacity.add_stay(stay)
            case AllocationReleased():
                await self.capacity.add_release(event.allocation_id, event.last_night)

    async def _index(self, envelope: Envelope, event: Event) -> None:
        if isinstance(event, PartnerRegistered):
            await self.partners.add(evolve_partner(None, event))
            return
        if isinstance(event, ReferralSent):
            if await self.index.get(event.referral_id) is None:
                row = IndexRow(
                    referral_id=event.referral_id,
                    case_id=event.case_id,
                    departement=envelope.jurisdiction,
                    partner_id=event.partner_id,
                    referrer_org=event.referrer_org,
                    status=ReferralStatus.SENT,
                    sent_at=envelope.time,
                    version=envelope.aggregateversion,
                )
                await self.index.put(row)
            return
        status = _OUTCOMES.get(type(event))
        referral_id = getattr(event, "referral_id", None)
        if status is None or referral_id is None:
            return  # consents, overrides, escalations: the stream has them, the index needs none
        found = await self.index.get(str(referral_id))
        if found is not None and found.version < envelope.aggregateversion:
            await self.index.put(replace(found, status=status, version=envelope.aggregateversion))
