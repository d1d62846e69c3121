"""Rules a referrals command may break. Each class names one rule; its docstring gives the source.

The domain imports nothing outside the standard library, pydantic and ``relais_events``
(DESIGN.md section 2): they subclass ``relais_events.rules.RuleViolation``, which the kit's HTTP
edge answers as a problem. ``status``
says 404 for what does not exist (for the caller), 403 for who may not, 409 when the answer
depends on a state another request may just have changed, 422 when the request cannot succeed.
"""

from __future__ import annotations

from relais_events.rules import RuleViolation


class ReferralRuleViolation(RuleViolation):
    """A command breaks a rule of the referrals domain."""


# What must exist
class CaseNotKnown(ReferralRuleViolation):
    """Referrals learns a case from intake's case.opened: this one is not known (yet), or not
    in a département the caller acts for. Both answer the one 404 (a hidden case must not be
    told apart from a missing one, issue 13); retry shortly after the report was filed."""

    status = 404


class CaseNotFound(ReferralRuleViolation):
    """No case of the départements you act for has this id (a case does not exist for a reader
    outside its département: DOMAIN.md, no search across départements)."""

    status = 404


class PartnerNotFound(ReferralRuleViolation):
    """No partner of the directory has this id."""

    status = 404


class ReferralNotFound(ReferralRuleViolation):
    """No referral of this case has this id."""

    status = 404


class ConsentNotFound(ReferralRuleViolation):
    """No consent of this case has this id."""

    status = 404


class AlreadyRecorded(ReferralRuleViolation):
    """An id (partner, consent, referral) is recorded once."""

    status = 409


# Partners
class PartnerOutsideJurisdiction(ReferralRuleViolation):
    """Whoever registers a partner acts for every département it serves (a local committee
    works per département, DOMAIN.md "Who uses it"; plan axis 5: local partnership conventions)."""

    status = 403


class PartnerDoesNotServeDepartement(ReferralRuleViolation):
    """A case is referred only to a partner that serves its département (DOMAIN.md: a local
    committee works per département; no sharing across départements)."""


# Consent (DOMAIN.md "Referrals and consent": explicit, scoped, time-limited, withdrawable)
class ConsentScopeMissing(ReferralRuleViolation):
    """Consent is scoped: it names the partners or the partner kinds it allows (DOMAIN.md
    "Referrals and consent")."""


class ConsentNeedsDataCategories(ReferralRuleViolation):
    """Consent names the data categories it allows sharing (GDPR art. 5(1)(c), data
    minimisation; DOMAIN.md "Data protection": collect the minimum)."""


class ConsentAlreadyExpired(ReferralRuleViolation):
    """Consent is time-limited: its last day cannot be before today (DOMAIN.md "Referrals and
    consent")."""


class ConsentAlreadyWithdrawn(ReferralRuleViolation):
    """A consent is withdrawn once."""

    status = 409


class NoCoveringConsent(ReferralRuleViolation):
    """Sending checks consent at that moment: without a consent covering this partner, this
    purpose and these data categories now, a referral is refused unless an authorised role
    overrides for a minor or grave danger (DOMAIN.md "Referrals and consent")."""


# Overrides (DOMAIN.md "Referrals and consent" and "Minors"; 2nd national trafficking plan, axis 3)
class OverrideNotAuthorised(ReferralRuleViolation):
    """Only an authorised role overrides consent (DOMAIN.md "Referrals and consent")."""

    status = 403


class OverrideNeedsJustification(ReferralRuleViolation):
    """An override needs a written justification, recorded with it (DOMAIN.md "Referrals and
    consent": overrides need a justification and are recorded)."""


class OverrideGroundNotEstablished(ReferralRuleViolation):
    """An override names a ground the case shows: a minor victim (plan axis 3, DOMAIN.md
    "Minors"), or a case assessed in grave danger (DOMAIN.md "Cases", risk levels)."""


# Referrals (DOMAIN.md "Referrals and consent": the lifecycle)
class CaseIsClosed(ReferralRuleViolation):
    """A closed or erased case is referred nowhere any more."""

    status = 409


class ReferralNeedsDataCategories(ReferralRuleViolation):
    """A referral names the data categories it shares: consent covers sharing by category
    (GDPR art. 5(1)(c))."""


class ReferralAlreadyOpen(ReferralRuleViolation):
    """A case has at most one open referral to a partner for a purpose: answer or withdraw it
    first."""

    status = 409


class TransitionNotAllowed(ReferralRuleViolation):
    """A referral moves sent -> accepted | declined, accepted -> completed, sent/accepted ->
    withdrawn, and no other way (DOMAIN.md "Referrals and consent")."""

    status = 409


class NotTheAddressedPartner(ReferralRuleViolation):
    """Only the partner a referral was sent to answers it."""

    status = 403


class NotTheReferrer(ReferralRuleViolation):
    """Only the organisation that sent a referral withdraws it."""

    status = 403


class ReasonNeedsText(ReferralRuleViolation):
    """The reason "other" comes with a text (issue 12: the closed list of reasons)."""


class TextOnlyWithOther(ReferralRuleViolation):
    """A text goes only with the reason "other": free text is personal data, collected only
    where the closed list does not say it (GDPR art. 5(1)(c))."""


class ConsentWithdrawnForReferral(ReferralRuleViolation):
    """The consent this referral was sent under was withdrawn: withdrawal stops new sharing at
    once (DOMAIN.md "Referrals and consent"), so it can no longer be accepted."""

    status = 409
