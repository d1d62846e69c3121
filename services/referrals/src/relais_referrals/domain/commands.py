"""Commands on a case's consents and referrals (``case_referrals.decide`` takes one of these).

Each carries what the rule needs and nothing the domain would have to fetch: the case's facts
(learnt from intake), the partner (from the directory), the SLA, the caller's organisation and
role. Free text (a reason's "other", an override's justification) is here so the rules can check
it; the application seals it into ``pii`` and it never enters an event's ``data``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from relais_events.catalogue.referrals import ReferralOutcomeReason, SharedDataCategory
from relais_events.vocabulary import ConsentPurpose

from relais_referrals.domain.consent import GiveConsent
from relais_referrals.domain.known_case import KnownCase
from relais_referrals.domain.override import OverrideRequest
from relais_referrals.domain.partner import Partner


@dataclass(frozen=True)
class WithdrawConsent:
    consent_id: str


@dataclass(frozen=True)
class SendReferral:
    referral_id: str
    case: KnownCase
    partner: Partner
    purpose: ConsentPurpose
    data_categories: tuple[SharedDataCategory, ...]
    referrer_org: str
    answer_within: dt.timedelta
    override: OverrideRequest | None = None


@dataclass(frozen=True)
class AcceptReferral:
    referral_id: str
    by_org: str


@dataclass(frozen=True)
class DeclineReferral:
    referral_id: str
    by_org: str
    reason: ReferralOutcomeReason
    text: str | None = None


@dataclass(frozen=True)
class CompleteReferral:
    referral_id: str
    by_org: str


@dataclass(frozen=True)
class WithdrawReferral:
    referral_id: str
    by_org: str
    reason: ReferralOutcomeReason
    text: str | None = None


@dataclass(frozen=True)
class EscalateReferral:
    """Sent by the SLA manager; emits only while the escalation is due (so it is idempotent)."""

    referral_id: str


CaseCommand = (
    GiveConsent
    | WithdrawConsent
    | SendReferral
    | AcceptReferral
    | DeclineReferral
    | CompleteReferral
    | WithdrawReferral
    | EscalateReferral
)
