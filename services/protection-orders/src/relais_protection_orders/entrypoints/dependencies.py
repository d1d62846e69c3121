"""Who may do what (role x action, DOMAIN.md "Who uses it"), and the glue every route shares.

Roles are checked twice on purpose: the policy here refuses a role outright (403), and the domain
names the legal rule when a permitted caller records an act that is not theirs (e.g. a prosecutor
recording a victim's own application: ``OnlyClerkRecordsJudicialActs``).
"""

from __future__ import annotations

import re
from typing import Annotated, cast

from fastapi import Depends, Request
from relais_events.catalogue.timeline import AccessPurpose
from relais_events.vocabulary import IDENTIFIER_PATTERN, Actor
from relais_events.vocabulary import Role as EventRole
from relais_kit.auth import Policy, Principal, Role, ensure_jurisdiction, require
from relais_kit.http.problems import ProblemError
from relais_kit.tracing import current_traceparent

from relais_protection_orders.application.handlers import Guard
from relais_protection_orders.application.reads import Reading
from relais_protection_orders.application.streams import LoadedOrder, OrderNotFound, Provenance
from relais_protection_orders.bootstrap import Service
from relais_protection_orders.domain.commands import Command
from relais_protection_orders.domain.commands import Role as ActingRole
from relais_protection_orders.entrypoints.schemas import OrderOut
from relais_protection_orders.entrypoints.views import order_out

CLERK, PROSECUTOR, POLICE = Role.JUSTICE_CLERK, Role.PROSECUTOR, Role.POLICE
_ORG = re.compile(IDENTIFIER_PATTERN)

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
Applicant = Annotated[Principal, Depends(require("protection_order.apply"))]
Clerk = Annotated[Principal, Depends(require("protection_order.record"))]
Registrar = Annotated[Principal, Depends(require("protection_order.register"))]
OppiRequester = Annotated[Principal, Depends(require("provisional_order.request"))]
OppiDecider = Annotated[Principal, Depends(require("provisional_order.decide"))]
DeviceManager = Annotated[Principal, Depends(require("protective_device.manage"))]
BreachReporter = Annotated[Principal, Depends(require("order_breach.report"))]
Reader = Annotated[Principal, Depends(require("protection_order.read"))]
Lister = Annotated[Principal, Depends(require("protection_order.list"))]


def service(request: Request) -> Service:
    return cast(Service, request.app.state.service)


ServiceDep = Annotated[Service, Depends(service)]


def acting_as(principal: Principal, *preferred: Role) -> ActingRole:
    """The role the caller records this act in: the first of ``preferred`` they hold."""
    role = next((r for r in preferred if r in principal.roles), preferred[0])
    return cast(ActingRole, role.value)


def provenance(
    principal: Principal, role: ActingRole, departement: str | None = None
) -> Provenance:
    actor = Actor(role=EventRole(role), org=principal.org, jurisdiction=departement)
    return Provenance(actor, traceparent=current_traceparent())


# The role a read is logged under when the caller holds several the policy allows.
READ_ROLE_PREFERENCE = (CLERK, PROSECUTOR, POLICE, Role.COMMITTEE_MEMBER)


def reading(principal: Principal, action: str, purpose: AccessPurpose) -> Reading:
    """The caller reading under the most specific role the policy allows for ``action``."""
    allowed = POLICY.roles_for(action)
    role = next(r for r in READ_ROLE_PREFERENCE if r in principal.roles and r in allowed)
    if not _ORG.match(principal.org):
        # The access log names the organisation as an identifier: a token must carry a usable one.
        raise ProblemError(403, "Unusable organisation claim", slug="forbidden-org")
    return Reading(
        sub=principal.sub, role=EventRole(role.value), org=principal.org, purpose=purpose
    )


def in_their_jurisdiction(principal: Principal) -> Guard:
    def guard(order: LoadedOrder) -> None:
        if order.exists:  # a new application's département is checked by its route
            ensure_jurisdiction(principal, order.departement or "")

    return guard


def not_found(order_id: str) -> ProblemError:
    return ProblemError(404, "No such protection order", f"{order_id}", slug="not-found")


async def execute(  # noqa: PLR0917  (one call shape shared by every command route)
    svc: Service,
    principal: Principal,
    order_id: str,
    command: Command,
    role: ActingRole,
    departement: str | None = None,
) -> OrderOut:
    """Run one command through the handler; answer the order as it now stands."""
    try:
        outcome = await svc.handler.handle(
            order_id,
            command,
            provenance(principal, role, departement),
            departement=departement,
            guard=in_their_jurisdiction(principal),
        )
    except OrderNotFound as exc:
        raise not_found(order_id) from exc
    committed = [e.id for e in outcome.envelopes]
    return order_out(outcome.order, svc.handler.clock.now(), committed)
