"""OPPI, protective devices and breaches on an order (C. civ. art. 515-11-1, 515-13-1;
CPP art. 41-3-1)."""

from __future__ import annotations

from fastapi import APIRouter
from relais_events.catalogue.protection_orders import DeviceKind
from relais_events.vocabulary import Identifier, Role

from relais_protection_orders.domain import commands as c
from relais_protection_orders.entrypoints.dependencies import (
    CLERK,
    POLICE,
    PROSECUTOR,
    BreachReporter,
    DeviceManager,
    OppiDecider,
    OppiRequester,
    ServiceDep,
    execute,
    recording_as,
)
from relais_protection_orders.entrypoints.schemas import (
    Act,
    BreachIn,
    DeviceIn,
    IssuedProvisionalIn,
    OrderOut,
    ProvisionalDecisionIn,
    ProvisionalRequestIn,
    WithdrawalIn,
)

router = APIRouter(prefix="/v1/protection-orders", tags=["protection orders"])


@router.post("/{order_id}/provisional-order")
async def request_oppi(
    order_id: Identifier, body: ProvisionalRequestIn, svc: ServiceDep, who: OppiRequester
) -> OrderOut:
    """The prosecutor requests an OPPI with the victim's agreement; decided within 24 hours."""
    command = c.RequestProvisionalOrder(
        actor=Role.PROSECUTOR, at=body.at, victim_agreement=body.victim_agreement
    )
    return await execute(svc, who.as_role(Role.PROSECUTOR), order_id, command)


@router.post("/{order_id}/provisional-order/decision")
async def decide_oppi(
    order_id: Identifier, body: ProvisionalDecisionIn, svc: ServiceDep, who: OppiDecider
) -> OrderOut:
    command: c.Command
    if isinstance(body, IssuedProvisionalIn):
        command = c.IssueProvisionalOrder(actor=CLERK, at=body.at, measures=body.measures)
    else:
        command = c.RejectProvisionalOrder(actor=CLERK, at=body.at)
    return await execute(svc, who.as_role(CLERK), order_id, command)


@router.post("/{order_id}/devices")
async def assign_device(
    order_id: Identifier, body: DeviceIn, svc: ServiceDep, who: DeviceManager
) -> OrderOut:
    phone = body.device is DeviceKind.SERIOUS_DANGER_PHONE
    recorder = recording_as(who, *((PROSECUTOR, CLERK) if phone else (CLERK, PROSECUTOR)))
    command = c.AssignDevice(
        actor=recorder.role,
        at=body.at,
        device_id=body.device_id,
        device=body.device,
        alert_distance_km=body.alert_distance_km,
        victim_consents=body.victim_consents,
        defendant_consents=body.defendant_consents,
    )
    return await execute(svc, recorder, order_id, command)


@router.post("/{order_id}/devices/{device_id}/renewal")
async def renew_device(
    order_id: Identifier, device_id: Identifier, body: Act, svc: ServiceDep, who: DeviceManager
) -> OrderOut:
    recorder = recording_as(who, PROSECUTOR, CLERK)
    command = c.RenewDevice(actor=recorder.role, at=body.at, device_id=device_id)
    return await execute(svc, recorder, order_id, command)


@router.post("/{order_id}/devices/{device_id}/withdrawal")
async def withdraw_device(
    order_id: Identifier,
    device_id: Identifier,
    body: WithdrawalIn,
    svc: ServiceDep,
    who: DeviceManager,
) -> OrderOut:
    loaded = await svc.handler.load(order_id)
    device = loaded.state.device(device_id)
    phone = device is not None and device.kind is DeviceKind.SERIOUS_DANGER_PHONE
    recorder = recording_as(who, *((PROSECUTOR, CLERK) if phone else (CLERK, PROSECUTOR)))
    command = c.WithdrawDevice(
        actor=recorder.role, at=body.at, device_id=device_id, alert_count=body.alert_count
    )
    return await execute(svc, recorder, order_id, command)


@router.post("/{order_id}/breaches")
async def report_breach(
    order_id: Identifier, body: BreachIn, svc: ServiceDep, who: BreachReporter
) -> OrderOut:
    """Police (or the prosecutor) report a breach; it goes on the case timeline."""
    recorder = recording_as(who, POLICE, PROSECUTOR)
    command = c.ReportBreach(
        actor=recorder.role,
        at=body.at,
        breach_id=body.breach_id,
        occurred_at=body.occurred_at,
        device_alert_count=body.device_alert_count,
    )
    return await execute(svc, recorder, order_id, command)
