"""Authorization: a role x action table each service declares, plus the jurisdiction check.

Need-to-know, default deny: an action absent from the table is refused to everyone, and no role
is a superuser. `admin` administers the platform and sees case data only where a service's
table names it; `auditor` likewise. Jurisdiction is checked on top of the role for every role:
the national scope `"*"` in a token counts only for auditors and admins (national bodies), and is
ignored for anyone else, so a mis-issued police token cannot read the whole country.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Final

from relais_kit.auth.principal import NATIONAL, NATIONAL_ROLES, Principal, Role
from relais_kit.http.problems import ProblemError

ACTION_NAME: Final = re.compile(r"^[a-z][a-z_]*(\.[a-z][a-z_]*)+$")


class Policy:
    """Which roles may perform which action, e.g.::

    POLICY = Policy({
        "report.file": {Role.POLICE, Role.HOTLINE, Role.REPORTING_POINT},
        "timeline.read": {Role.COMMITTEE_MEMBER, Role.AUDITOR},
    })
    """

    def __init__(self, rules: Mapping[str, Iterable[Role | str]]) -> None:
        table: dict[str, frozenset[Role]] = {}
        for action, roles in rules.items():
            if not ACTION_NAME.match(action):
                raise ValueError(f"action {action!r} is not named '<resource>.<verb>'")
            table[action] = frozenset(Role(r) for r in roles)
        self._rules: Mapping[str, frozenset[Role]] = table

    @property
    def actions(self) -> frozenset[str]:
        return frozenset(self._rules)

    def roles_for(self, action: str) -> frozenset[Role]:
        return self._rules.get(action, frozenset())

    def allows(self, principal: Principal, action: str) -> bool:
        return not principal.roles.isdisjoint(self.roles_for(action))

    def ensure(self, principal: Principal, action: str) -> None:
        """403 problem unless one of the principal's roles may perform `action`."""
        if not self.allows(principal, action):
            raise ProblemError(
                403,
                "Action not allowed for your role",
                f"Your roles do not allow '{action}'.",
                slug="forbidden-action",
                action=action,
            )


def in_jurisdiction(principal: Principal, departement: str) -> bool:
    if departement in principal.jurisdictions:
        return True
    return NATIONAL in principal.jurisdictions and principal.has_role(*NATIONAL_ROLES)


def ensure_jurisdiction(principal: Principal, departement: str) -> None:
    """403 problem unless the principal acts for `departement` (a département code)."""
    if not in_jurisdiction(principal, departement):
        raise ProblemError(
            403,
            "Outside your jurisdiction",
            "This record belongs to a département you do not act for.",
            slug="forbidden-jurisdiction",
        )
