"""The immediate provisional order (ordonnance provisoire de protection immédiate, OPPI).

Since 17 January 2025 (law no. 2024-536, decree no. 2025-47): C. civ. art. 515-13-1 and CPC
art. 1136-15-1 to 1136-15-4. Part of the ProtectionOrder aggregate: it exists only while the
application is pending and ends with the ruling on it.
"""

from __future__ import annotations

from datetime import datetime
from typing import assert_never

from relais_events.catalogue.protection_orders import (
    Measure,
    ProvisionalEndReason,
    ProvisionalOrderEnded,
    ProvisionalOrderIssued,
    ProvisionalOrderRejected,
    ProvisionalOrderRequested,
)
from relais_events.vocabulary import Role

from relais_protection_orders.domain import errors, procedure
from relais_protection_orders.domain.commands import (
    IssueProvisionalOrder,
    RejectProvisionalOrder,
    RequestProvisionalOrder,
)
from relais_protection_orders.domain.deadlines import DeadlinePolicy
from relais_protection_orders.domain.events import ProtectionOrderEvent
from relais_protection_orders.domain.state import (
    PENDING,
    ProtectionOrder,
    ProvisionalStatus,
    ids,
)

PROVISIONAL_MEASURES = frozenset(
    {
        Measure.NO_CONTACT,  # 515-11 1°
        Measure.NO_PRESENCE_IN_PLACES,  # 1° bis
        Measure.WEAPON_BAN,  # 2°
        Measure.WEAPON_SURRENDER,  # 2° bis
        Measure.VISITING_RIGHTS_SUSPENDED,  # 5°, suspension only
        Measure.ADDRESS_CONCEALMENT,  # 6° and 6° bis
    }
)
"""What an OPPI may order: C. civ. art. 515-13-1 al. 3 (515-11 1° to 2° bis, the suspension of
visiting rights of 5°, and the concealment of the address of 6° and 6° bis)."""

ProvisionalCommand = RequestProvisionalOrder | IssueProvisionalOrder | RejectProvisionalOrder


def _pending_application(state: ProtectionOrder) -> None:
    """An OPPI needs an OP application pending (C. civ. art. 515-13-1 al. 1)."""
    if state.stage not in PENDING:
        raise errors.NoPendingApplication(f"application is {state.stage}")


def _awaiting_decision(state: ProtectionOrder, at: datetime) -> None:
    _pending_application(state)
    if state.provisional is None or state.provisional.status is not ProvisionalStatus.REQUESTED:
        raise errors.NoProvisionalOrderPending()
    procedure.not_before(at, state.provisional.requested_at, "the OPPI request")


def decide_provisional(
    state: ProtectionOrder, command: ProvisionalCommand, now: datetime, policy: DeadlinePolicy
) -> list[ProtectionOrderEvent]:
    """Request, grant or refuse an OPPI."""
    procedure.in_the_past(command.at, now)
    keys = ids(state)
    match command:
        case RequestProvisionalOrder():
            # Only the prosecutor, with the victim's agreement (C. civ. 515-13-1; CPC 1136-15-1).
            procedure.recorded_by(
                command.actor, Role.PROSECUTOR, errors.OnlyProsecutorMayRequestProvisionalOrder
            )
            if not command.victim_agreement:
                raise errors.ProvisionalOrderNeedsAgreement()
            _pending_application(state)
            if state.provisional is not None:
                raise errors.ProvisionalOrderAlreadyRequested()
            procedure.not_before(command.at, state.requested_at, "the OP application")
            due = policy.provisional_decision_due_at(command.at)
            return [ProvisionalOrderRequested(**keys, requested_at=command.at, decision_due_at=due)]
        case IssueProvisionalOrder():
            procedure.recorded_by(
                command.actor, Role.JUSTICE_CLERK, errors.OnlyClerkRecordsJudicialActs
            )
            _awaiting_decision(state, command.at)
            outside = sorted(set(command.measures) - PROVISIONAL_MEASURES)
            if outside:
                raise errors.MeasureNotAllowed(f"not in an OPPI: {', '.join(outside)}")
            return [ProvisionalOrderIssued(**keys, issued_at=command.at, measures=command.measures)]
        case RejectProvisionalOrder():
            procedure.recorded_by(
                command.actor, Role.JUSTICE_CLERK, errors.OnlyClerkRecordsJudicialActs
            )
            _awaiting_decision(state, command.at)
            return [ProvisionalOrderRejected(**keys, rejected_at=command.at)]
        case _:
            assert_never(command)


def end_provisional(
    state: ProtectionOrder, at: datetime, reason: ProvisionalEndReason
) -> list[ProtectionOrderEvent]:
    """An OPPI ends with the ruling on the OP or whatever ends the proceedings, e.g. a lapse
    (C. civ. art. 515-13-1 al. 4): emitted in the same decision as that ruling."""
    if state.provisional is None or not state.provisional.alive:
        return []
    return [ProvisionalOrderEnded(**ids(state), ended_at=at, reason=reason)]
