"""The state of one protection order (one application), folded from its events by ``evolve``
(module ``events``).

The OPPI and the protective devices live in the same aggregate: the OPPI only exists while the
application is pending and ends with its ruling, and the bracelet depends on the order's measures,
so one stream keeps those rules in one consistency boundary.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TypedDict

from relais_events.catalogue.protection_orders import DeviceKind, FlagReason, Measure, NationalFile


class Stage(StrEnum):
    """Where the application stands. Notification and registrations are tracked beside it."""

    NONE = "none"
    REQUESTED = "requested"  # requête déposée
    HEARING_SCHEDULED = "hearing_scheduled"  # date d'audience fixée
    SUMMONS_SERVED = "summons_served"  # requête signifiée
    ISSUED = "issued"  # ordonnance délivrée
    REJECTED = "rejected"
    LAPSED = "lapsed"  # caducité
    REVOKED = "revoked"  # mainlevée
    EXPIRED = "expired"


PENDING = frozenset({Stage.REQUESTED, Stage.HEARING_SCHEDULED, Stage.SUMMONS_SERVED})


class ProvisionalStatus(StrEnum):
    REQUESTED = "requested"
    ISSUED = "issued"
    REJECTED = "rejected"
    ENDED = "ended"


@dataclass(frozen=True)
class ProvisionalOrder:
    """An OPPI (ordonnance provisoire de protection immédiate)."""

    requested_at: datetime
    decision_due_at: datetime
    status: ProvisionalStatus = ProvisionalStatus.REQUESTED
    overdue_flagged: bool = False
    measures: frozenset[Measure] = frozenset()

    @property
    def alive(self) -> bool:
        """Awaiting its decision or in force: what must end with the ruling on the OP."""
        return self.status in (ProvisionalStatus.REQUESTED, ProvisionalStatus.ISSUED)


@dataclass(frozen=True)
class ProtectiveDevice:
    """A device's attribution. Never its positions (DOMAIN.md, Protection orders)."""

    device_id: str
    kind: DeviceKind
    assigned_at: datetime
    ends_at: datetime | None
    alert_distance_km: float | None
    active: bool = True


@dataclass(frozen=True)
class ProtectionOrder:
    """One application and the order that answers it."""

    order_id: str = ""
    case_id: str = ""
    stage: Stage = Stage.NONE
    requested_at: datetime | None = None
    hearing_fixed_at: datetime | None = None
    service_due_at: datetime | None = None
    ruling_due_at: datetime | None = None
    served_at: datetime | None = None
    ruled_at: datetime | None = None
    measures: frozenset[Measure] = frozenset()
    duration_months: int = 0
    notification_due_at: datetime | None = None
    registration_due_at: datetime | None = None
    notified_at: datetime | None = None
    expires_at: datetime | None = None
    revoked_at: datetime | None = None
    registrations: frozenset[NationalFile] = frozenset()
    last_registered_at: datetime | None = None  # the latest registration's date
    ruling_overdue_flagged: bool = False
    flags: frozenset[FlagReason] = frozenset()
    provisional: ProvisionalOrder | None = None
    devices: tuple[ProtectiveDevice, ...] = field(default=())
    breaches: int = 0

    def device(self, device_id: str) -> ProtectiveDevice | None:
        return next((d for d in self.devices if d.device_id == device_id), None)

    def missing_files(self) -> list[NationalFile]:
        """FPR always; FINIADA too when weapons are banned (DOMAIN.md, Protection orders)."""
        required = [NationalFile.FPR]
        if Measure.WEAPON_BAN in self.measures:
            required.append(NationalFile.FINIADA)
        return [f for f in required if f not in self.registrations]


class OrderIds(TypedDict):
    """The ids every event of the stream carries."""

    order_id: str
    case_id: str


def ids(state: ProtectionOrder) -> OrderIds:
    return {"order_id": state.order_id, "case_id": state.case_id}


def enforceable_at(state: ProtectionOrder, instant: datetime) -> bool:
    """Binding on the defendant at ``instant``: issued, notified, not expired, not revoked.

    Computed from instants, so it holds before the expiry deadline has been fired, and answers for
    a past instant too (a breach that occurred before a revocation).
    """
    if state.ruled_at is None or state.stage not in (Stage.ISSUED, Stage.REVOKED, Stage.EXPIRED):
        return False
    if state.notified_at is None or state.expires_at is None or instant < state.notified_at:
        return False
    return instant < state.expires_at and (state.revoked_at is None or instant < state.revoked_at)
