"""FastAPI dependencies: `CurrentPrincipal` (authenticated) and `require(action)` (authorized).

The verifier and the service's `Policy` live on `app.state`, put there by `create_app`.
"""

from __future__ import annotations

from typing import Annotated, Final

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from relais_kit.auth.policy import Policy
from relais_kit.auth.principal import Principal
from relais_kit.auth.tokens import InvalidTokenError, TokenVerifier
from relais_kit.http.problems import ProblemError

_bearer = HTTPBearer(auto_error=False, description="JWT with sub, roles, org, jurisdictions")
# Where a principal verified earlier in the same request is kept (the idempotency middleware).
PRINCIPAL_STATE: Final = "relais_principal"
_CHALLENGE: Final = {"WWW-Authenticate": 'Bearer realm="relais"'}


def _unauthorized(detail: str) -> ProblemError:
    return ProblemError(401, "Unauthorized", detail, slug="unauthorized", headers=_CHALLENGE)


def principal_from_token(request: Request, token: str) -> Principal:
    """Verify once per request; blocking (JWKS fetch), so call it from a thread."""
    cached = getattr(request.state, PRINCIPAL_STATE, None)
    if isinstance(cached, Principal):
        return cached
    verifier: TokenVerifier = request.app.state.relais_verifier
    try:
        principal = verifier.verify(token)
    except InvalidTokenError as exc:
        raise _unauthorized(exc.reason) from exc
    setattr(request.state, PRINCIPAL_STATE, principal)
    return principal


# A plain function: FastAPI runs it in its thread pool, so a JWKS fetch never blocks the loop.
def current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise _unauthorized("a bearer token is required")
    return principal_from_token(request, credentials.credentials)


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


class ActionDependency:
    """A dependency that authorizes one action; `create_app` checks the action is declared."""

    def __init__(self, action: str) -> None:
        self.action = action


class Requirement(ActionDependency):
    """The dependency `require(action)` returns: the caller, authorized for `action`."""

    async def __call__(self, request: Request, principal: CurrentPrincipal) -> Principal:
        policy: Policy = request.app.state.relais_policy
        policy.ensure(principal, self.action)
        return principal


def require(action: str) -> Requirement:
    """Dependency: the caller if a role of theirs may perform `action`, else a 403 problem.

    principal: Annotated[Principal, Depends(require("report.file"))]
    """
    return Requirement(action)
