"""Rules a shelter command may break. Each class names one rule; its docstring gives the source.

The domain imports nothing outside the standard library, pydantic and ``relais_events``
(DESIGN.md section 2): they subclass ``relais_events.rules.RuleViolation``, which the kit's HTTP
edge answers as a problem, as in every service. ``status`` says 404 for what does not exist (for
the caller), 403 for who may not, 409 when the answer depends on a state another request may
just have changed (a night that filled up), 422 when the request cannot succeed as sent.
"""

from __future__ import annotations

import datetime as dt

from relais_events.rules import RuleViolation


class ShelterRuleViolation(RuleViolation):
    """A command breaks a rule of the shelter domain."""


# What must exist
class SiteNotFound(ShelterRuleViolation):
    """No site of the départements you act for has this id."""

    status = 404


class AllocationNotFound(ShelterRuleViolation):
    """No allocation of the départements you act for has this id."""

    status = 404


class CaseNotKnown(ShelterRuleViolation):
    """Shelter learns a case from intake's events: no case of the départements you act for has
    this id (yet). Every allocation is of a case (DOMAIN.md "Shelter and nights": every claim
    points at an allocation for a case); retry shortly after the report was filed."""

    status = 409
    retry_after_s = 1


class EnvelopeNotFound(ShelterRuleViolation):
    """No funding envelope has this id."""

    status = 404


class AlreadyRecorded(ShelterRuleViolation):
    """An id (site, allocation, envelope) is recorded once."""

    status = 409


# Who may
class NotTheSitesOperator(ShelterRuleViolation):
    """Only the organisation that operates a site declares its places, allocates them and claims
    its nights (DOMAIN.md "Who uses it": the shelter operator, gestionnaire d'hébergement)."""

    status = 403


# Places (DOMAIN.md "Shelter and nights": a site never allocates more places on a night than it
# declared; one person is counted once per night across all sites)
class NightFull(ShelterRuleViolation):
    """The night is full: the site has no free place left on it for these persons (DOMAIN.md
    "Shelter and nights": a site never allocates more places on a night than it declared)."""

    status = 409

    def __init__(self, night: dt.date, detail: str = "") -> None:
        super().__init__(f"night {night.isoformat()} is full" + (f"; {detail}" if detail else ""))
        self.night = night


class NightNotDeclared(ShelterRuleViolation):
    """The site declared no places (or none suiting children) on a night asked for: a site only
    allocates the places it declared (DOMAIN.md "Shelter and nights")."""


class PersonAlreadySheltered(ShelterRuleViolation):
    """A person of the allocation already has a place on one of its nights: one person is counted
    once per night across all sites (DOMAIN.md "Shelter and nights")."""

    status = 409


class SiteTakesNoChildren(ShelterRuleViolation):
    """This site does not take children (it was registered without ``accepts_children``)."""


class CapacityCannotShrink(ShelterRuleViolation):
    """A declaration may raise a night's places (of either kind), never lower them: lowering
    could fall below places already allocated. Release allocations first, then ask an
    administrator (not supported by this version)."""

    status = 409


class BadNightRange(ShelterRuleViolation):
    """The nights asked for are not a valid range (first night before the last, at most the
    longest stay an allocation may cover)."""


class ChildPlacesOverPlaces(ShelterRuleViolation):
    """The places that suit children are part of the site's places, never more than them."""


# Consent (DOMAIN.md "Referrals and consent" and "Minors")
class ConsentRequired(ShelterRuleViolation):
    """An adult victim is sheltered with her consent: record it first. (A minor is never refused
    a place for lack of consent: DOMAIN.md "Minors", trafficking plan axis 3.)"""


# Release
class AlreadyReleased(ShelterRuleViolation):
    """An allocation is released once (early departure frees the nights after the last one)."""

    status = 409


class ReleaseOutsideStay(ShelterRuleViolation):
    """The last night stayed must fall within the allocation (or be the eve of its first night,
    when the person never came)."""


class ReleaseOfClaimedNight(ShelterRuleViolation):
    """A night already claimed against a funding envelope was provided: it cannot be released
    (every claim points at an allocation's night, DOMAIN.md "Shelter and nights")."""

    status = 409


# Envelopes
class BadEnvelopePeriod(ShelterRuleViolation):
    """An envelope's period starts on or before the day it ends."""
