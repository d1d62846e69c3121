"""The SLA of referrals as the kit's due manager fires it: a referral unanswered within its SLA
is escalated ONCE (``relais_kit.due.manager`` says how, exactly once across workers and crashes).

DOMAIN.md "Referrals and consent": a referral unanswered after its SLA (default 48 hours) raises
an escalation. What is the service's own here:

1. Sending inserts a ``ScheduledEscalation`` for the referral BEFORE its commit
   (``application.referrals.send_referral``).
2. The escalation is still open while the referral awaits an answer (``Referral.
   escalation_due``): answered, withdrawn or escalated already, its entry is dropped. Its firing
   claims ``{_id: "escalation:<referral id>"}`` in ``escalation_firings``.
3. Firing sends ``EscalateReferral`` through the ordinary write path, as the platform's system
   actor. It emits only while the escalation is due, and what it emits ends that.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final

from relais_kit.application import Acting, Clock
from relais_kit.due import DueManager

from relais_referrals.application.ports import ScheduledEscalation
from relais_referrals.application.referrals import answer_referral
from relais_referrals.application.services import ReferralServices
from relais_referrals.application.streams import CASE_REFERRALS, LoadedCase
from relais_referrals.domain.commands import EscalateReferral
from relais_referrals.domain.state import CaseReferrals

SYSTEM_ORG: Final = "relais-referrals"

EscalationManager = DueManager[ScheduledEscalation, CaseReferrals | None]


@dataclass(frozen=True)
class DueEscalations:
    services: ReferralServices
    org: str = SYSTEM_ORG

    @property
    def clock(self) -> Clock:
        return self.services.clock

    async def load(self, entry: ScheduledEscalation) -> LoadedCase:
        return await self.services.write_path.load(CASE_REFERRALS, entry.stream_id)

    def is_open(self, entry: ScheduledEscalation, loaded: LoadedCase, now: dt.datetime) -> bool:
        referral = loaded.state.referral(entry.referral_id) if loaded.state else None
        return referral is not None and referral.escalation_due(now)

    async def fire(self, entry: ScheduledEscalation, loaded: LoadedCase, acting: Acting) -> None:
        assert loaded.subject is not None, "a case's stream names its case"
        command = EscalateReferral(entry.referral_id)
        await answer_referral(loaded.subject, command, services=self.services, acting=acting)
