"""FastAPI dependencies as ``Annotated`` aliases: the services, the acting caller, the purpose."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from relais_events.vocabulary import IDENTIFIER_PATTERN
from relais_events.vocabulary import Role as EventRole
from relais_kit.auth import Principal, ensure_jurisdiction, require
from relais_kit.auth.policy import Policy
from relais_kit.http.problems import ProblemError

from relais_intake.application.execution import Acting
from relais_intake.application.services import IntakeServices
from relais_intake.entrypoints.policy import (
    ASSESS_RISK,
    CLOSE_CASE,
    FILE_REPORT,
    LINK_CASE,
    READ_CASE,
    ROLE_PREFERENCE,
)

_ORG = re.compile(IDENTIFIER_PATTERN)


def intake_services(request: Request) -> IntakeServices:
    services: IntakeServices = request.app.state.intake
    return services


Services = Annotated[IntakeServices, Depends(intake_services)]
Filer = Annotated[Principal, Depends(require(FILE_REPORT))]
Assessor = Annotated[Principal, Depends(require(ASSESS_RISK))]
Closer = Annotated[Principal, Depends(require(CLOSE_CASE))]
Linker = Annotated[Principal, Depends(require(LINK_CASE))]
Reader = Annotated[Principal, Depends(require(READ_CASE))]


def acting(request: Request, principal: Principal, action: str) -> Acting:
    """The caller acting under the most specific role the policy allows for ``action``."""
    policy: Policy = request.app.state.relais_policy
    allowed = policy.roles_for(action)
    role = next(r for r in ROLE_PREFERENCE if r in principal.roles and r in allowed)
    if not _ORG.match(principal.org):
        # Envelopes name the organisation as an identifier; a token must carry a usable one.
        raise ProblemError(403, "Unusable organisation claim", slug="forbidden-org")
    return Acting(sub=principal.sub, role=EventRole(role.value), org=principal.org)


def jurisdiction_of(principal: Principal) -> Callable[[str], None]:
    def authorize(departement: str) -> None:
        ensure_jurisdiction(principal, departement)

    return authorize
