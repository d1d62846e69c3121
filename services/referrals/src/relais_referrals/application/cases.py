"""A case as referrals knows it (from intake's events), and how its stream's commands start.

Every command on a case's consents and referrals starts here: the case must be known (learnt
from ``case.opened``), the caller must act for its département (the write path checks it), and
the first event of the commit depends on the last intake event of the case known here, so the
committee timeline places a consent or a referral after the report it follows (DESIGN.md
section 5: causes first).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from relais_events.catalogue import Event
from relais_kit.application import Acting, Committed
from relais_kit.application.write_path import BeforeAppend
from relais_kit.cases import CaseFacts

from relais_referrals.application.services import ReferralServices
from relais_referrals.application.streams import CASE_REFERRALS, stream_id
from relais_referrals.domain import errors
from relais_referrals.domain.case_referrals import decide
from relais_referrals.domain.commands import CaseCommand
from relais_referrals.domain.state import CaseReferrals

Written = Committed[CaseReferrals | None]


async def known_case(services: ReferralServices, case_id: str, acting: Acting) -> CaseFacts:
    """The case's facts; ``CaseNotKnown`` (404, retry) before intake's events reached us, and
    the same for a case of a département the caller does not act for (it does not exist for
    them: the write path would say so too, but only once the case's stream exists)."""
    facts = await services.cases.get(case_id)
    if facts is None or not acting.acts_for(facts.departement):
        raise errors.CaseNotKnown(case_id)
    return facts


async def readable_case(services: ReferralServices, case_id: str, reader: Acting) -> CaseFacts:
    """The case's facts for a read: a case outside the reader's départements does not exist."""
    facts = await services.cases.get(case_id)
    if facts is None or not reader.acts_for(facts.departement):
        raise errors.CaseNotFound(case_id)
    return facts


async def run_on_case(
    services: ReferralServices,
    case: CaseFacts,
    command: CaseCommand,
    *,
    acting: Acting,
    personal_data: Callable[[Event], Mapping[str, Any] | None] | None = None,
    before_append: BeforeAppend[CaseReferrals | None] | None = None,
) -> Written:
    depends_on: Sequence[str] = [case.last_event_id] if case.last_event_id else []
    return await services.write_path.execute(
        CASE_REFERRALS,
        stream_id(case.case_id),
        lambda loaded, now: decide(loaded.state, command, now, case.case_id),
        acting=acting,
        subject=case.case_id,
        jurisdiction=case.departement,
        personal_data=personal_data,
        depends_on=depends_on,
        before_append=before_append,
    )
