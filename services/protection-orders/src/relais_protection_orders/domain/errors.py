"""Domain errors: each names the rule a command would break, with its source.

Every rule subclasses ``relais_events.rules.RuleViolation`` (422 unless it says otherwise), which
the kit's HTTP edge answers as a problem; the class name is the rule, the docstring its source.
"""

from __future__ import annotations

from datetime import datetime

from relais_events.rules import RuleViolation


class ProtectionOrderRuleViolated(RuleViolation):
    """A command breaks a rule of the protection-order domain."""


# Instants and ordering
class ActDatedInFuture(ProtectionOrderRuleViolated):
    """An act is recorded after it took place: its instant cannot be later than now."""


class RulingBeforeApplication(ProtectionOrderRuleViolated):
    """A ruling (or hearing date) cannot precede the application it answers (C. civ. 515-10)."""


class ServiceAfterRuling(ProtectionOrderRuleViolated):
    """Service of the summons comes before the ruling (CPC art. 1136-3)."""


class ActBeforePreviousStep(ProtectionOrderRuleViolated):
    """A step cannot be dated before the step it follows in the procedure."""


# Who may act
class ProsecutorApplicationNeedsAgreement(ProtectionOrderRuleViolated):
    """The prosecutor applies only with the victim's agreement (C. civ. art. 515-10)."""


class OnlyProsecutorMayApplyForVictim(ProtectionOrderRuleViolated):
    """An application 'with agreement' is the prosecutor's own (C. civ. art. 515-10)."""


class OnlyProsecutorMayRequestProvisionalOrder(ProtectionOrderRuleViolated):
    """Only the prosecutor requests an OPPI (C. civ. art. 515-13-1, CPC art. 1136-15-1)."""


class ProvisionalOrderNeedsAgreement(ProtectionOrderRuleViolated):
    """The OPPI is requested only with the victim's agreement (C. civ. art. 515-13-1)."""


class OnlyClerkRecordsJudicialActs(ProtectionOrderRuleViolated):
    """The clerk (greffier) records the judge's acts: hearing date, service, rulings, renewals."""


class OnlyProsecutorMayRegister(ProtectionOrderRuleViolated):
    """The prosecutor has the order entered in FPR / FINIADA (DOMAIN.md, Protection orders)."""


class OnlyPoliceOrProsecutorMayReportBreach(ProtectionOrderRuleViolated):
    """Breaches of an order are reported by police / gendarmerie or the prosecutor."""


class OnlyProsecutorMayAssignPhone(ProtectionOrderRuleViolated):
    """The prosecutor attributes the serious-danger phone (CPP art. 41-3-1)."""


# Lifecycle
class ApplicationAlreadyFiled(ProtectionOrderRuleViolated):
    """One application per order stream: a new application is a new order id."""


class NoApplication(ProtectionOrderRuleViolated):
    """No application has been filed for this order."""


class HearingAlreadyScheduled(ProtectionOrderRuleViolated):
    """The judge fixes the hearing date once (C. civ. art. 515-10)."""


class NoHearingScheduled(ProtectionOrderRuleViolated):
    """Service and ruling follow the order fixing the hearing date (CPC art. 1136-3)."""


class SummonsAlreadyServed(ProtectionOrderRuleViolated):
    """The application is served once on the defendant (CPC art. 1136-3)."""


class OrderAlreadyRuled(ProtectionOrderRuleViolated):
    """One ruling per application: never two active orders for one application."""


class OrderNotIssued(ProtectionOrderRuleViolated):
    """This step needs an issued order (C. civ. art. 515-11)."""


class OrderNotNotified(ProtectionOrderRuleViolated):
    """The term of an order runs from its notification (C. civ. art. 515-12)."""


class OrderAlreadyNotified(ProtectionOrderRuleViolated):
    """An order is notified once; its term runs from that notification (CPC art. 1136-7)."""


class OrderLapsed(ProtectionOrderRuleViolated):
    """The application lapsed for want of service in time (caducité, CPC art. 1136-3)."""

    @classmethod
    def after(cls, service_due_at: datetime | None) -> OrderLapsed:
        """Refusing an act dated at or after the service deadline: names it and its source."""
        if service_due_at is None:
            return cls()
        return cls(
            f"the service deadline ended at {service_due_at.isoformat()}: an application not"
            " served within 2 days of the order fixing the hearing lapses (CPC art. 1136-3,"
            " counted by CPC art. 640 to 642)"
        )


class OrderExpired(ProtectionOrderRuleViolated):
    """The order reached the end of its term (C. civ. art. 515-12)."""


class OrderRevoked(ProtectionOrderRuleViolated):
    """The order was revoked (C. civ. art. 515-12)."""


class ApplicationRejected(ProtectionOrderRuleViolated):
    """The application was rejected: nothing follows but a new application."""


class DurationOverMaximum(ProtectionOrderRuleViolated):
    """At most 12 months, 6 if issued before 15 June 2024 (C. civ. 515-12, law no. 2024-536)."""


class MeasureNotAllowed(ProtectionOrderRuleViolated):
    """The measure is outside what this order may contain (C. civ. art. 515-11, 515-13-1)."""


class ExtensionNeedsProceedingsDuringOrder(ProtectionOrderRuleViolated):
    """Extended only for proceedings filed during the order, to a later end (C. civ. 515-12)."""


class FiniadaNeedsWeaponBan(ProtectionOrderRuleViolated):
    """FINIADA registers firearms bans: only an order with a weapon ban goes there."""


class AlreadyRegistered(ProtectionOrderRuleViolated):
    """The order is already entered in this national file."""


# Provisional order (OPPI)
class NoPendingApplication(ProtectionOrderRuleViolated):
    """An OPPI needs an OP application pending, not yet ruled (C. civ. art. 515-13-1)."""


class ProvisionalOrderAlreadyRequested(ProtectionOrderRuleViolated):
    """One OPPI request per application (C. civ. art. 515-13-1)."""


class NoProvisionalOrderPending(ProtectionOrderRuleViolated):
    """No OPPI request awaits a decision."""


# Protective devices
class BraceletNeedsNoContactAndConsent(ProtectionOrderRuleViolated):
    """The bracelet needs a no-contact measure and both parties' consent (C. civ. 515-11-1)."""


class AlertDistanceOutOfRange(ProtectionOrderRuleViolated):
    """Bracelet alert distance between 1 and 10 km (C. civ. 515-11-1, decree no. 2020-1161)."""


class DeviceAlreadyAssigned(ProtectionOrderRuleViolated):
    """A device id is assigned once; renew it instead."""


class UnknownDevice(ProtectionOrderRuleViolated):
    """No active device with this id on this order."""


class OnlyPhoneIsRenewable(ProtectionOrderRuleViolated):
    """The serious-danger phone is renewable by 6-month terms (CPP art. 41-3-1)."""
