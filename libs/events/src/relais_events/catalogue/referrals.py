"""Events of the referrals context: partners, consent and referrals.

Referral states: sent -> accepted | declined; accepted -> completed; sent/accepted -> withdrawn;
unanswered after its SLA (48 hours by default) -> escalated. A justification's text is in ``pii``.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import AwareDatetime, Field

from relais_events import topics
from relais_events.catalogue.base import Event, register
from relais_events.vocabulary import ConsentPurpose, Departement, Identifier, PartnerKind, Role


class OverrideGround(StrEnum):
    MINOR = "minor"  # a minor victim of trafficking is protected unconditionally (plan axis 3)
    GRAVE_DANGER = "grave_danger"


class DeclineReason(StrEnum):
    NO_CAPACITY = "no_capacity"
    OUT_OF_SCOPE = "out_of_scope"
    OUT_OF_AREA = "out_of_area"
    VICTIM_UNREACHABLE = "victim_unreachable"


class ReferralWithdrawalReason(StrEnum):
    CONSENT_WITHDRAWN = "consent_withdrawn"
    NO_LONGER_NEEDED = "no_longer_needed"
    SENT_IN_ERROR = "sent_in_error"


class _Referrals(Event):
    TOPIC = topics.REFERRALS


@register
class PartnerRegistered(_Referrals):
    TYPE = "partner.registered"

    partner_id: Identifier
    kind: PartnerKind
    org: Identifier
    departements: list[Departement] = Field(min_length=1)


@register
class ConsentGiven(_Referrals):
    """Explicit, scoped (partners or partner kinds, purposes) and time-limited consent."""

    TYPE = "consent.given"

    consent_id: Identifier
    case_id: Identifier
    partner_ids: list[Identifier] = Field(default_factory=list)
    partner_kinds: list[PartnerKind] = Field(default_factory=list)
    purposes: list[ConsentPurpose] = Field(min_length=1)
    valid_until: dt.date


@register
class ConsentWithdrawn(_Referrals):
    """Stops new sharing at once."""

    TYPE = "consent.withdrawn"

    consent_id: Identifier
    case_id: Identifier


@register
class ConsentOverridden(_Referrals):
    """Sharing without consent (minor, grave danger), with a justification kept in ``pii``."""

    TYPE = "consent.overridden"

    override_id: Identifier
    case_id: Identifier
    ground: OverrideGround
    authorised_by: Role
    purpose: ConsentPurpose


@register
class ReferralSent(_Referrals):
    TYPE = "referral.sent"

    referral_id: Identifier
    case_id: Identifier
    partner_id: Identifier
    partner_kind: PartnerKind
    purpose: ConsentPurpose
    consent_id: Identifier | None = None
    override_id: Identifier | None = None
    answer_due_by: AwareDatetime


@register
class ReferralAccepted(_Referrals):
    TYPE = "referral.accepted"

    referral_id: Identifier
    case_id: Identifier
    partner_id: Identifier


@register
class ReferralDeclined(_Referrals):
    TYPE = "referral.declined"

    referral_id: Identifier
    case_id: Identifier
    partner_id: Identifier
    reason: DeclineReason


@register
class ReferralCompleted(_Referrals):
    TYPE = "referral.completed"

    referral_id: Identifier
    case_id: Identifier
    partner_id: Identifier


@register
class ReferralWithdrawn(_Referrals):
    TYPE = "referral.withdrawn"

    referral_id: Identifier
    case_id: Identifier
    reason: ReferralWithdrawalReason


@register
class ReferralEscalated(_Referrals):
    """A referral unanswered after its SLA."""

    TYPE = "referral.escalated"

    referral_id: Identifier
    case_id: Identifier
    partner_id: Identifier
    answer_was_due_by: AwareDatetime
