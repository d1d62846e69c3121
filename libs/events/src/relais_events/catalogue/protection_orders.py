"""Events of the protection_orders context (ordonnance de protection, OPPI, protective devices).

Sources: C. civ. art. 515-9 to 515-13-1, CPC art. 1136-3 and following, law no. 2024-536,
decree no. 2025-47. No personal data here (no names, addresses, nor device positions): ids,
instants (timezone-aware, normalised to UTC), closed vocabularies and counts only.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, ClassVar

from pydantic import AfterValidator, AwareDatetime, Field, NonNegativeInt, PositiveInt

from relais_events import topics
from relais_events.catalogue.base import Event, register
from relais_events.vocabulary import Identifier, Role


def _to_utc(instant: datetime) -> datetime:
    return instant.astimezone(UTC)


UtcInstant = Annotated[AwareDatetime, AfterValidator(_to_utc)]
"""An instant with its offset, stored in UTC (local civil time is derived, never stored)."""

Id = Identifier
"""Order, case, device and breach ids: the project's safe alphabet, never a name."""


class Measure(StrEnum):
    """Measures an order may contain: the closed list of C. civ. art. 515-11 (and 515-11-1)."""

    NO_CONTACT = "no_contact"  # 1° interdiction de recevoir ou rencontrer
    NO_PRESENCE_IN_PLACES = "no_presence_in_places"  # 1° bis interdiction de paraître
    WEAPON_BAN = "weapon_ban"  # 2° interdiction de détenir une arme
    WEAPON_SURRENDER = "weapon_surrender"  # 2° bis remise des armes
    FAMILY_HOME_ALLOCATION = "family_home_allocation"  # 3°, 4° jouissance du logement
    HOUSING_COSTS = "housing_costs"  # 3°, 4° prise en charge des frais
    PARENTAL_AUTHORITY = "parental_authority"  # 5° exercice de l'autorité parentale
    CHILD_RESIDENCE = "child_residence"  # 5° résidence des enfants
    VISITING_RIGHTS = "visiting_rights"  # 5° droit de visite et d'hébergement
    VISITING_RIGHTS_SUSPENDED = "visiting_rights_suspended"  # 5° suspension
    ADDRESS_CONCEALMENT = "address_concealment"  # 6°, 6° bis dissimulation du domicile
    LEGAL_AID = "legal_aid"  # 7° aide juridictionnelle provisoire
    ELECTORAL_LIST_MASKING = "electoral_list_masking"  # law no. 2024-536
    PET_CUSTODY = "pet_custody"  # garde des animaux de compagnie, law no. 2024-536
    ANTI_APPROACH_BRACELET = "anti_approach_bracelet"  # art. 515-11-1 bracelet
    SERIOUS_DANGER_PHONE = "serious_danger_phone"  # téléphone grave danger


class ApplicantKind(StrEnum):
    """Who applies (requérant), C. civ. art. 515-10."""

    VICTIM = "victim"
    PROSECUTOR_WITH_AGREEMENT = "prosecutor_with_agreement"


class DeviceKind(StrEnum):
    """Protective devices: téléphone grave danger, bracelet anti-rapprochement."""

    SERIOUS_DANGER_PHONE = "serious_danger_phone"
    ANTI_APPROACH_BRACELET = "anti_approach_bracelet"


class NationalFile(StrEnum):
    """National files: fichier des personnes recherchées (FPR) and firearms-ban file (FINIADA)."""

    FPR = "FPR"
    FINIADA = "FINIADA"


class ExtensionGround(StrEnum):
    """Proceedings whose filing extends an order (C. civ. art. 515-12)."""

    DIVORCE = "divorce"
    LEGAL_SEPARATION = "legal_separation"
    PARENTAL_AUTHORITY = "parental_authority"


class FlagReason(StrEnum):
    """Why an issued order is flagged after the configured delay."""

    NOT_NOTIFIED = "not_notified"
    NOT_REGISTERED = "not_registered"


class ProvisionalEndReason(StrEnum):
    """What ended an OPPI (C. civ. art. 515-13-1, last paragraph)."""

    RULING_RECORDED = "ruling_recorded"
    APPLICATION_LAPSED = "application_lapsed"


class WithdrawalReason(StrEnum):
    """Why a protective device was withdrawn."""

    DECIDED = "decided"
    ORDER_ENDED = "order_ended"


class DeadlineKind(StrEnum):
    """The deadlines of an order (the protection-orders service counts them, DOMAIN.md "How
    deadlines are counted"), and what passing each one emits if it still applies."""

    SERVICE = "service"  # -> protection_order.lapsed (CPC art. 1136-3: served within 2 days)
    RULING = "ruling"  # -> protection_order.ruling_overdue (C. civ. art. 515-11: 6 days)
    PROVISIONAL_DECISION = "provisional_decision"  # -> provisional_order.overdue (24 hours)
    EXPIRY = "expiry"  # -> protection_order.expired (C. civ. art. 515-12)
    NOTIFICATION = "notification"  # -> protection_order.flagged not_notified
    REGISTRATION = "registration"  # -> protection_order.flagged not_registered


SERVICE, RULING = DeadlineKind.SERVICE, DeadlineKind.RULING
NOTIFICATION, REGISTRATION = DeadlineKind.NOTIFICATION, DeadlineKind.REGISTRATION
PROVISIONAL_DECISION = DeadlineKind.PROVISIONAL_DECISION


class _OrderEvent(Event):
    TOPIC: ClassVar[str] = topics.PROTECTION_ORDERS
    order_id: Id
    case_id: Id


@register
class ProtectionOrderRequested(_OrderEvent):
    TYPE: ClassVar[str] = "protection_order.requested"
    applicant: ApplicantKind
    requested_at: UtcInstant


@register
class ProtectionOrderHearingScheduled(_OrderEvent):
    TYPE: ClassVar[str] = "protection_order.hearing_scheduled"
    OPENS: ClassVar[Mapping[str, str]] = {SERVICE: "service_due_at", RULING: "ruling_due_at"}
    scheduled_at: UtcInstant
    hearing_at: UtcInstant
    service_due_at: UtcInstant
    ruling_due_at: UtcInstant


@register
class ProtectionOrderSummonsServed(_OrderEvent):
    TYPE: ClassVar[str] = "protection_order.summons_served"
    CLOSES: ClassVar[frozenset[str]] = frozenset({SERVICE})
    served_at: UtcInstant


@register
class ProtectionOrderLapsed(_OrderEvent):
    TYPE: ClassVar[str] = "protection_order.lapsed"
    CLOSES: ClassVar[frozenset[str]] = frozenset({SERVICE, RULING})
    service_due_at: UtcInstant


@register
class ProtectionOrderLapseAnnulled(_OrderEvent):
    """A lapse fired before a service (or a ruling) made in time was recorded, annulled.

    Caducité follows from a service NOT made within the 2 days (CPC art. 1136-3, counted from
    the acts' dates, CPC art. 640 to 642): an act dated before ``service_due_at`` shows the
    application never lapsed. The order is back at its hearing stage (the act that met the
    deadline follows in the same commit), the 6-day ruling deadline runs again (C. civ.
    art. 515-11: ``ruling_due_at``, None when it had already been reported), and an OPPI the
    lapse had ended is alive again (C. civ. art. 515-13-1: it lasts until the ruling).
    ``act_at`` is the act's date, ``recorded_by`` the role that recorded it.
    """

    TYPE: ClassVar[str] = "protection_order.lapse_annulled"
    OPENS: ClassVar[Mapping[str, str]] = {RULING: "ruling_due_at"}
    service_due_at: UtcInstant
    act_at: UtcInstant
    recorded_by: Role
    ruling_due_at: UtcInstant | None = None
    provisional_order_restored: bool = False


@register
class ProtectionOrderMissedDeadlineAnnulled(_OrderEvent):
    """A missed deadline reported before the act that met it in time was recorded, annulled.

    ``deadline`` is the one reported: the 6-day ruling (C. civ. art. 515-11), the OPPI's 24 hours
    (C. civ. art. 515-13-1), or the not-notified / not-registered delays (local practice). The
    act dated ``act_at`` (before ``due_at``), recorded by ``recorded_by``, follows in the same
    commit and meets the deadline, so nothing reopens.
    """

    TYPE: ClassVar[str] = "protection_order.missed_deadline_annulled"
    deadline: DeadlineKind
    due_at: UtcInstant
    act_at: UtcInstant
    recorded_by: Role


@register
class ProtectionOrderIssued(_OrderEvent):
    TYPE: ClassVar[str] = "protection_order.issued"
    OPENS: ClassVar[Mapping[str, str]] = {
        NOTIFICATION: "notification_due_at",
        REGISTRATION: "registration_due_at",
    }
    CLOSES: ClassVar[frozenset[str]] = frozenset({RULING})
    issued_at: UtcInstant
    measures: list[Measure] = Field(min_length=1)
    duration_months: PositiveInt
    notification_due_at: UtcInstant
    registration_due_at: UtcInstant


@register
class ProtectionOrderRejected(_OrderEvent):
    TYPE: ClassVar[str] = "protection_order.rejected"
    CLOSES: ClassVar[frozenset[str]] = frozenset({RULING})
    rejected_at: UtcInstant


@register
class ProtectionOrderNotified(_OrderEvent):
    TYPE: ClassVar[str] = "protection_order.notified"
    CLOSES: ClassVar[frozenset[str]] = frozenset({NOTIFICATION})
    notified_at: UtcInstant
    expires_at: UtcInstant


@register
class ProtectionOrderRegistered(_OrderEvent):
    TYPE: ClassVar[str] = "protection_order.registered"
    CLOSES: ClassVar[frozenset[str]] = frozenset({REGISTRATION})
    file: NationalFile
    registered_at: UtcInstant


@register
class ProtectionOrderExtended(_OrderEvent):
    TYPE: ClassVar[str] = "protection_order.extended"
    ground: ExtensionGround
    proceedings_filed_at: UtcInstant
    expires_at: UtcInstant


@register
class ProtectionOrderModified(_OrderEvent):
    TYPE: ClassVar[str] = "protection_order.modified"
    modified_at: UtcInstant
    measures: list[Measure] = Field(min_length=1)


@register
class ProtectionOrderRevoked(_OrderEvent):
    TYPE: ClassVar[str] = "protection_order.revoked"
    revoked_at: UtcInstant


@register
class ProtectionOrderExpired(_OrderEvent):
    TYPE: ClassVar[str] = "protection_order.expired"
    expired_at: UtcInstant


@register
class ProtectionOrderRulingOverdue(_OrderEvent):
    TYPE: ClassVar[str] = "protection_order.ruling_overdue"
    CLOSES: ClassVar[frozenset[str]] = frozenset({RULING})
    ruling_due_at: UtcInstant


@register
class ProtectionOrderFlagged(_OrderEvent):
    TYPE: ClassVar[str] = "protection_order.flagged"
    reason: FlagReason
    due_at: UtcInstant
    missing_files: list[NationalFile] = Field(default_factory=list)


@register
class ProvisionalOrderRequested(_OrderEvent):
    TYPE: ClassVar[str] = "provisional_order.requested"
    OPENS: ClassVar[Mapping[str, str]] = {PROVISIONAL_DECISION: "decision_due_at"}
    requested_at: UtcInstant
    decision_due_at: UtcInstant


@register
class ProvisionalOrderIssued(_OrderEvent):
    TYPE: ClassVar[str] = "provisional_order.issued"
    CLOSES: ClassVar[frozenset[str]] = frozenset({PROVISIONAL_DECISION})
    issued_at: UtcInstant
    measures: list[Measure] = Field(min_length=1)


@register
class ProvisionalOrderRejected(_OrderEvent):
    TYPE: ClassVar[str] = "provisional_order.rejected"
    CLOSES: ClassVar[frozenset[str]] = frozenset({PROVISIONAL_DECISION})
    rejected_at: UtcInstant


@register
class ProvisionalOrderOverdue(_OrderEvent):
    TYPE: ClassVar[str] = "provisional_order.overdue"
    CLOSES: ClassVar[frozenset[str]] = frozenset({PROVISIONAL_DECISION})
    decision_due_at: UtcInstant


@register
class ProvisionalOrderEnded(_OrderEvent):
    TYPE: ClassVar[str] = "provisional_order.ended"
    ended_at: UtcInstant
    reason: ProvisionalEndReason


@register
class ProtectiveDeviceAssigned(_OrderEvent):
    TYPE: ClassVar[str] = "protective_device.assigned"
    device_id: Id
    device: DeviceKind
    assigned_at: UtcInstant
    ends_at: UtcInstant | None = None
    alert_distance_km: float | None = Field(default=None, ge=1, le=10)
    pre_alert_distance_km: float | None = None


@register
class ProtectiveDeviceRenewed(_OrderEvent):
    TYPE: ClassVar[str] = "protective_device.renewed"
    device_id: Id
    renewed_at: UtcInstant
    ends_at: UtcInstant


@register
class ProtectiveDeviceWithdrawn(_OrderEvent):
    TYPE: ClassVar[str] = "protective_device.withdrawn"
    device_id: Id
    withdrawn_at: UtcInstant
    reason: WithdrawalReason
    alert_count: NonNegativeInt = 0


@register
class OrderBreachReported(_OrderEvent):
    TYPE: ClassVar[str] = "order_breach.reported"
    breach_id: Id
    occurred_at: UtcInstant
    reported_at: UtcInstant
    enforceable_when_occurred: bool
    device_alert_count: NonNegativeInt = 0
