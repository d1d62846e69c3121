"""One contract per port, run against the memory adapter and MongoDB/FerretDB alike."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from typing import Any

import pytest
from pymongo import AsyncMongoClient
from relais_events.vocabulary import PartnerKind
from relais_infra.testing import Servers
from relais_kit.due import DueSchedule, Firing, Firings
from relais_kit.due.memory import MemoryDueSchedule, MemoryFirings
from relais_kit.due.mongo import MongoDueSchedule, MongoFirings
from relais_referrals.adapters import memory
from relais_referrals.adapters.mongo_capacity import MongoShelterCapacity
from relais_referrals.adapters.mongo_index import MongoReferralIndex
from relais_referrals.adapters.mongo_partners import MongoPartnerDirectory
from relais_referrals.application.ports import (
    IndexRow,
    PartnerDirectory,
    ReferralIndex,
    ScheduledEscalation,
    ShelterCapacity,
    Site,
)
from relais_referrals.bootstrap import ESCALATION_FIRINGS, ESCALATION_SCHEDULE
from relais_referrals.domain.capacity import Declaration, Stay
from relais_referrals.domain.partner import Partner
from relais_referrals.domain.referral import ReferralStatus

pytestmark = pytest.mark.servers
T0 = dt.datetime(2026, 3, 2, 8, 0, 0, 123456, tzinfo=dt.UTC)  # microseconds must survive
D = dt.date(2026, 3, 2)


@dataclass
class Ports:
    partners: PartnerDirectory
    index: ReferralIndex
    capacity: ShelterCapacity
    schedule: DueSchedule[ScheduledEscalation]
    firings: Firings


@pytest.fixture(params=["memory", "mongo"])
async def ports(request: pytest.FixtureRequest, servers: Servers) -> AsyncIterator[Ports]:
    if request.param == "memory":
        yield Ports(
            memory.MemoryPartnerDirectory(),
            memory.MemoryReferralIndex(),
            memory.MemoryShelterCapacity(),
            MemoryDueSchedule[ScheduledEscalation](),
            MemoryFirings(),
        )
        return
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(servers.mongo_uri, tz_aware=True)
    db = client[servers.database(f"rf_ports_{secrets.token_hex(3)}")]
    try:
        yield Ports(
            MongoPartnerDirectory(db),
            MongoReferralIndex(db),
            MongoShelterCapacity(db),
            MongoDueSchedule(db[ESCALATION_SCHEDULE], ScheduledEscalation),
            MongoFirings(db[ESCALATION_FIRINGS]),
        )
    finally:
        await client.drop_database(db.name)
        await client.close()


async def test_partners_are_listed_once_by_departement_and_kind(ports: Ports) -> None:
    cidff = Partner("partner-b", PartnerKind.CIDFF, "cidff-93", ("93", "94"))
    shelter = Partner("partner-a", PartnerKind.SHELTER_OPERATOR, "chrs-93", ("93",))
    for partner in (cidff, shelter, cidff):
        await ports.partners.add(partner)
    assert await ports.partners.serving("93", None) == [shelter, cidff]
    assert await ports.partners.serving("94", None) == [cidff]
    assert await ports.partners.serving("93", PartnerKind.CIDFF) == [cidff]
    assert await ports.partners.serving("75", None) == []


def row(referral: str, partner: str, minutes: int, version: int = 2, **changes: Any) -> IndexRow:
    base = IndexRow(
        referral_id=referral,
        case_id=f"case-{referral}",
        departement="93",
        partner_id=partner,
        referrer_org="pn-93",
        status=ReferralStatus.SENT,
        sent_at=T0 + dt.timedelta(minutes=minutes),
        version=version,
    )
    return replace(base, **changes)


async def test_index_rows_keep_their_newest_version_and_list_in_order(ports: Ports) -> None:
    await ports.index.put(row("r1", "p1", 5))
    await ports.index.put(row("r2", "p1", 1))
    await ports.index.put(row("r3", "p2", 3, referrer_org="assoc-93"))
    await ports.index.put(row("r4", "p1", 9, departement="75"))
    await ports.index.put(row("r1", "p1", 5, version=3, status=ReferralStatus.ACCEPTED))
    await ports.index.put(row("r1", "p1", 5, version=2))  # older: ignored
    assert await ports.index.get("r1") == row(
        "r1", "p1", 5, version=3, status=ReferralStatus.ACCEPTED
    )
    sent = await ports.index.for_partner("p1", {ReferralStatus.SENT}, 10)
    assert [r.referral_id for r in sent] == ["r2", "r4"]
    both = await ports.index.for_partner("p1", {ReferralStatus.SENT, ReferralStatus.ACCEPTED}, 2)
    assert [r.referral_id for r in both] == ["r2", "r1"]
    assert await ports.index.for_partner("p1", set(), 10) == []
    mine = await ports.index.for_referrer("pn-93", {"93"}, 10)
    assert [r.referral_id for r in mine] == ["r1", "r2"]  # newest first, 93 only
    assert [r.referral_id for r in await ports.index.for_referrer("pn-93", {"93", "75"}, 1)] == [
        "r4"
    ]
    assert await ports.index.get("r9") is None


async def test_shelter_capacity_is_insert_only_and_applies_releases(ports: Ports) -> None:
    site = Site("site-1", "chrs-93", "93")
    await ports.capacity.add_site(site)
    await ports.capacity.add_site(Site("site-1", "someone-else", "75"))  # a redelivery: kept first
    await ports.capacity.add_site(Site("site-2", "chrs-93", "94"))
    assert await ports.capacity.sites_of("chrs-93", "93") == [site]
    declaration = Declaration("site-1", D, D + dt.timedelta(days=3), 10, T0, "event-1")
    await ports.capacity.add_declaration(declaration)
    await ports.capacity.add_declaration(declaration)
    assert await ports.capacity.declarations(["site-1"]) == [declaration]
    stay = Stay("alloc-1", "site-1", D, 3, 2)
    await ports.capacity.add_stay(stay)
    await ports.capacity.add_stay(stay)
    assert await ports.capacity.stays(["site-1"]) == [stay]
    await ports.capacity.add_release("alloc-1", D)
    assert await ports.capacity.stays(["site-1"]) == [replace(stay, released_after=D)]
    assert await ports.capacity.stays(["site-9"]) == []


def entry(referral: str, due: dt.datetime, version: int = 2) -> ScheduledEscalation:
    return ScheduledEscalation(f"referrals-case-{referral}", referral, due, version, T0)


async def test_schedule_inserts_once_lists_due_earliest_first_and_removes(ports: Ports) -> None:
    late, early = entry("r1", T0 + dt.timedelta(days=2)), entry("r2", T0)
    await ports.schedule.add([late, early])
    await ports.schedule.add([replace(early, scheduled_at=T0 + dt.timedelta(hours=1))])
    assert await ports.schedule.due(T0 - dt.timedelta(microseconds=1), 10) == []
    assert await ports.schedule.due(T0, 10) == [early]
    assert await ports.schedule.due(T0 + dt.timedelta(days=9), 10) == [early, late]
    assert await ports.schedule.due(T0 + dt.timedelta(days=9), 1) == [early]
    await ports.schedule.remove(early.key)
    await ports.schedule.remove(early.key)
    assert await ports.schedule.due(T0 + dt.timedelta(days=9), 10) == [late]


async def test_a_firing_is_claimed_once_and_completed_by_its_claimer(ports: Ports) -> None:
    key = entry("r1", T0).firing_key
    assert await ports.firings.get(key) is None
    assert await ports.firings.claim(Firing(key, "worker-a", T0))
    assert not await ports.firings.claim(Firing(key, "worker-b", T0))
    assert await ports.firings.get(key) == Firing(key, "worker-a", T0)
    await ports.firings.complete(key, T0 + dt.timedelta(seconds=1))
    assert await ports.firings.get(key) == Firing(key, "worker-a", T0, T0 + dt.timedelta(seconds=1))
