"""What the entrypoints hand to the handlers, built once by ``bootstrap`` (or a test harness)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from relais_kit.application import Clock, WritePath
from relais_kit.application.access_log import AccessLog
from relais_kit.cases import CaseDirectory

from relais_shelter.application.hints import PlaceHints, UnitHints
from relais_shelter.application.ports import (
    ClaimLedger,
    EnvelopeHoles,
    Holdings,
    Operations,
    Reservations,
    SiteDirectory,
)


@dataclass(frozen=True)
class ShelterServices:
    write_path: WritePath
    access_log: AccessLog
    reservations: Reservations
    operations: Operations
    holdings: Holdings
    holes: EnvelopeHoles
    sites: SiteDirectory
    claims: ClaimLedger
    cases: CaseDirectory  # learnt from intake's events by the worker
    # An operation still in flight after this long is an orphan: its process died (or is so
    # slow that it gives up by itself, see ``in_time``), and the recovery sweep finishes it.
    lease: dt.timedelta = dt.timedelta(seconds=30)
    places: PlaceHints = field(default_factory=PlaceHints)
    units: UnitHints = field(default_factory=UnitHints)

    @property
    def clock(self) -> Clock:
        return self.write_path.clock

    def in_time(self, started_at: dt.datetime) -> bool:
        """Whether a command started then may still decide to commit: only in the first half of
        its lease, so the sweep (which waits for the whole lease) never races a live command."""
        return self.clock.now() - started_at < self.lease / 2
