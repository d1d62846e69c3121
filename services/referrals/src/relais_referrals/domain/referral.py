"""One referral and its lifecycle (DOMAIN.md "Referrals and consent").

    sent -> accepted | declined;  accepted -> completed;  sent / accepted -> withdrawn

``ALLOWED`` is that table and nothing else: every transition ``decide`` emits goes through
``check_transition``. An escalation (unanswered after its SLA) is not a state: it is a flag a
``sent`` referral gets once. A decline or a withdrawal names a reason from the closed list;
"other" comes with a text, which is personal data (sealed in ``pii`` by the application).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from relais_events.catalogue.referrals import (
    ReferralOutcomeReason,
    ReferralSent,
    SharedDataCategory,
)
from relais_events.vocabulary import ConsentPurpose, PartnerKind

from relais_referrals.domain import errors


class ReferralStatus(StrEnum):
    SENT = "sent"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"


ALLOWED: Final[Mapping[ReferralStatus, frozenset[ReferralStatus]]] = {
    ReferralStatus.SENT: frozenset(
        {ReferralStatus.ACCEPTED, ReferralStatus.DECLINED, ReferralStatus.WITHDRAWN}
    ),
    ReferralStatus.ACCEPTED: frozenset({ReferralStatus.COMPLETED, ReferralStatus.WITHDRAWN}),
    ReferralStatus.DECLINED: frozenset(),
    ReferralStatus.COMPLETED: frozenset(),
    ReferralStatus.WITHDRAWN: frozenset(),
}
OPEN: Final = frozenset({ReferralStatus.SENT, ReferralStatus.ACCEPTED})


@dataclass(frozen=True)
class Referral:
    referral_id: str
    partner_id: str
    partner_kind: PartnerKind
    purpose: ConsentPurpose
    data_categories: tuple[SharedDataCategory, ...]
    answer_due_by: dt.datetime
    consent_id: str | None = None
    override_id: str | None = None
    referrer_org: str | None = None
    partner_org: str | None = None
    status: ReferralStatus = ReferralStatus.SENT
    escalated: bool = False
    consent_withdrawn: bool = False  # flagged: the consent it was sent under was withdrawn
    reason: ReferralOutcomeReason | None = None

    @classmethod
    def sent(cls, event: ReferralSent) -> Referral:
        return cls(
            referral_id=event.referral_id,
            partner_id=event.partner_id,
            partner_kind=event.partner_kind,
            purpose=event.purpose,
            data_categories=tuple(event.data_categories),
            answer_due_by=event.answer_due_by,
            consent_id=event.consent_id,
            override_id=event.override_id,
            referrer_org=event.referrer_org,
            partner_org=event.partner_org,
        )

    @property
    def is_open(self) -> bool:
        return self.status in OPEN

    def escalation_due(self, now: dt.datetime) -> bool:
        """Unanswered (still ``sent``) at or after its due instant, and not escalated yet: the
        SLA (48 hours by default, DOMAIN.md "Referrals and consent") raises one escalation."""
        return (
            self.status is ReferralStatus.SENT and not self.escalated and now >= self.answer_due_by
        )


def check_transition(referral: Referral, to: ReferralStatus) -> None:
    if to not in ALLOWED[referral.status]:
        raise errors.TransitionNotAllowed(f"{referral.status.value} -> {to.value}")


def check_reason(reason: ReferralOutcomeReason, text: str | None) -> None:
    """The closed list; "other" with a text, and a text with "other" only."""
    written = (text or "").strip()
    if reason is ReferralOutcomeReason.OTHER and not written:
        raise errors.ReasonNeedsText()
    if reason is not ReferralOutcomeReason.OTHER and written:
        raise errors.TextOnlyWithOther(reason.value)


def check_partner(referral: Referral, by_org: str) -> None:
    if referral.partner_org is None or referral.partner_org != by_org:
        raise errors.NotTheAddressedPartner(referral.referral_id)


def check_referrer(referral: Referral, by_org: str) -> None:
    if referral.referrer_org is None or referral.referrer_org != by_org:
        raise errors.NotTheReferrer(referral.referral_id)
