"""Commands on an existing case: assess the risk, close it, link it to another case."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from relais_events.catalogue.intake import CaseLinkKind, ClosureReason, LoweringReason, RiskLowered
from relais_events.envelope import new_event_id

from relais_intake.application.execution import Acting, Authorize, Written, decide_and_append
from relais_intake.application.ports import Clock, LinkSuggestions
from relais_intake.application.reports import AssessmentForm
from relais_intake.application.streams import CaseStreams, LoadedCase, Pending
from relais_intake.domain.case import decide
from relais_intake.domain.commands import AssessRisk, CloseCase, LinkCase


async def handle_assess_risk(
    case_id: str,
    form: AssessmentForm,
    *,
    lowering_reason: LoweringReason | None,
    written_reason: str | None,
    streams: CaseStreams,
    acting: Acting,
    clock: Clock,
    authorize: Authorize,
) -> Written:
    """Raise at any time; lower as a reviewer with a reason, the written text sealed in pii."""
    command = AssessRisk(
        case_id=case_id,
        actor_role=acting.role,
        assessment=form.with_id(f"assessment-{new_event_id()}"),
        lowering_reason=lowering_reason,
        has_written_reason=bool(written_reason and written_reason.strip()),
    )

    def decision(loaded: LoadedCase, now: dt.datetime) -> Sequence[Pending]:
        events = decide(loaded.state, command, now)
        pii = {"written_reason": written_reason} if written_reason else None
        return [Pending(e, pii if isinstance(e, RiskLowered) else None) for e in events]

    return await decide_and_append(
        streams, case_id, decision, acting=acting, clock=clock, authorize=authorize
    )


async def handle_close_case(
    case_id: str,
    reason: ClosureReason,
    *,
    streams: CaseStreams,
    suggestions: LinkSuggestions,
    acting: Acting,
    clock: Clock,
    authorize: Authorize,
) -> Written:
    command = CloseCase(case_id=case_id, actor_role=acting.role, reason=reason)

    def decision(loaded: LoadedCase, now: dt.datetime) -> Sequence[Pending]:
        return [Pending(e) for e in decide(loaded.state, command, now)]

    written = await decide_and_append(
        streams, case_id, decision, acting=acting, clock=clock, authorize=authorize
    )
    # A closed case is no longer suggested (DOMAIN.md: suggest links to open cases only).
    await suggestions.remove(written.state.departement, written.state.person_key, case_id)
    return written


async def handle_link_case(
    case_id: str,
    linked_case_id: str,
    link: CaseLinkKind,
    *,
    confirmed: bool,
    streams: CaseStreams,
    acting: Acting,
    clock: Clock,
    authorize: Authorize,
) -> Written:
    """Record a link a user confirmed; the other case's département comes from the store."""
    other = await streams.load_case(linked_case_id)
    command = LinkCase(
        case_id=case_id,
        actor_role=acting.role,
        linked_case_id=linked_case_id,
        link=link,
        confirmed=confirmed,
        linked_departement=other.state.departement if other.state else None,
    )

    def decision(loaded: LoadedCase, now: dt.datetime) -> Sequence[Pending]:
        return [Pending(e) for e in decide(loaded.state, command, now)]

    return await decide_and_append(
        streams, case_id, decision, acting=acting, clock=clock, authorize=authorize
    )
