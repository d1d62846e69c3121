"""Events of the referrals context: partners, consent and referrals.

Referral states: sent -> accepted | declined; accepted -> completed; sent/accepted -> withdrawn;
unanswered after its SLA (48 hours by default) -> escalated. Free text is personal data: a
justification's text, or the text that goes with the reason "other", is in ``pii``, never here.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from pydantic import AwareDatetime, Field

from relais_events import topics
from relais_events.catalogue.base import Event, register
from relais_events.upcasting import upcaster
from relais_events.vocabulary import ConsentPurpose, Departement, Identifier, PartnerKind, Role


class OverrideGround(StrEnum):
    MINOR = "minor"  # a minor victim of trafficking is protected unconditionally (plan axis 3)
    GRAVE_DANGER = "grave_danger"


class SharedDataCategory(StrEnum):
    """What of a case a referral shares, and a consent allows sharing (GDPR art. 5(1)(c):
    the minimum; health and offence data are special categories, art. 9 and 10)."""

    IDENTITY = "identity"
    CONTACT = "contact"
    SITUATION = "situation"  # what happened, as the referrer summarises it
    RISK_ASSESSMENT = "risk_assessment"
    CHILDREN = "children"
    LEGAL_PROCEEDINGS = "legal_proceedings"
    HEALTH = "health"


class ReferralOutcomeReason(StrEnum):
    """The closed list a decline or a withdrawal names (issue 12); "other" comes with a text,
    sealed in ``pii``."""

    NO_CAPACITY = "no_capacity"
    NOT_ELIGIBLE = "not_eligible"
    PERSON_DECLINED = "person_declined"
    UNREACHABLE = "unreachable"
    OTHER = "other"


class DeclineReason(StrEnum):
    """v1's reasons for a decline, kept to read v1 records (``ReferralDeclined.v1_reason``)."""

    NO_CAPACITY = "no_capacity"
    OUT_OF_SCOPE = "out_of_scope"
    OUT_OF_AREA = "out_of_area"
    VICTIM_UNREACHABLE = "victim_unreachable"


class ReferralWithdrawalReason(StrEnum):
    """v1's reasons for a withdrawal, kept to read v1 records (``ReferralWithdrawn.v1_reason``)."""

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
    valid_until: dt.date  # the last day it covers, in Europe/Paris civil time
    # Empty in records written before categories were recorded: they then cover none.
    data_categories: list[SharedDataCategory] = Field(default_factory=list)


@register
class ConsentWithdrawn(_Referrals):
    """Stops new sharing at once; the referrals still open under it are flagged."""

    TYPE = "consent.withdrawn"

    consent_id: Identifier
    case_id: Identifier
    flagged_referral_ids: list[Identifier] = Field(default_factory=list)


@register
class ConsentOverridden(_Referrals):
    """Sharing without consent (minor, grave danger), with a justification kept in ``pii``."""

    TYPE = "consent.overridden"

    override_id: Identifier
    case_id: Identifier
    ground: OverrideGround
    authorised_by: Role
    purpose: ConsentPurpose
    partner_id: Identifier | None = None
    data_categories: list[SharedDataCategory] = Field(default_factory=list)


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
    data_categories: list[SharedDataCategory] = Field(default_factory=list)
    referrer_org: Identifier | None = None  # whose outbox the outcome goes back to
    partner_org: Identifier | None = None  # whose members answer it


@register
class ReferralAccepted(_Referrals):
    TYPE = "referral.accepted"

    referral_id: Identifier
    case_id: Identifier
    partner_id: Identifier


@register
class ReferralDeclinedV1(_Referrals):
    """Kept to read v1 records, whose reasons were not the closed list of v2."""

    TYPE = "referral.declined"
    VERSION = 1

    referral_id: Identifier
    case_id: Identifier
    partner_id: Identifier
    reason: DeclineReason


@register
class ReferralDeclined(_Referrals):
    """The partner declines (v2): a reason from the closed list; the text of "other" in ``pii``."""

    TYPE = "referral.declined"
    VERSION = 2

    referral_id: Identifier
    case_id: Identifier
    partner_id: Identifier
    reason: ReferralOutcomeReason
    v1_reason: DeclineReason | None = None  # what a v1 record said, when it was one


_DECLINE_V1_TO_V2 = {
    DeclineReason.NO_CAPACITY: ReferralOutcomeReason.NO_CAPACITY,
    DeclineReason.OUT_OF_SCOPE: ReferralOutcomeReason.NOT_ELIGIBLE,
    DeclineReason.OUT_OF_AREA: ReferralOutcomeReason.NOT_ELIGIBLE,
    DeclineReason.VICTIM_UNREACHABLE: ReferralOutcomeReason.UNREACHABLE,
}


@upcaster("referral.declined", 1)
def _referral_declined_v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    # The old reason is kept as it was: the mapping to the closed list loses detail.
    old = DeclineReason(data["reason"])
    return {**data, "reason": _DECLINE_V1_TO_V2[old].value, "v1_reason": old.value}


@register
class ReferralCompleted(_Referrals):
    TYPE = "referral.completed"

    referral_id: Identifier
    case_id: Identifier
    partner_id: Identifier


@register
class ReferralWithdrawnV1(_Referrals):
    """Kept to read v1 records, whose reasons were not the closed list of v2."""

    TYPE = "referral.withdrawn"
    VERSION = 1

    referral_id: Identifier
    case_id: Identifier
    reason: ReferralWithdrawalReason


@register
class ReferralWithdrawn(_Referrals):
    """The referrer withdraws (v2): a reason from the closed list; the text of "other" in
    ``pii``."""

    TYPE = "referral.withdrawn"
    VERSION = 2

    referral_id: Identifier
    case_id: Identifier
    reason: ReferralOutcomeReason
    v1_reason: ReferralWithdrawalReason | None = None  # what a v1 record said, when it was one


_WITHDRAWAL_V1_TO_V2 = {
    ReferralWithdrawalReason.CONSENT_WITHDRAWN: ReferralOutcomeReason.PERSON_DECLINED,
    ReferralWithdrawalReason.NO_LONGER_NEEDED: ReferralOutcomeReason.OTHER,
    ReferralWithdrawalReason.SENT_IN_ERROR: ReferralOutcomeReason.OTHER,
}


@upcaster("referral.withdrawn", 1)
def _referral_withdrawn_v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    old = ReferralWithdrawalReason(data["reason"])
    return {**data, "reason": _WITHDRAWAL_V1_TO_V2[old].value, "v1_reason": old.value}


@register
class ReferralEscalated(_Referrals):
    """A referral unanswered after its SLA."""

    TYPE = "referral.escalated"

    referral_id: Identifier
    case_id: Identifier
    partner_id: Identifier
    answer_was_due_by: AwareDatetime
