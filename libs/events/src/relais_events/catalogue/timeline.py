"""Events of the timeline context: committee meetings and the access log.

Access log entries follow the CNIL's guidance: who (by pseudonymous subject, role, organisation),
what, when (the envelope's ``time``) and why. Never a name.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from relais_events import topics
from relais_events.catalogue.base import Event, register
from relais_events.vocabulary import (
    AccessedResource,
    Departement,
    Identifier,
    Role,
    Sha256Hex,
)


class AccessPurpose(StrEnum):
    CASE_FOLLOW_UP = "case_follow_up"
    COMMITTEE_REVIEW = "committee_review"
    PROTECTION_ORDER_REQUEST = "protection_order_request"
    REFERRAL = "referral"
    EMERGENCY = "emergency"
    AUDIT = "audit"


class PartitionOffset(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    topic: Identifier
    partition: int = Field(ge=0)
    offset: int = Field(ge=0)


class CaseHash(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    case_id: Identifier
    hash: Sha256Hex


class _Timeline(Event):
    TOPIC = topics.TIMELINE


@register
class CommitteeMeetingHeld(_Timeline):
    """A CLAV meeting, with a snapshot: exactly what the committee knew that day."""

    TYPE = "committee.meeting_held"

    meeting_id: Identifier
    departement: Departement
    held_on: dt.date
    watermark: list[PartitionOffset] = Field(default_factory=list)
    case_hashes: list[CaseHash] = Field(default_factory=list)


@register
class AccessLogged(_Timeline):
    """A read of case data."""

    TYPE = "access.logged"

    access_id: Identifier
    case_id: Identifier
    subject_ref: Identifier  # the token's ``sub``: pseudonymous, resolved only by the IdP
    role: Role
    org: Identifier
    resource: AccessedResource
    purpose: AccessPurpose
