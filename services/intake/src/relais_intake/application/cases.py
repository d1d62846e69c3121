"""Commands on an existing case: assess the risk, close it, link it to another case."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from relais_events.catalogue import Event
from relais_events.catalogue.intake import (
    CaseLinkKind,
    ClosureReason,
    ErasureBasis,
    LoweringReason,
    RiskLowered,
)
from relais_events.envelope import new_event_id
from relais_kit.application import Acting, Committed

from relais_intake.application.case_stream import CASE
from relais_intake.application.reports import AssessmentForm
from relais_intake.application.services import IntakeServices
from relais_intake.domain.case import CaseState, CaseStatus, decide
from relais_intake.domain.commands import AssessRisk, CaseCommand, CloseCase, EraseCase, LinkCase
from relais_intake.domain.errors import CaseNotFound
from relais_intake.domain.risk import REVIEWER

Written = Committed[CaseState | None]


async def handle_assess_risk(
    case_id: str,
    form: AssessmentForm,
    *,
    lowering_reason: LoweringReason | None,
    written_reason: str | None,
    services: IntakeServices,
    acting: Acting,
) -> Written:
    """Raise at any time; lower as a reviewer with a reason, the written text sealed in pii.

    The assessor is named by the pseudonym the access log uses (``Acting.subject_ref``). The
    kit acts in ONE role per action (a police officer who also reviews acts as police): a
    request that gives a lowering reason is a review, so a caller holding the reviewer role
    acts in it, and the envelopes name the role the review was made in."""
    holds_reviewer_role = acting.has_role(REVIEWER)
    if holds_reviewer_role and lowering_reason is not None:
        acting = acting.as_role(REVIEWER)
    command = AssessRisk(
        case_id=case_id,
        actor_role=acting.role,
        assessment=form.with_id(f"assessment-{new_event_id()}", acting.subject_ref),
        holds_reviewer_role=holds_reviewer_role,
        lowering_reason=lowering_reason,
        has_written_reason=bool(written_reason and written_reason.strip()),
    )
    pii = {"written_reason": written_reason} if written_reason else None

    def personal_data(event: Event) -> Mapping[str, Any] | None:
        return pii if isinstance(event, RiskLowered) else None

    return await _execute(services, case_id, command, acting, personal_data)


async def handle_close_case(
    case_id: str, reason: ClosureReason, *, services: IntakeServices, acting: Acting
) -> Written:
    command = CloseCase(case_id=case_id, actor_role=acting.role, reason=reason)
    written = await _execute(services, case_id, command, acting)
    state = written.state
    assert state is not None
    # A closed case is no longer suggested (DOMAIN.md: suggest links to open cases only).
    await services.suggestions.remove(case_id)
    return written


async def handle_erase_case(
    case_id: str, basis: ErasureBasis, *, services: IntakeServices, acting: Acting
) -> Written:
    """Crypto-shredding (DOMAIN.md "Data protection", GDPR art. 17): the case's data key goes,
    so every sealed ``pii`` of the case, in every copy of the log, can no longer be opened;
    then ``case.erased`` tells every service holding a copy to drop it, and intake forgets the
    case's person key. The log itself is untouched, so ``relais-audit verify`` still passes.

    The key is shredded and the person key forgotten before the event is committed: a crash in
    between leaves the data erased and the request to retry (the event is then written), never
    a ``case.erased`` whose key survived. The case must exist for the caller first (nothing is
    shredded for a case they cannot see), and an erased case is erased once
    (``CaseAlreadyErased``).
    """
    loaded = await services.write_path.load(CASE, case_id)
    if loaded.state is None:
        raise CaseNotFound(case_id)
    acting.ensure_sees(loaded.jurisdiction)
    command = EraseCase(case_id=case_id, actor_role=acting.role, basis=basis)
    if loaded.state.status is not CaseStatus.ERASED:
        await services.keys.shred(case_id)
    await services.suggestions.forget(case_id)
    return await _execute(services, case_id, command, acting)


async def handle_link_case(
    case_id: str,
    linked_case_id: str,
    link: CaseLinkKind,
    *,
    confirmed: bool,
    services: IntakeServices,
    acting: Acting,
) -> Written:
    """Record a link a user confirmed; the other case's département comes from the store.

    A case of a département the caller does not act for is not found, as a missing one: a
    distinct "across départements" answer would confirm it exists (issue 13)."""
    other = await services.write_path.load(CASE, linked_case_id)
    seen = other.state is not None and acting.acts_for(other.state.departement)
    command = LinkCase(
        case_id=case_id,
        actor_role=acting.role,
        linked_case_id=linked_case_id,
        link=link,
        confirmed=confirmed,
        linked_departement=other.state.departement if other.state and seen else None,
    )
    return await _execute(services, case_id, command, acting)


async def _execute(
    services: IntakeServices,
    case_id: str,
    command: CaseCommand,
    acting: Acting,
    personal_data: Any = None,
) -> Written:
    return await services.write_path.execute(
        CASE,
        case_id,
        lambda loaded, now: decide(loaded.state, command, now),
        acting=acting,
        personal_data=personal_data,
    )
