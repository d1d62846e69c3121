"""The caller as the application layer sees it: ``Acting``, built once at the HTTP edge.

    Filer = Annotated[Acting, Depends(acting("report.file"))]

authorizes the action (403 otherwise, as ``require``) and picks the ONE role the caller acts in:
the first of ``ROLE_PREFERENCE`` that the caller holds and the policy allows for the action (a
token may carry several; the envelope names one, and rules such as "who lowers a risk level"
read it). The route then names the action once, in its dependency.
"""

from __future__ import annotations

from typing import Final

from fastapi import Request
from relais_events.vocabulary import Role

from relais_kit.application.acting import Acting
from relais_kit.auth.dependencies import ActionDependency, CurrentPrincipal
from relais_kit.auth.policy import Policy
from relais_kit.auth.principal import Principal

# Most specific first: a prosecutor who is also a committee member acts as the prosecutor.
ROLE_PREFERENCE: Final = (
    Role.PROSECUTOR,
    Role.JUSTICE_CLERK,
    Role.POLICE,
    Role.RISK_REVIEWER,
    Role.SHELTER_OPERATOR,
    Role.COMMITTEE_MEMBER,
    Role.HOTLINE,
    Role.ASSOCIATION,
    Role.AUDITOR,
    Role.REPORTING_POINT,
    Role.ADMIN,
)


def acting_from(principal: Principal, allowed: frozenset[Role]) -> Acting:
    role = next(r for r in ROLE_PREFERENCE if r in principal.roles and r in allowed)
    return Acting(
        sub=principal.sub,
        role=role,
        org=principal.org,
        jurisdictions=frozenset(principal.jurisdictions),
        roles=principal.roles,
    )


class ActingFor(ActionDependency):
    """``require(action)``, answering the caller as ``Acting`` in the role chosen for it."""

    async def __call__(self, request: Request, principal: CurrentPrincipal) -> Acting:
        policy: Policy = request.app.state.relais_policy
        policy.ensure(principal, self.action)
        return acting_from(principal, policy.roles_for(self.action))


def acting(action: str) -> ActingFor:
    return ActingFor(action)
