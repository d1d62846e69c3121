"""What the entrypoints hand to the handlers, built once by ``bootstrap``."""

from __future__ import annotations

from dataclasses import dataclass

from relais_events.pii import KeyStore
from relais_kit.application import WritePath
from relais_kit.application.access_log import AccessLog

from relais_intake.application.ports import LinkSuggestions


@dataclass(frozen=True)
class IntakeServices:
    write_path: WritePath
    access_log: AccessLog
    suggestions: LinkSuggestions
    person_key_secret: bytes

    @property
    def keys(self) -> KeyStore:
        """The case data keys the write path seals with (erasure shreds one)."""
        return self.write_path.keys
