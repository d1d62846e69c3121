"""Commands on a protection order (one stream per application, id ``order_id``).

Every command is a frozen pydantic model: a measure outside the closed list of C. civ.
art. 515-11 or an instant without offset fails validation before ``decide`` sees it. ``at`` is
when the act took place (the clerk may record it later); ``actor`` is the role that records it,
where a rule depends on it.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, NonNegativeInt, PositiveInt
from relais_events.catalogue.protection_orders import (
    ApplicantKind,
    DeadlineKind,
    DeviceKind,
    ExtensionGround,
    Id,
    Measure,
    NationalFile,
    UtcInstant,
)
from relais_events.vocabulary import Role

# ``actor`` is the role that records an act; the rule of each act checks it
# (``procedure.recorded_by``): prosecutor (procureur), justice clerk (greffier), police.


class _Command(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class _Act(_Command):
    actor: Role
    at: UtcInstant


class RequestProtectionOrder(_Act):
    """Application (requête) to the JAF, C. civ. art. 515-10."""

    order_id: Id
    case_id: Id
    applicant: ApplicantKind
    victim_agreement: bool = False


class ScheduleHearing(_Act):
    """The judge fixes the hearing date at once (C. civ. art. 515-10); ``at`` is that order."""

    hearing_at: UtcInstant


class ServeSummons(_Act):
    """Service of the application on the defendant (signification, CPC art. 1136-3)."""


class IssueOrder(_Act):
    """The JAF grants the order (délivre l'ordonnance), C. civ. art. 515-11 / 515-12."""

    measures: list[Measure] = Field(min_length=1)
    duration_months: PositiveInt


class RejectApplication(_Act):
    """The JAF dismisses the application (rejet)."""


class NotifyOrder(_Act):
    """Notification to the defendant: binds them and starts the term (CPC art. 1136-7)."""


class RegisterInNationalFile(_Act):
    """Entry in the FPR or the FINIADA (inscription aux fichiers)."""

    file: NationalFile


class ExtendOrder(_Act):
    """Extension (prolongation) for divorce, separation or parental-authority proceedings."""

    ground: ExtensionGround
    proceedings_filed_at: UtcInstant
    expires_at: UtcInstant


class ModifyOrder(_Act):
    """Modification of the measures at any time (C. civ. art. 515-12)."""

    measures: list[Measure] = Field(min_length=1)


class RevokeOrder(_Act):
    """Revocation (mainlevée) at any time (C. civ. art. 515-12)."""


class RequestProvisionalOrder(_Act):
    """OPPI request by the prosecutor (C. civ. art. 515-13-1, CPC art. 1136-15-1)."""

    victim_agreement: bool


class IssueProvisionalOrder(_Act):
    """The JAF grants the OPPI on the documents alone (CPC art. 1136-15-2)."""

    measures: list[Measure] = Field(min_length=1)


class RejectProvisionalOrder(_Act):
    """The JAF refuses the OPPI."""


class AssignDevice(_Act):
    """Attribution of a serious-danger phone or an anti-approach bracelet."""

    device_id: Id
    device: DeviceKind
    alert_distance_km: float | None = None
    victim_consents: bool = False
    defendant_consents: bool = False


class RenewDevice(_Act):
    """Renewal of a serious-danger phone for a new term."""

    device_id: Id


class WithdrawDevice(_Act):
    """Withdrawal of a device; only the count of alerts it raised is kept, never positions."""

    device_id: Id
    alert_count: NonNegativeInt = 0


class ReportBreach(_Act):
    """Police report a breach of the order (violation d'une ordonnance de protection)."""

    breach_id: Id
    occurred_at: UtcInstant
    device_alert_count: NonNegativeInt = 0


class FireDeadline(_Command):
    """Sent by the scheduler at ``now >= due_at``; emits only what is still applicable."""

    kind: DeadlineKind
    due_at: UtcInstant


Act = (
    RequestProtectionOrder
    | ScheduleHearing
    | ServeSummons
    | IssueOrder
    | RejectApplication
    | NotifyOrder
    | RegisterInNationalFile
    | ExtendOrder
    | ModifyOrder
    | RevokeOrder
    | RequestProvisionalOrder
    | IssueProvisionalOrder
    | RejectProvisionalOrder
    | AssignDevice
    | RenewDevice
    | WithdrawDevice
    | ReportBreach
)
"""Every act a person records: dated ``at`` by when it took place (``late_acts``)."""

Command = Act | FireDeadline
