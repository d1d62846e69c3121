"""Checks shared by every step of the procedure: who records it, when, and on what order."""

from __future__ import annotations

from datetime import datetime

from relais_events.vocabulary import Role

from relais_protection_orders.domain import errors
from relais_protection_orders.domain.state import ProtectionOrder, Stage


def recorded_by(
    actor: Role, expected: Role, error: type[errors.ProtectionOrderRuleViolated]
) -> None:
    """The role that records a step is set by the rule behind ``error``."""
    if actor != expected:
        raise error(f"recorded by {actor}, expected {expected}")


def in_the_past(at: datetime, now: datetime) -> None:
    """An act is recorded once it has taken place (``at <= now``)."""
    if at > now:
        raise errors.ActDatedInFuture(f"{at.isoformat()} > {now.isoformat()}")


def not_before(at: datetime, previous: datetime | None, what: str) -> None:
    """A step cannot be dated before the step it follows."""
    if previous is not None and at < previous:
        raise errors.ActBeforePreviousStep(f"dated before {what}")


def still_open(state: ProtectionOrder, at: datetime) -> None:
    """No action on a lapsed, rejected, revoked or expired order, nor on none at all.

    An order whose term has run out (``at >= expires_at``) counts as expired even before the
    scheduler has fired its expiry (C. civ. art. 515-12).
    """
    match state.stage:
        case Stage.NONE:
            raise errors.NoApplication()
        case Stage.LAPSED:
            raise errors.OrderLapsed.after(state.service_due_at)
        case Stage.REJECTED:
            raise errors.ApplicationRejected()
        case Stage.REVOKED:
            raise errors.OrderRevoked()
        case Stage.EXPIRED:
            raise errors.OrderExpired()
        case Stage.REQUESTED | Stage.HEARING_SCHEDULED | Stage.SUMMONS_SERVED | Stage.ISSUED:
            if state.expires_at is not None and at >= state.expires_at:
                raise errors.OrderExpired(f"term ended at {state.expires_at.isoformat()}")


def issued_in_force(state: ProtectionOrder, at: datetime) -> None:
    """The step needs an issued order still in force at ``at``."""
    still_open(state, at)
    if state.stage is not Stage.ISSUED:
        raise errors.OrderNotIssued()
    not_before(at, state.ruled_at, "the ruling")
