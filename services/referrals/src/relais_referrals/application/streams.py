"""The two aggregates as the kit's write path runs them: their folds and snapshot shapes.

A partner's stream is its own (subject: the partner id, DESIGN.md section 4). A case's consents
and referrals are ONE stream per case, ``referrals-<case id>``: its envelopes' subject is the
case (the timeline it lands on), its jurisdiction the case's département. The stream id is not
the case id itself: intake's case stream has that one, and an auditor checks chains by stream.
"""

from __future__ import annotations

from typing import Final

from relais_kit.application import Aggregate, Loaded

from relais_referrals.domain.case_referrals import evolve
from relais_referrals.domain.partner import Partner, evolve_partner
from relais_referrals.domain.state import CaseReferrals

PARTNER: Final[Aggregate[Partner | None]] = Aggregate(
    "partner", initial=None, evolve=evolve_partner, state_type=Partner | None
)
CASE_REFERRALS: Final[Aggregate[CaseReferrals | None]] = Aggregate(
    "case_referrals", initial=None, evolve=evolve, state_type=CaseReferrals | None
)

LoadedCase = Loaded[CaseReferrals | None]


def stream_id(case_id: str) -> str:
    return f"referrals-{case_id}"
