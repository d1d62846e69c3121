"""What the entrypoints hand to the handlers, built once by ``bootstrap``."""

from __future__ import annotations

from dataclasses import dataclass

from relais_intake.application.ports import Clock, LinkSuggestions
from relais_intake.application.streams import CaseStreams


@dataclass(frozen=True)
class IntakeServices:
    streams: CaseStreams
    suggestions: LinkSuggestions
    clock: Clock
    person_key_secret: bytes
