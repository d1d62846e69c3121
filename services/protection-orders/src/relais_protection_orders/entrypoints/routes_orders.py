"""Commands and the read of one protection order: the judicial steps (C. civ. art. 515-10 to
515-12, CPC art. 1136-3 and following). OPPI, devices and breaches are in ``routes_protection``."""

from __future__ import annotations

from fastapi import APIRouter, status
from relais_events.envelope import new_event_id
from relais_events.vocabulary import Identifier, Role
from relais_kit.http.purpose import Purpose

from relais_protection_orders.application.order_stream import OrderNotFound
from relais_protection_orders.application.reads import read_order
from relais_protection_orders.domain import commands as c
from relais_protection_orders.entrypoints.dependencies import (
    CLERK,
    PROSECUTOR,
    Applicant,
    Clerk,
    Reader,
    Registrar,
    ServiceDep,
    execute,
    not_found,
    recording_as,
)
from relais_protection_orders.entrypoints.schemas import (
    Act,
    ApplicationIn,
    ExtensionIn,
    HearingIn,
    IssuedRulingIn,
    ModificationIn,
    OrderOut,
    RegistrationIn,
    RulingIn,
)
from relais_protection_orders.entrypoints.views import order_out

router = APIRouter(prefix="/v1/protection-orders", tags=["protection orders"])
CLERK_ACT = Role.JUSTICE_CLERK


@router.post("", status_code=status.HTTP_201_CREATED)
async def apply(body: ApplicationIn, svc: ServiceDep, who: Applicant) -> OrderOut:
    """Application (requête) to the JAF: recorded by the clerk, or filed by the prosecutor with
    the victim's agreement (C. civ. art. 515-10)."""
    order_id = body.order_id or f"op-{new_event_id()}"
    prefer = (PROSECUTOR, CLERK) if body.applicant == "prosecutor_with_agreement" else (CLERK,)
    recorder = recording_as(who, *prefer, PROSECUTOR)
    command = c.RequestProtectionOrder(
        order_id=order_id,
        case_id=body.case_id,
        actor=recorder.role,
        applicant=body.applicant,
        victim_agreement=body.victim_agreement,
        at=body.at,
    )
    return await execute(svc, recorder, order_id, command, body.departement)


@router.post("/{order_id}/hearing")
async def schedule_hearing(
    order_id: Identifier, body: HearingIn, svc: ServiceDep, who: Clerk
) -> OrderOut:
    command = c.ScheduleHearing(actor=CLERK_ACT, at=body.at, hearing_at=body.hearing_at)
    return await execute(svc, who.as_role(CLERK_ACT), order_id, command)


@router.post("/{order_id}/service")
async def serve_summons(order_id: Identifier, body: Act, svc: ServiceDep, who: Clerk) -> OrderOut:
    command = c.ServeSummons(actor=CLERK_ACT, at=body.at)
    return await execute(svc, who.as_role(CLERK_ACT), order_id, command)


@router.post("/{order_id}/ruling")
async def rule(order_id: Identifier, body: RulingIn, svc: ServiceDep, who: Clerk) -> OrderOut:
    """The JAF's ruling: issued (measures, duration) or rejected."""
    command: c.Command
    if isinstance(body, IssuedRulingIn):
        command = c.IssueOrder(
            actor=CLERK_ACT,
            at=body.at,
            measures=body.measures,
            duration_months=body.duration_months,
        )
    else:
        command = c.RejectApplication(actor=CLERK_ACT, at=body.at)
    return await execute(svc, who.as_role(CLERK_ACT), order_id, command)


@router.post("/{order_id}/notification")
async def notify(order_id: Identifier, body: Act, svc: ServiceDep, who: Clerk) -> OrderOut:
    command = c.NotifyOrder(actor=CLERK_ACT, at=body.at)
    return await execute(svc, who.as_role(CLERK_ACT), order_id, command)


@router.post("/{order_id}/registrations")
async def register(
    order_id: Identifier, body: RegistrationIn, svc: ServiceDep, who: Registrar
) -> OrderOut:
    command = c.RegisterInNationalFile(actor=Role.PROSECUTOR, at=body.at, file=body.file)
    return await execute(svc, who.as_role(Role.PROSECUTOR), order_id, command)


@router.post("/{order_id}/extension")
async def extend(order_id: Identifier, body: ExtensionIn, svc: ServiceDep, who: Clerk) -> OrderOut:
    command = c.ExtendOrder(
        actor=CLERK_ACT,
        at=body.at,
        ground=body.ground,
        proceedings_filed_at=body.proceedings_filed_at,
        expires_at=body.expires_at,
    )
    return await execute(svc, who.as_role(CLERK_ACT), order_id, command)


@router.post("/{order_id}/modification")
async def modify(
    order_id: Identifier, body: ModificationIn, svc: ServiceDep, who: Clerk
) -> OrderOut:
    command = c.ModifyOrder(actor=CLERK_ACT, at=body.at, measures=body.measures)
    return await execute(svc, who.as_role(CLERK_ACT), order_id, command)


@router.post("/{order_id}/revocation")
async def revoke(order_id: Identifier, body: Act, svc: ServiceDep, who: Clerk) -> OrderOut:
    command = c.RevokeOrder(actor=CLERK_ACT, at=body.at)
    return await execute(svc, who.as_role(CLERK_ACT), order_id, command)


@router.get("/{order_id}")
async def read(order_id: Identifier, svc: ServiceDep, who: Reader, purpose: Purpose) -> OrderOut:
    """The order as it stands, with ``enforceable_now`` (police and committee views), its open
    deadlines and flags. Outside the caller's départements it does not exist for them. The read
    states its purpose (``X-Relais-Purpose`` or ``?purpose=``) and is logged as
    ``access.logged`` before the order is answered; no log, no data."""
    try:
        loaded = await read_order(
            order_id, who, purpose, handler=svc.handler, access_log=svc.access_log
        )
    except OrderNotFound as exc:
        raise not_found(order_id) from exc
    return order_out(loaded, svc.handler.clock.now())
