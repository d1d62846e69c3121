"""Who acts: the caller of a command or a read, as the layers below the HTTP edge see it.

Built from a verified token at the edge (``relais_kit.http.acting``), or ``Acting.system`` for a
process manager. The write path checks the jurisdiction itself (``ensure_sees``) on the
loaded aggregate, so no layer hands a check back up to the one that called it.

Two refusals, on purpose: a caller who names a département they do not act for (to file a
report there, to list its orders) is refused as such (``OutsideJurisdiction``, 403: the
département is theirs to name, nothing is revealed); a caller who names a RECORD of a
département they do not act for is told it does not exist (``NotVisible``, the same 404 as a
missing id), since "outside your jurisdiction" would tell them that the case exists (issue 13).

Every identifier written into an event about a caller goes through ``pseudonym``: kept when it
is a safe identifier (``clav-93-member``), else its SHA-256 as ``sha256-<hex>`` (an e-mail-shaped
``sub``, an ``auth0|...`` subject, an organisation with spaces), which the identity provider can
still match. One format everywhere, so the access logs of every service join on it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Final

from relais_events.vocabulary import IDENTIFIER_PATTERN, Actor, Role

NATIONAL: Final = "*"
# National bodies: an auditor (inspection, CNIL) or a platform admin may hold the "*" scope.
NATIONAL_ROLES: Final = frozenset({Role.AUDITOR, Role.ADMIN})
_IDENTIFIER: Final = re.compile(IDENTIFIER_PATTERN)


def pseudonym(value: str) -> str:
    """``value`` when it is a safe identifier, else ``sha256-`` and its SHA-256 in hex."""
    if _IDENTIFIER.match(value):
        return value
    return "sha256-" + hashlib.sha256(value.encode()).hexdigest()


class OutsideJurisdiction(Exception):  # noqa: N818  (named after what happened)
    """The record belongs to a département the caller does not act for."""

    def __init__(self, departement: str | None) -> None:
        super().__init__(f"not acting for {departement!r}")
        self.departement = departement


class NotVisible(LookupError):  # noqa: N818  (named after what happened)
    """The record exists but not for this caller: answered exactly as a missing one (404)."""

    def __init__(self, departement: str | None) -> None:
        super().__init__(f"not visible outside {departement!r}")
        self.departement = departement


@dataclass(frozen=True)
class Acting:
    """The caller: subject, the ONE role they act in here, organisation, départements."""

    sub: str
    role: Role
    org: str
    jurisdictions: frozenset[str] = frozenset()
    # Every role the token carries (views may depend on more than the acting one).
    roles: frozenset[Role] = field(default=frozenset())

    def __post_init__(self) -> None:
        if not self.roles:
            object.__setattr__(self, "roles", frozenset({self.role}))

    @classmethod
    def system(cls, org: str) -> Acting:
        """A process manager of the platform (deadlines, escalations): acts everywhere."""
        return cls(sub=org, role=Role.SYSTEM, org=org, jurisdictions=frozenset({NATIONAL}))

    @property
    def subject_ref(self) -> str:
        return pseudonym(self.sub)

    @property
    def org_ref(self) -> str:
        return pseudonym(self.org)

    def has_role(self, *roles: Role) -> bool:
        return not self.roles.isdisjoint(roles)

    def acts_for(self, departement: str | None) -> bool:
        """Whether the caller acts for ``departement`` (None: a record outside any)."""
        if self.role is Role.SYSTEM:
            return True
        if departement is None:
            return False
        if departement in self.jurisdictions:
            return True
        return NATIONAL in self.jurisdictions and self.has_role(*NATIONAL_ROLES)

    def ensure_acts_for(self, departement: str | None) -> None:
        if not self.acts_for(departement):
            raise OutsideJurisdiction(departement)

    def ensure_sees(self, departement: str | None) -> None:
        """For a record that exists: ``NotVisible`` (not found) unless the caller acts for it."""
        if not self.acts_for(departement):
            raise NotVisible(departement)

    def departements(self) -> list[str]:
        """The département codes the caller acts for, national scope left out, sorted."""
        return sorted(d for d in self.jurisdictions if d != NATIONAL)

    def actor(self, jurisdiction: str | None) -> Actor:
        """How the envelope names the caller: role and organisation, never a name."""
        return Actor(role=self.role, org=self.org_ref, jurisdiction=jurisdiction)

    def as_role(self, role: Role) -> Acting:
        return Acting(self.sub, role, self.org, self.jurisdictions, self.roles)
