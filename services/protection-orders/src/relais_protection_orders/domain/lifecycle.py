"""The steps of a protection order (ordonnance de protection), one function per step.

C. civ. art. 515-10 to 515-12; CPC art. 1136-3 and 1136-7. Called by ``protection_order.decide``.
"""

from __future__ import annotations

from datetime import datetime

from relais_events.catalogue.protection_orders import (
    ApplicantKind,
    Measure,
    ProtectionOrderHearingScheduled,
    ProtectionOrderIssued,
    ProtectionOrderRejected,
    ProtectionOrderRequested,
    ProtectionOrderSummonsServed,
    ProvisionalEndReason,
)
from relais_events.vocabulary import Role

from relais_protection_orders.domain import errors, procedure
from relais_protection_orders.domain.commands import (
    IssueOrder,
    RejectApplication,
    RequestProtectionOrder,
    ScheduleHearing,
    ServeSummons,
)
from relais_protection_orders.domain.deadlines import DeadlinePolicy
from relais_protection_orders.domain.events import ProtectionOrderEvent
from relais_protection_orders.domain.provisional_order import end_provisional
from relais_protection_orders.domain.state import (
    ProtectionOrder,
    Stage,
    ids,
)

CLERK: Role = Role.JUSTICE_CLERK


def _clerk(command: ScheduleHearing | ServeSummons | IssueOrder | RejectApplication) -> None:
    procedure.recorded_by(command.actor, CLERK, errors.OnlyClerkRecordsJudicialActs)


def request(
    state: ProtectionOrder, command: RequestProtectionOrder, now: datetime
) -> list[ProtectionOrderEvent]:
    """Application by the victim, or by the prosecutor with the victim's agreement (C. civ.
    art. 515-10). The clerk records a victim's application; the prosecutor files their own."""
    procedure.in_the_past(command.at, now)
    if state.stage is not Stage.NONE:
        raise errors.ApplicationAlreadyFiled()
    if command.applicant is ApplicantKind.PROSECUTOR_WITH_AGREEMENT:
        procedure.recorded_by(
            command.actor, Role.PROSECUTOR, errors.OnlyProsecutorMayApplyForVictim
        )
        if not command.victim_agreement:
            raise errors.ProsecutorApplicationNeedsAgreement()
    else:
        procedure.recorded_by(command.actor, CLERK, errors.OnlyClerkRecordsJudicialActs)
    return [
        ProtectionOrderRequested(
            order_id=command.order_id,
            case_id=command.case_id,
            applicant=command.applicant,
            requested_at=command.at,
        )
    ]


def schedule_hearing(
    state: ProtectionOrder, command: ScheduleHearing, now: datetime, policy: DeadlinePolicy
) -> list[ProtectionOrderEvent]:
    """The judge fixes the hearing date at once (C. civ. 515-10); from that order run the 2-day
    service (CPC 1136-3, art. 642 extension) and the 6-day ruling target (C. civ. 515-11)."""
    _clerk(command)
    procedure.in_the_past(command.at, now)
    procedure.still_open(state, command.at)
    if state.stage is not Stage.REQUESTED:
        raise errors.HearingAlreadyScheduled()
    if state.requested_at is not None and command.at < state.requested_at:
        raise errors.RulingBeforeApplication("hearing fixed before the application")
    procedure.not_before(command.hearing_at, command.at, "the order fixing it")
    return [
        ProtectionOrderHearingScheduled(
            **ids(state),
            scheduled_at=command.at,
            hearing_at=command.hearing_at,
            service_due_at=policy.service_due_at(command.at),
            ruling_due_at=policy.ruling_due_at(command.at),
        )
    ]


def serve_summons(
    state: ProtectionOrder, command: ServeSummons, now: datetime
) -> list[ProtectionOrderEvent]:
    """Service on the defendant, before the ruling and within the 2 days (CPC art. 1136-3). A
    service dated at or after ``service_due_at`` is refused as lapsed. The clerk may record a
    service after the ruling (grant or rejection) it preceded, which stays; a service dated in
    time but recorded after the lapse fired annuls the lapse (``late_acts``)."""
    _clerk(command)
    procedure.in_the_past(command.at, now)
    if state.stage not in (Stage.ISSUED, Stage.REJECTED):  # else dated before it, or refused
        procedure.still_open(state, command.at)
    if state.stage is Stage.REQUESTED:
        raise errors.NoHearingScheduled()
    if state.ruled_at is not None and command.at >= state.ruled_at:
        raise errors.ServiceAfterRuling(f"ruled at {state.ruled_at.isoformat()}")
    if state.served_at is not None:
        raise errors.SummonsAlreadyServed()
    procedure.not_before(command.at, state.hearing_fixed_at, "the order fixing the hearing")
    if state.service_due_at is not None and command.at >= state.service_due_at:
        raise errors.OrderLapsed.after(state.service_due_at)
    return [ProtectionOrderSummonsServed(**ids(state), served_at=command.at)]


def _ruling_allowed(state: ProtectionOrder, at: datetime) -> None:
    """One ruling per application, after the application and any service, before a lapse."""
    procedure.still_open(state, at)
    if state.stage is Stage.ISSUED:
        raise errors.OrderAlreadyRuled("two active orders for one application")
    if state.stage is Stage.REQUESTED:
        raise errors.NoHearingScheduled()
    for before in (state.requested_at, state.hearing_fixed_at):
        if before is not None and at < before:
            raise errors.RulingBeforeApplication(f"ruling dated {at.isoformat()}")
    if state.served_at is not None and at < state.served_at:
        raise errors.ServiceAfterRuling()
    due = state.service_due_at
    if state.stage is Stage.HEARING_SCHEDULED and due is not None and at >= due:
        raise errors.OrderLapsed.after(due)


def measures_consistent(measures: frozenset[Measure]) -> None:
    """A bracelet enforces a no-contact ban (C. civ. art. 515-11-1)."""
    if Measure.ANTI_APPROACH_BRACELET in measures and Measure.NO_CONTACT not in measures:
        raise errors.BraceletNeedsNoContactAndConsent("bracelet without a no-contact measure")


def issue(
    state: ProtectionOrder, command: IssueOrder, now: datetime, policy: DeadlinePolicy
) -> list[ProtectionOrderEvent]:
    """Grant the order: measures from the closed list of C. civ. 515-11, a duration of at most 12
    months (6 before 15 June 2024: C. civ. 515-12, law no. 2024-536). Ends any OPPI."""
    _clerk(command)
    procedure.in_the_past(command.at, now)
    _ruling_allowed(state, command.at)
    maximum = policy.max_duration_months(command.at)
    if command.duration_months > maximum:
        raise errors.DurationOverMaximum(f"{command.duration_months} > {maximum} months")
    measures_consistent(frozenset(command.measures))
    issued = ProtectionOrderIssued(
        **ids(state),
        issued_at=command.at,
        measures=command.measures,
        duration_months=command.duration_months,
        notification_due_at=policy.notification_flag_at(command.at),
        registration_due_at=policy.registration_flag_at(command.at),
    )
    return [issued, *end_provisional(state, command.at, ProvisionalEndReason.RULING_RECORDED)]


def reject(
    state: ProtectionOrder, command: RejectApplication, now: datetime
) -> list[ProtectionOrderEvent]:
    """Dismiss the application. Ends any OPPI (C. civ. art. 515-13-1 al. 4)."""
    _clerk(command)
    procedure.in_the_past(command.at, now)
    _ruling_allowed(state, command.at)
    rejected = ProtectionOrderRejected(**ids(state), rejected_at=command.at)
    return [rejected, *end_provisional(state, command.at, ProvisionalEndReason.RULING_RECORDED)]
