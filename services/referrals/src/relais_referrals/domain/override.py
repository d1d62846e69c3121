"""Sharing without consent: the override for a minor or for grave danger.

DOMAIN.md "Referrals and consent": overrides (minor, grave danger) need a justification and are
recorded. DOMAIN.md "Minors", after the 2nd national action plan against trafficking in human
beings (2019-2021), axis 3: a minor victim is protected unconditionally, so consent rules never
block a referral for a minor; the override is recorded. The justification is free text, hence
personal data: the application seals it in the ``consent.overridden`` envelope's ``pii``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, assert_never

from relais_events.catalogue.referrals import OverrideGround
from relais_events.vocabulary import RiskLevel, Role

from relais_referrals.domain import errors
from relais_referrals.domain.known_case import KnownCase

# Who may decide to share without consent: the prosecutor (in charge of minors in danger and
# of the protection-order requests) and police officers (grave danger, in an emergency).
OVERRIDE_ROLES: Final = frozenset({Role.PROSECUTOR, Role.POLICE})
# A written justification is a sentence, not a tick box.
MIN_JUSTIFICATION_CHARS: Final = 15


@dataclass(frozen=True)
class OverrideRequest:
    override_id: str
    ground: OverrideGround
    justification: str | None
    authorised_by: Role  # the role the caller acts in


def check_override(request: OverrideRequest, case: KnownCase) -> None:
    """An authorised role, a written justification, and a ground the case shows."""
    if request.authorised_by not in OVERRIDE_ROLES:
        raise errors.OverrideNotAuthorised(request.authorised_by.value)
    written = (request.justification or "").strip()
    if len(written) < MIN_JUSTIFICATION_CHARS:
        raise errors.OverrideNeedsJustification(f"at least {MIN_JUSTIFICATION_CHARS} characters")
    match request.ground:
        case OverrideGround.MINOR:
            if not case.minor_victim:
                raise errors.OverrideGroundNotEstablished("the case has no minor victim")
        case OverrideGround.GRAVE_DANGER:
            if case.risk_level is not RiskLevel.GRAVE_DANGER:
                raise errors.OverrideGroundNotEstablished("the case is not assessed grave danger")
        case _:
            assert_never(request.ground)
