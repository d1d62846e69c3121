"""How long a partner has to answer a referral before it is escalated.

DOMAIN.md "Referrals and consent": a referral unanswered after its SLA (default 48 hours) raises
an escalation. The duration is a parameter (per partner kind, in the settings): elapsed hours
from the instant the referral was sent, not calendar days, so a referral sent on a Friday
evening is escalated on Sunday evening.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

from relais_events.vocabulary import PartnerKind

DEFAULT_SLA: Final = dt.timedelta(hours=48)


@dataclass(frozen=True)
class SlaPolicy:
    default: dt.timedelta = DEFAULT_SLA
    by_kind: Mapping[PartnerKind, dt.timedelta] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.default <= dt.timedelta(0) or any(
            d <= dt.timedelta(0) for d in self.by_kind.values()
        ):
            raise ValueError("an SLA is a positive duration")

    def answer_within(self, kind: PartnerKind) -> dt.timedelta:
        return self.by_kind.get(kind, self.default)
