"""Who is calling: the verified claims of a bearer token (DESIGN.md section 6)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Final

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

# A national scope, honoured only for the roles in NATIONAL_ROLES (see `ensure_jurisdiction`).
NATIONAL: Final = "*"

# Métropole 01-95 (with Corsica 2A/2B instead of 20), overseas 971-976, or the national scope.
Departement = Annotated[
    str, StringConstraints(pattern=r"^(0[1-9]|1\d|2[1-9AB]|[3-8]\d|9[0-5]|97[1-6]|\*)$")
]


class Role(StrEnum):
    """Roles a token may carry; the policy of each service says what each may do."""

    POLICE = "police"
    HOTLINE = "hotline"  # 3919, 114
    ASSOCIATION = "association"  # victim-support associations
    REPORTING_POINT = "reporting_point"  # pharmacy, info point: files reports, reads nothing back
    PROSECUTOR = "prosecutor"  # procureur de la République
    JUSTICE_CLERK = "justice_clerk"  # greffier
    SHELTER_OPERATOR = "shelter_operator"
    COMMITTEE_MEMBER = "committee_member"  # comité local d'aide aux victimes
    AUDITOR = "auditor"
    ADMIN = "admin"


# National bodies: an auditor (inspection, CNIL) or platform admin may hold the "*" scope.
NATIONAL_ROLES: Final = frozenset({Role.AUDITOR, Role.ADMIN})


class Principal(BaseModel):
    """The caller, from verified token claims `sub`, `roles`, `org`, `jurisdictions`."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    sub: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    roles: frozenset[Role] = Field(min_length=1)
    org: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    # Département codes the caller acts for; empty means none (need-to-know: deny).
    jurisdictions: frozenset[Departement] = frozenset()

    def has_role(self, *roles: Role) -> bool:
        return not self.roles.isdisjoint(roles)
