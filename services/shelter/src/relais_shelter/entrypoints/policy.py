"""Who may do what in shelter (DESIGN.md section 6): role x action, default deny.

Shelter operators (gestionnaires d'hébergement) register their sites, declare places, allocate
them, release them and claim nights; a funder's administrator opens envelopes; referrers (the
professionals following a case, and committees) see free places as counts only. Envelopes and
their statements are read by operators, administrators and auditors. The jurisdiction check
comes on top of this table for everyone, and the site's operator check on top of that.
"""

from __future__ import annotations

from typing import Final

from relais_kit.auth import Policy, Role

REGISTER_SITE: Final = "site.register"
DECLARE_CAPACITY: Final = "site.declare_capacity"
ALLOCATE: Final = "allocation.allocate"
RELEASE: Final = "allocation.release"
READ_ALLOCATION: Final = "allocation.read"
CLAIM_NIGHT: Final = "claim.claim"
OPEN_ENVELOPE: Final = "envelope.open"
READ_ENVELOPE: Final = "envelope.read"
READ_AVAILABILITY: Final = "availability.read"

_REFERRERS: Final = {Role.POLICE, Role.HOTLINE, Role.ASSOCIATION, Role.PROSECUTOR}

POLICY: Final = Policy(
    {
        REGISTER_SITE: {Role.SHELTER_OPERATOR},
        DECLARE_CAPACITY: {Role.SHELTER_OPERATOR},
        ALLOCATE: {Role.SHELTER_OPERATOR},
        RELEASE: {Role.SHELTER_OPERATOR},
        READ_ALLOCATION: {Role.SHELTER_OPERATOR},
        CLAIM_NIGHT: {Role.SHELTER_OPERATOR},
        OPEN_ENVELOPE: {Role.ADMIN},
        READ_ENVELOPE: {Role.SHELTER_OPERATOR, Role.ADMIN, Role.AUDITOR},
        READ_AVAILABILITY: {
            *_REFERRERS,
            Role.SHELTER_OPERATOR,
            Role.COMMITTEE_MEMBER,
            Role.ADMIN,
        },
    }
)
