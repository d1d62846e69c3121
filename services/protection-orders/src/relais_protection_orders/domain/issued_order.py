"""Steps on an issued order: notification, national files, extension, modification, revocation.

C. civ. art. 515-11-1 and 515-12; CPC art. 1136-7. Called by ``protection_order.decide``.
"""

from __future__ import annotations

from datetime import datetime

from relais_events.catalogue.protection_orders import (
    DeviceKind,
    Measure,
    NationalFile,
    ProtectionOrderExtended,
    ProtectionOrderModified,
    ProtectionOrderNotified,
    ProtectionOrderRegistered,
    ProtectionOrderRevoked,
)
from relais_events.vocabulary import Role

from relais_protection_orders.domain import errors, procedure
from relais_protection_orders.domain.commands import (
    ExtendOrder,
    ModifyOrder,
    NotifyOrder,
    RegisterInNationalFile,
    RevokeOrder,
)
from relais_protection_orders.domain.deadlines import DeadlinePolicy
from relais_protection_orders.domain.events import ProtectionOrderEvent
from relais_protection_orders.domain.lifecycle import CLERK, measures_consistent
from relais_protection_orders.domain.protective_device import withdraw_bracelets
from relais_protection_orders.domain.state import ProtectionOrder, ids


def notify(
    state: ProtectionOrder, command: NotifyOrder, now: datetime, policy: DeadlinePolicy
) -> list[ProtectionOrderEvent]:
    """Notification binds the defendant and starts the term (C. civ. 515-12, CPC 1136-7)."""
    procedure.recorded_by(command.actor, CLERK, errors.OnlyClerkRecordsJudicialActs)
    procedure.in_the_past(command.at, now)
    procedure.issued_in_force(state, command.at)
    if state.notified_at is not None:
        raise errors.OrderAlreadyNotified()
    expires_at = policy.expires_at(command.at, state.duration_months)
    return [ProtectionOrderNotified(**ids(state), notified_at=command.at, expires_at=expires_at)]


def register_in_file(
    state: ProtectionOrder, command: RegisterInNationalFile, now: datetime
) -> list[ProtectionOrderEvent]:
    """The prosecutor has the order entered in FPR, and in FINIADA when weapons are banned."""
    procedure.recorded_by(command.actor, Role.PROSECUTOR, errors.OnlyProsecutorMayRegister)
    procedure.in_the_past(command.at, now)
    procedure.issued_in_force(state, command.at)
    if command.file is NationalFile.FINIADA and Measure.WEAPON_BAN not in state.measures:
        raise errors.FiniadaNeedsWeaponBan()
    if command.file in state.registrations:
        raise errors.AlreadyRegistered(command.file)
    return [ProtectionOrderRegistered(**ids(state), file=command.file, registered_at=command.at)]


def extend(
    state: ProtectionOrder, command: ExtendOrder, now: datetime
) -> list[ProtectionOrderEvent]:
    """Extended beyond its term when divorce, legal separation or parental-authority proceedings
    are filed during it (C. civ. art. 515-12); the new end is set by the court and is later."""
    procedure.recorded_by(command.actor, CLERK, errors.OnlyClerkRecordsJudicialActs)
    procedure.in_the_past(command.at, now)
    procedure.issued_in_force(state, command.at)
    if state.notified_at is None or state.expires_at is None:
        raise errors.OrderNotNotified()
    filed = command.proceedings_filed_at
    if not state.notified_at <= filed < state.expires_at or command.expires_at <= state.expires_at:
        raise errors.ExtensionNeedsProceedingsDuringOrder()
    return [
        ProtectionOrderExtended(
            **ids(state),
            ground=command.ground,
            proceedings_filed_at=filed,
            expires_at=command.expires_at,
        )
    ]


def modify(
    state: ProtectionOrder, command: ModifyOrder, now: datetime
) -> list[ProtectionOrderEvent]:
    """Measures may be modified at any time (C. civ. art. 515-12); an active bracelet keeps its
    no-contact measure (C. civ. art. 515-11-1)."""
    procedure.recorded_by(command.actor, CLERK, errors.OnlyClerkRecordsJudicialActs)
    procedure.in_the_past(command.at, now)
    procedure.issued_in_force(state, command.at)
    measures = frozenset(command.measures)
    measures_consistent(measures)
    bracelet = any(d.active and d.kind is DeviceKind.ANTI_APPROACH_BRACELET for d in state.devices)
    if bracelet and Measure.NO_CONTACT not in measures:
        raise errors.BraceletNeedsNoContactAndConsent("an active bracelet needs no_contact")
    return [
        ProtectionOrderModified(**ids(state), modified_at=command.at, measures=command.measures)
    ]


def revoke(
    state: ProtectionOrder, command: RevokeOrder, now: datetime
) -> list[ProtectionOrderEvent]:
    """Revocation at any time (C. civ. art. 515-12); its bracelets are withdrawn with it."""
    procedure.recorded_by(command.actor, CLERK, errors.OnlyClerkRecordsJudicialActs)
    procedure.in_the_past(command.at, now)
    procedure.issued_in_force(state, command.at)
    revoked = ProtectionOrderRevoked(**ids(state), revoked_at=command.at)
    return [revoked, *withdraw_bracelets(state, command.at)]
