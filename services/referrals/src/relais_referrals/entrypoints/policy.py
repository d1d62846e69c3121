"""Who may do what in referrals (DESIGN.md section 6): role x action, default deny.

The professionals following a case record consent, send and withdraw referrals; partners
(associations of every partner kind, shelter operators) answer them and read their inbox; the
local committee registers the partners of its département (2nd trafficking plan, axis 5: local
partnership conventions belong to the committees) and, like auditors, reads. The jurisdiction
check comes on top of this table for everyone; the override needs an authorised role on top of
``referral.send`` (``domain.override.OVERRIDE_ROLES``).
"""

from __future__ import annotations

from typing import Final

from relais_kit.auth import Policy, Role

REGISTER_PARTNER: Final = "partner.register"
READ_PARTNERS: Final = "partner.read"
RECORD_CONSENT: Final = "consent.record"
READ_CONSENT: Final = "consent.read"
SEND_REFERRAL: Final = "referral.send"
ANSWER_REFERRAL: Final = "referral.answer"
WITHDRAW_REFERRAL: Final = "referral.withdraw"
READ_REFERRALS: Final = "referral.read"
READ_INBOX: Final = "referral.inbox"
READ_OUTBOX: Final = "referral.outbox"

_FOLLOWING: Final = {Role.POLICE, Role.HOTLINE, Role.ASSOCIATION, Role.PROSECUTOR}
_PARTNERS: Final = {Role.ASSOCIATION, Role.SHELTER_OPERATOR}

POLICY: Final = Policy(
    {
        REGISTER_PARTNER: {Role.ADMIN, Role.COMMITTEE_MEMBER},
        READ_PARTNERS: {*_FOLLOWING, *_PARTNERS, Role.COMMITTEE_MEMBER, Role.ADMIN},
        RECORD_CONSENT: _FOLLOWING,
        READ_CONSENT: {*_FOLLOWING, Role.COMMITTEE_MEMBER, Role.AUDITOR},
        SEND_REFERRAL: _FOLLOWING,
        ANSWER_REFERRAL: _PARTNERS,
        WITHDRAW_REFERRAL: _FOLLOWING,
        READ_REFERRALS: {*_FOLLOWING, Role.COMMITTEE_MEMBER, Role.AUDITOR},
        READ_INBOX: _PARTNERS,
        READ_OUTBOX: _FOLLOWING,
    }
)
