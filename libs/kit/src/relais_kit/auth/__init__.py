"""Authentication (bearer JWT) and authorization (role x action policy, jurisdiction)."""

from relais_kit.auth.dependencies import CurrentPrincipal, current_principal, require
from relais_kit.auth.policy import Policy, ensure_jurisdiction, in_jurisdiction
from relais_kit.auth.principal import NATIONAL, Principal, Role
from relais_kit.auth.tokens import InvalidTokenError, TokenVerifier, mint_dev_token

__all__ = [
    "NATIONAL",
    "CurrentPrincipal",
    "InvalidTokenError",
    "Policy",
    "Principal",
    "Role",
    "TokenVerifier",
    "current_principal",
    "ensure_jurisdiction",
    "in_jurisdiction",
    "mint_dev_token",
    "require",
]
