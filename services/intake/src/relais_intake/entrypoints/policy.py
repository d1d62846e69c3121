"""Who may do what in intake (DESIGN.md section 6): role x action, default deny.

Reporting points (pharmacies, info points) file and read nothing back. Case reads are for the
professionals following the case, the local committee, and auditors; the jurisdiction check
comes on top of this table for every one of them.
"""

from __future__ import annotations

from typing import Final

from relais_kit.auth import Policy, Role

FILE_REPORT: Final = "report.file"
ASSESS_RISK: Final = "risk.assess"
CLOSE_CASE: Final = "case.close"
LINK_CASE: Final = "case.link"
READ_CASE: Final = "case.read"
ERASE_CASE: Final = "case.erase"

_FOLLOWING: Final = {Role.POLICE, Role.HOTLINE, Role.ASSOCIATION, Role.PROSECUTOR}

POLICY: Final = Policy(
    {
        FILE_REPORT: {*_FOLLOWING, Role.REPORTING_POINT, Role.JUSTICE_CLERK},
        # Anyone following the case assesses; lowering is for the reviewer role (domain/risk.py).
        ASSESS_RISK: {*_FOLLOWING, Role.COMMITTEE_MEMBER, Role.RISK_REVIEWER},
        CLOSE_CASE: _FOLLOWING,
        LINK_CASE: {*_FOLLOWING, Role.COMMITTEE_MEMBER},
        READ_CASE: {*_FOLLOWING, Role.JUSTICE_CLERK, Role.COMMITTEE_MEMBER, Role.AUDITOR},
        # Erasure (GDPR art. 17) is the platform administrator's, on a request checked by the
        # data protection officer; nobody following the case shreds its data.
        ERASE_CASE: {Role.ADMIN},
    }
)
