"""In-memory adapters of every port, with the same contracts as the Mongo ones (the contract
suite in ``tests/referrals_servers/test_port_contracts.py`` runs against both). The escalation
schedule and its firings are the kit's (``relais_kit.due.memory``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import replace

from relais_events.vocabulary import PartnerKind

from relais_referrals.application.ports import IndexRow, Site
from relais_referrals.domain.capacity import Declaration, Stay
from relais_referrals.domain.partner import Partner
from relais_referrals.domain.referral import ReferralStatus


class MemoryPartnerDirectory:
    def __init__(self) -> None:
        self._partners: dict[str, Partner] = {}

    async def add(self, partner: Partner) -> None:
        self._partners.setdefault(partner.partner_id, partner)

    async def serving(self, departement: str, kind: PartnerKind | None) -> list[Partner]:
        return sorted(
            (
                p
                for p in self._partners.values()
                if p.serves(departement) and (kind is None or p.kind is kind)
            ),
            key=lambda p: p.partner_id,
        )


class MemoryReferralIndex:
    def __init__(self) -> None:
        self._rows: dict[str, IndexRow] = {}

    async def get(self, referral_id: str) -> IndexRow | None:
        return self._rows.get(referral_id)

    async def put(self, row: IndexRow) -> None:
        stored = self._rows.get(row.referral_id)
        if stored is None or stored.version <= row.version:
            self._rows[row.referral_id] = row

    async def for_partner(
        self, partner_id: str, statuses: Collection[ReferralStatus], limit: int
    ) -> list[IndexRow]:
        rows = [
            r for r in self._rows.values() if r.partner_id == partner_id and r.status in statuses
        ]
        return sorted(rows, key=lambda r: (r.sent_at, r.referral_id))[:limit]

    async def for_referrer(
        self, org: str, departements: Collection[str], limit: int
    ) -> list[IndexRow]:
        rows = [
            r
            for r in self._rows.values()
            if r.referrer_org == org and r.departement in departements
        ]
        return sorted(rows, key=lambda r: (r.sent_at, r.referral_id), reverse=True)[:limit]


class MemoryShelterCapacity:
    def __init__(self) -> None:
        self._sites: dict[str, Site] = {}
        self._declarations: dict[str, Declaration] = {}
        self._stays: dict[str, Stay] = {}
        self._releases: dict[str, dt.date] = {}

    async def add_site(self, site: Site) -> None:
        self._sites.setdefault(site.site_id, site)

    async def add_declaration(self, declaration: Declaration) -> None:
        self._declarations.setdefault(declaration.event_id, declaration)

    async def add_stay(self, stay: Stay) -> None:
        self._stays.setdefault(stay.allocation_id, stay)

    async def add_release(self, allocation_id: str, last_night: dt.date) -> None:
        self._releases.setdefault(allocation_id, last_night)

    async def sites_of(self, operator_org: str, departement: str) -> list[Site]:
        return sorted(
            (
                s
                for s in self._sites.values()
                if s.operator_org == operator_org and s.departement == departement
            ),
            key=lambda s: s.site_id,
        )

    async def declarations(self, site_ids: Collection[str]) -> list[Declaration]:
        return [d for d in self._declarations.values() if d.site_id in site_ids]

    async def stays(self, site_ids: Collection[str]) -> list[Stay]:
        return [
            replace(s, released_after=self._releases.get(s.allocation_id))
            for s in self._stays.values()
            if s.site_id in site_ids
        ]
