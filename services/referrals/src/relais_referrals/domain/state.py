"""What the referrals service knows of one case after folding its stream: consents, overrides
and referrals, together in ONE aggregate.

One aggregate per case, on purpose: sending checks consent at that moment, and a withdrawal
must stop new referrals at once. Both are commands on the same stream, so the version insert
orders them (DESIGN.md store rule 1): a referral decided on a consent that a concurrent
withdrawal has just ended loses the version race and is decided again, and refused.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, replace

from relais_events.catalogue.referrals import OverrideGround, SharedDataCategory
from relais_events.vocabulary import ConsentPurpose, Role

from relais_referrals.domain.consent import Consent
from relais_referrals.domain.partner import Partner
from relais_referrals.domain.referral import Referral


@dataclass(frozen=True)
class Override:
    override_id: str
    ground: OverrideGround
    authorised_by: Role
    purpose: ConsentPurpose
    partner_id: str | None = None


@dataclass(frozen=True)
class CaseReferrals:
    case_id: str
    consents: tuple[Consent, ...] = ()
    overrides: tuple[Override, ...] = ()
    referrals: tuple[Referral, ...] = ()

    def consent(self, consent_id: str) -> Consent | None:
        return next((c for c in self.consents if c.consent_id == consent_id), None)

    def referral(self, referral_id: str) -> Referral | None:
        return next((r for r in self.referrals if r.referral_id == referral_id), None)

    def active_consents(self, now: dt.datetime) -> tuple[Consent, ...]:
        """The consents covering anything at ``now`` (not "the last one recorded")."""
        return tuple(c for c in self.consents if c.active(now))

    def covering(
        self,
        partner: Partner,
        purpose: ConsentPurpose,
        categories: Collection[SharedDataCategory],
        now: dt.datetime,
    ) -> Consent | None:
        """A consent covering this partner, purpose and categories at ``now`` (the one that
        expires last, so the referral rests on the longest-lasting)."""
        found = [
            c
            for c in self.consents
            if c.covers(partner.partner_id, partner.kind, purpose, categories, now)
        ]
        return max(found, key=lambda c: (c.valid_until, c.consent_id)) if found else None

    def open_to(self, partner_id: str, purpose: ConsentPurpose) -> Referral | None:
        return next(
            (
                r
                for r in self.referrals
                if r.is_open and r.partner_id == partner_id and r.purpose is purpose
            ),
            None,
        )

    def open_under(self, consent_id: str) -> tuple[Referral, ...]:
        return tuple(r for r in self.referrals if r.is_open and r.consent_id == consent_id)

    def knows(self, identifier: str) -> bool:
        return (
            self.consent(identifier) is not None
            or self.referral(identifier) is not None
            or any(o.override_id == identifier for o in self.overrides)
        )

    def moved(self, referral_id: str, **changes: object) -> CaseReferrals:
        """The case with one referral changed (its status, reason or flags)."""
        referrals = tuple(
            replace(r, **changes) if r.referral_id == referral_id else r  # type: ignore[arg-type]
            for r in self.referrals
        )
        return replace(self, referrals=referrals)
