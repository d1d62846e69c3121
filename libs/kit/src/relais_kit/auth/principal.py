"""Who is calling: the verified claims of a bearer token (DESIGN.md section 6).

``Role`` is the one vocabulary of roles (``relais_events.vocabulary``), shared by tokens, policies
and envelopes.
"""

from __future__ import annotations

from typing import Annotated, Final

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator
from relais_events.vocabulary import Role

# The national scope "*", honoured only for the roles in NATIONAL_ROLES (``Acting.acts_for``).
from relais_kit.application.acting import NATIONAL, NATIONAL_ROLES

# Métropole 01-95 (with Corsica 2A/2B instead of 20), overseas 971-976, or the national scope.
Departement = Annotated[
    str, StringConstraints(pattern=r"^(0[1-9]|1\d|2[1-9AB]|[3-8]\d|9[0-5]|97[1-6]|\*)$")
]


# Roles a person's token may carry: ``system`` names the platform's own process managers only.
TOKEN_ROLES: Final = frozenset(r for r in Role if r is not Role.SYSTEM)


__all__ = ["NATIONAL", "NATIONAL_ROLES", "TOKEN_ROLES", "Departement", "Principal", "Role"]


class Principal(BaseModel):
    """The caller, from verified token claims `sub`, `roles`, `org`, `jurisdictions`."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    sub: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    roles: frozenset[Role] = Field(min_length=1)
    org: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    # Département codes the caller acts for; empty means none (need-to-know: deny).
    jurisdictions: frozenset[Departement] = frozenset()

    @field_validator("roles")
    @classmethod
    def _people_only(cls, roles: frozenset[Role]) -> frozenset[Role]:
        if Role.SYSTEM in roles:
            raise ValueError("no token may claim the system role")
        return roles

    def has_role(self, *roles: Role) -> bool:
        return not self.roles.isdisjoint(roles)
