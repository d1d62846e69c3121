"""What the timeline keeps of an event: a summary safe for a committee, and where it was read.

The summary never holds ``pii`` (the sealed personal data stays in the log only) and drops from
``data`` the fields that identify a person or a place even under a pseudonym (DOMAIN.md "Data
protection": collect the minimum; "No name search across départements"; shelter addresses are
secret outside the shelter service, DESIGN.md section 6).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from relais_events.envelope import Envelope
from relais_events.integrity import envelope_hash

# ``person_key`` finds a person within a jurisdiction (pseudonymous data is still personal data,
# GDPR recital 26); ``site_id`` locates a shelter, which only the shelter service may know;
# ``assessor_ref`` names the professional who assessed (the review rule needs it, a committee
# reads the role and organisation of the envelope instead).
PERSONAL_FIELDS: Final = frozenset({"person_key", "site_id", "assessor_ref"})


class Origin(BaseModel):
    """The context-topic record an event was read from: its offset is what a watermark counts."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    topic: str
    partition: int = Field(ge=0)
    offset: int = Field(ge=0)


class EventSummary(BaseModel):
    """One event as the timeline sees it (the ``envelope_summary`` that ``apply`` takes)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_id: str
    type: str
    time: AwareDatetime
    source: str  # the producing service, e.g. ``intake``
    actor_role: str
    actor_org: str
    jurisdiction: str | None
    depends_on: tuple[str, ...] = ()
    event_hash: str  # the envelope's SHA-256 (DESIGN.md section 4): what the case hash chains
    data: dict[str, Any] = Field(default_factory=dict)
    # When the log had it (the context record's timestamp): the same on every replay, unlike
    # the moment a worker happened to read it, so "as of" answers survive a rebuild.
    logged_at: AwareDatetime
    origin: Origin | None = None


def summarize(envelope: Envelope, logged_at: dt.datetime, origin: Origin | None) -> EventSummary:
    """The committee-safe summary of ``envelope``: no ``pii``, no personal field of ``data``."""
    return EventSummary(
        event_id=envelope.id,
        type=envelope.type,
        time=envelope.time,
        source=envelope.service,
        actor_role=str(envelope.actor.role),
        actor_org=envelope.actor.org,
        jurisdiction=envelope.jurisdiction,
        depends_on=envelope.dependson,
        # An unsealed event (a test fixture) still gets the hash it would have been sealed with.
        event_hash=envelope.hash or envelope_hash(envelope),
        data={k: v for k, v in envelope.data.items() if k not in PERSONAL_FIELDS},
        logged_at=logged_at,
        origin=origin,
    )
