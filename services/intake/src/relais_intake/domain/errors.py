"""Rules a command on a case may break. Each class names one rule; its docstring gives the source.

The domain imports nothing outside the standard library, pydantic and ``relais_events``
(DESIGN.md section 2): they subclass ``relais_events.rules.RuleViolation``, which the kit's HTTP
edge answers as a problem (``rule`` = the class name, ``detail`` = the message). ``status`` says
409 when the answer depends on a state another request may just have changed, 422 when the
request can never succeed.
"""

from __future__ import annotations

from relais_events.rules import RuleViolation


class CaseRuleViolation(RuleViolation):
    """A command breaks a rule of the intake domain."""


class CaseNotFound(CaseRuleViolation):
    """No case has this id (a report attaches only to an existing case)."""

    status = 404


class CaseAlreadyExists(CaseRuleViolation):
    """A case id is opened once; a later report attaches to it instead."""

    status = 409


class CaseIsClosed(CaseRuleViolation):
    """A closed case takes no new report, assessment or link: a new report opens a new case."""

    status = 409


class ReportOutsideCaseDepartement(CaseRuleViolation):
    """A report attaches only to a case of its own département (DOMAIN.md: no cross-département
    search, a local committee works per département)."""


class ChannelNotOpenToRole(CaseRuleViolation):
    """Each channel is filed by its own actors (DOMAIN.md "Who uses it", e.g. a pharmacy or an
    info point files alerts as a reporting point, the 114 and the 3919 as hotline listeners)."""


class TraffickingFormsOnlyForTrafficking(CaseRuleViolation):
    """Forms of exploitation (sexual, forced labour, begging, criminality) qualify trafficking
    cases only (DOMAIN.md "Cases", 2nd national trafficking plan)."""


class LoweringNeedsReviewer(CaseRuleViolation):
    """Lowering a risk level needs the reviewer role (risk_reviewer), granted explicitly
    (DOMAIN.md "Risk levels"; VioGén: the officers following a case only raise it)."""

    status = 403


class ReviewerAssessedTheCase(CaseRuleViolation):
    """A reviewer lowers only a level others assessed: not one they raised (since it was last
    lowered) nor after their own latest assessment (a review is a second look by someone else,
    DASH/MARAC practice)."""

    status = 403


class LoweringNeedsWrittenReason(CaseRuleViolation):
    """Lowering a risk level needs a reason and a written justification, both on the timeline
    (DOMAIN.md "Risk levels")."""


class AssessmentAlreadyRecorded(CaseRuleViolation):
    """An assessment id is recorded once: answers are entered once and reused."""

    status = 409


class CaseAlreadyErased(CaseRuleViolation):
    """A case is erased once (DOMAIN.md "Data protection"); its data key is already gone."""

    status = 409


class CaseAlreadyClosed(CaseRuleViolation):
    """A case is closed once."""

    status = 409


class LinkNeedsConfirmation(CaseRuleViolation):
    """Cases are linked only on a user's explicit confirmation, never automatically (a wrong link
    would show one victim's file to whoever follows the other)."""


class LinkToItself(CaseRuleViolation):
    """A case cannot be linked to itself."""


class LinkedCaseNotFound(CaseRuleViolation):
    """The case to link to does not exist."""

    status = 404


class LinkAcrossDepartements(CaseRuleViolation):
    """Cases are linked within one département only (DOMAIN.md: no search across départements;
    shelter networks warned that a nationwide criterion lets an aggressor locate a victim)."""


class AlreadyLinked(CaseRuleViolation):
    """These cases are already linked."""

    status = 409
