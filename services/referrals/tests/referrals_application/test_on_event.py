"""The worker's handler on intake, shelter and referrals events: idempotent, so a redelivery
changes nothing, and capacity is counted from the shelter service's events only."""

from __future__ import annotations

import datetime as dt

import pytest
from relais_events.catalogue import Event
from relais_events.catalogue.intake import CaseErased, ErasureBasis, ReportFiled, ReportKind
from relais_events.catalogue.shelter import (
    AllocationReleased,
    CapacityDeclared,
    ReleaseReason,
    ShelterAllocated,
    SiteRegistered,
)
from relais_events.envelope import Envelope, new_envelope
from relais_events.pii import ShreddedKeyError
from relais_events.vocabulary import Actor, Channel, PartnerKind, Role
from relais_referrals.application.partners import partners_serving

from .harness import DEP, T0, Harness, intake_event, opened

NIGHT = dt.date(2026, 3, 2)


def shelter(event: Event, subject: str, minute: int) -> Envelope:
    return new_envelope(
        event,
        source="shelter",
        subject=subject,
        aggregate_id=subject,
        aggregate_version=1,
        actor=Actor(role=Role.SHELTER_OPERATOR, org="chrs-93", jurisdiction=DEP),
        jurisdiction=DEP,
        now=T0 + dt.timedelta(minutes=minute),
    )


async def test_intake_events_are_learnt_once_in_order(h: Harness) -> None:
    first = opened("case-1")
    report = ReportFiled(
        case_id="case-1",
        report_id="r-1",
        channel=Channel.POLICE,
        kind=ReportKind.COMPLAINT,
        departement=DEP,
        minor_victim=True,
        children_present=0,
    )
    second = intake_event(report, "case-1", 2)
    for envelope in (first, second, first, second):  # redelivered
        await h.handlers.on_event(envelope)
    facts = await h.cases.get("case-1")
    assert facts is not None
    assert (facts.minor_victim, facts.last_event_id, facts.version) == (True, second.id, 2)


async def test_an_erased_case_shreds_this_services_key(h: Harness) -> None:
    await h.handlers.on_event(opened("case-1"))
    await h.keys.data_key("case-1")
    erased = CaseErased(case_id="case-1", basis=ErasureBasis.ERASURE_REQUEST)
    await h.handlers.on_event(intake_event(erased, "case-1", 2))
    assert await h.keys.existing_key("case-1") is None
    with pytest.raises(ShreddedKeyError):
        await h.keys.data_key("case-1")


async def test_free_places_of_a_shelter_operator_from_its_events(h: Harness) -> None:
    partner = await h.partner(PartnerKind.SHELTER_OPERATOR, org="chrs-93")
    site = SiteRegistered(
        site_id="site-1",
        operator_org="chrs-93",
        departement=DEP,
        accepts_children=True,
        step_free_access=False,
    )
    other = SiteRegistered(
        site_id="site-2",
        operator_org="someone-else",
        departement=DEP,
        accepts_children=True,
        step_free_access=False,
    )
    declared = CapacityDeclared(
        site_id="site-1", first_night=NIGHT, last_night=NIGHT + dt.timedelta(days=6), places=8
    )
    declared_other = CapacityDeclared(
        site_id="site-2", first_night=NIGHT, last_night=NIGHT, places=50
    )
    allocated = ShelterAllocated(
        allocation_id="alloc-1",
        case_id="case-9",
        site_id="site-1",
        first_night=NIGHT,
        nights=3,
        adults=1,
        children=2,
        minor_victim=False,
    )
    released = AllocationReleased(
        allocation_id="alloc-1",
        case_id="case-9",
        site_id="site-1",
        last_night=NIGHT,
        reason=ReleaseReason.MOVED_ON,
    )
    envelopes = [
        shelter(site, "site-1", 0),
        shelter(other, "site-2", 0),
        shelter(declared, "site-1", 1),
        shelter(declared_other, "site-2", 1),
        shelter(allocated, "case-9", 2),
    ]
    for envelope in envelopes + envelopes:  # every one delivered twice
        await h.handlers.on_event(envelope)
    [tonight] = await partners_serving(h.services, DEP, PartnerKind.SHELTER_OPERATOR, NIGHT)
    assert (tonight.partner.partner_id, tonight.free_places) == (partner, 5)
    await h.handlers.on_event(shelter(released, "case-9", 3))
    tomorrow = NIGHT + dt.timedelta(days=1)
    [later] = await partners_serving(h.services, DEP, PartnerKind.SHELTER_OPERATOR, tomorrow)
    assert later.free_places == 8
