"""Consent to share a case with partners: explicit, scoped, time-limited, withdrawable.

DOMAIN.md "Referrals and consent": consent is explicit (given by the victim, recorded by a
professional), scoped (which partners or partner kinds, for what purpose; and here which data
categories, GDPR art. 5(1)(c)), time-limited, and its withdrawal stops new sharing at once.

"Active" means covering NOW: not withdrawn and not expired at the instant a referral is sent;
never "the last one recorded". A case may hold several consents at once; any one of them that
covers the partner, the purpose and every shared category at that instant is enough.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from typing import Final
from zoneinfo import ZoneInfo

from relais_events.catalogue.referrals import SharedDataCategory
from relais_events.vocabulary import ConsentPurpose, PartnerKind

from relais_referrals.domain import errors

PARIS: Final = ZoneInfo("Europe/Paris")


def expiry_instant(valid_until: dt.date) -> dt.datetime:
    """The first instant a consent no longer covers: its last day ends at 24:00, Europe/Paris
    civil time (the way CPC art. 641 counts a day's end; right across DST changes)."""
    next_day = valid_until + dt.timedelta(days=1)
    return dt.datetime.combine(next_day, dt.time(0), tzinfo=PARIS).astimezone(dt.UTC)


def civil_day(instant: dt.datetime) -> dt.date:
    """The Europe/Paris date of ``instant``."""
    return instant.astimezone(PARIS).date()


@dataclass(frozen=True)
class Consent:
    consent_id: str
    partner_ids: frozenset[str]
    partner_kinds: frozenset[PartnerKind]
    purposes: frozenset[ConsentPurpose]
    data_categories: frozenset[SharedDataCategory]
    valid_until: dt.date
    withdrawn: bool = False

    @property
    def expires_at(self) -> dt.datetime:
        return expiry_instant(self.valid_until)

    def active(self, now: dt.datetime) -> bool:
        """Covers anything at all at ``now``: not withdrawn, and ``now`` before its expiry."""
        return not self.withdrawn and now < self.expires_at

    def covers(
        self,
        partner_id: str,
        kind: PartnerKind,
        purpose: ConsentPurpose,
        categories: Collection[SharedDataCategory],
        now: dt.datetime,
    ) -> bool:
        """Active at ``now`` and scoped to this partner (by id or kind), this purpose and every
        one of these categories."""
        scoped = partner_id in self.partner_ids or kind in self.partner_kinds
        return (
            self.active(now)
            and scoped
            and purpose in self.purposes
            and set(categories) <= self.data_categories
        )


@dataclass(frozen=True)
class ConsentScope:
    """What the victim consents to: partners (by id or kind), purposes, categories, until when."""

    partner_ids: frozenset[str]
    partner_kinds: frozenset[PartnerKind]
    purposes: frozenset[ConsentPurpose]
    data_categories: frozenset[SharedDataCategory]
    valid_until: dt.date


@dataclass(frozen=True)
class GiveConsent:
    consent_id: str
    scope: ConsentScope


def check_consent(scope: ConsentScope, now: dt.datetime) -> None:
    """Explicit and scoped: partners or kinds named, a purpose, categories, an expiry not past."""
    if not scope.partner_ids and not scope.partner_kinds:
        raise errors.ConsentScopeMissing()
    if not scope.purposes:
        raise errors.ConsentScopeMissing("no purpose")
    if not scope.data_categories:
        raise errors.ConsentNeedsDataCategories()
    if scope.valid_until < civil_day(now):
        raise errors.ConsentAlreadyExpired(f"valid until {scope.valid_until}")
