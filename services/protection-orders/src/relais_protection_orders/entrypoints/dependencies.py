"""Who may do what (role x action, DOMAIN.md "Who uses it"), and the glue every route shares.

Roles are checked twice on purpose: the policy here refuses a role outright (403), and the domain
names the legal rule when a permitted caller records an act that is not theirs (e.g. a prosecutor
recording a victim's own application: ``OnlyClerkRecordsJudicialActs``).
"""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import Depends, Request
from relais_kit.application import Acting
from relais_kit.auth import Policy, Role
from relais_kit.http.acting import acting
from relais_kit.http.problems import ProblemError

from relais_protection_orders.application.order_stream import OrderNotFound
from relais_protection_orders.bootstrap import Service
from relais_protection_orders.domain.commands import Command
from relais_protection_orders.entrypoints.schemas import OrderOut
from relais_protection_orders.entrypoints.views import order_out

CLERK, PROSECUTOR, POLICE = Role.JUSTICE_CLERK, Role.PROSECUTOR, Role.POLICE

POLICY = Policy(
    {
        "protection_order.apply": {CLERK, PROSECUTOR},  # victim's requête / prosecutor's own
        "protection_order.record": {CLERK},  # hearing, service, rulings, notification, ...
        "protection_order.register": {PROSECUTOR},  # FPR / FINIADA
        "provisional_order.request": {PROSECUTOR},  # OPPI, C. civ. art. 515-13-1
        "provisional_order.decide": {CLERK},  # records the JAF's decision
        "protective_device.manage": {CLERK, PROSECUTOR},  # bracelet (JAF) / phone (prosecutor)
        "order_breach.report": {POLICE, PROSECUTOR},
        "protection_order.read": {CLERK, PROSECUTOR, POLICE, Role.COMMITTEE_MEMBER},
        "protection_order.list": {CLERK, PROSECUTOR, Role.COMMITTEE_MEMBER},
    }
)


# The caller, authorized for one action of the policy (403 problem otherwise).
Applicant = Annotated[Acting, Depends(acting("protection_order.apply"))]
Clerk = Annotated[Acting, Depends(acting("protection_order.record"))]
Registrar = Annotated[Acting, Depends(acting("protection_order.register"))]
OppiRequester = Annotated[Acting, Depends(acting("provisional_order.request"))]
OppiDecider = Annotated[Acting, Depends(acting("provisional_order.decide"))]
DeviceManager = Annotated[Acting, Depends(acting("protective_device.manage"))]
BreachReporter = Annotated[Acting, Depends(acting("order_breach.report"))]
Reader = Annotated[Acting, Depends(acting("protection_order.read"))]
Lister = Annotated[Acting, Depends(acting("protection_order.list"))]


def service(request: Request) -> Service:
    return cast(Service, request.app.state.service)


ServiceDep = Annotated[Service, Depends(service)]


def recording_as(who: Acting, *preferred: Role) -> Acting:
    """The caller recording this act in the first of ``preferred`` they hold."""
    return who.as_role(next((r for r in preferred if r in who.roles), preferred[0]))


def not_found(order_id: str) -> ProblemError:
    return ProblemError(404, "No such protection order", f"{order_id}", slug="not-found")


async def execute(
    svc: Service,
    who: Acting,
    order_id: str,
    command: Command,
    departement: str | None = None,
) -> OrderOut:
    """Run one command through the handler; answer the order as it now stands."""
    try:
        outcome = await svc.handler.handle(order_id, command, who, departement=departement)
    except OrderNotFound as exc:
        raise not_found(order_id) from exc
    return order_out(outcome.loaded, svc.handler.clock.now(), list(outcome.event_ids))
