"""Events of the timeline context: committee meetings and the access log.

Access log entries follow the CNIL's guidance: who (by pseudonymous subject, role, organisation),
what, when (the envelope's ``time``) and why. Never a name.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from relais_events import topics
from relais_events.catalogue.base import Event, register
from relais_events.upcasting import upcaster
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
class AccessLoggedV1(_Timeline):
    """Kept to read v1 records: one entry per case shown, so a listing wrote one per row."""

    TYPE = "access.logged"
    VERSION = 1

    access_id: Identifier
    case_id: Identifier
    subject_ref: Identifier
    role: Role
    org: Identifier
    resource: AccessedResource
    purpose: AccessPurpose


MAX_CASES_PER_ACCESS = 500


@register
class AccessLogged(_Timeline):
    """One read of case data (one request): who, role, organisation, what, why (v2).

    v2 names every case the answer showed in ``case_ids``, so a listing is one entry, not one
    per row. ``subject_ref`` and ``org`` are pseudonyms: the value when it is a safe
    identifier, else ``sha256-<hex>`` of it (``relais_kit.application.acting.pseudonym``).
    """

    TYPE = "access.logged"
    VERSION = 2

    access_id: Identifier
    case_ids: list[Identifier] = Field(max_length=MAX_CASES_PER_ACCESS)
    subject_ref: Identifier  # the token's ``sub``: pseudonymous, resolved only by the IdP
    role: Role
    org: Identifier
    resource: AccessedResource
    purpose: AccessPurpose


@upcaster("access.logged", 1)
def _access_logged_v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    upgraded = {k: v for k, v in data.items() if k != "case_id"}
    upgraded["case_ids"] = [data["case_id"]]
    return upgraded


@register
class AccessLogPurged(_Timeline):
    """Access-log entries past their retention were deleted from a service's own store.

    DOMAIN.md "Data protection" and the CNIL's guidance: access logs are kept 6 to 12 months,
    then deleted. The purge is itself on the signed log, so an auditor sees that retention is
    applied and up to when: which service, the instant before which entries were logged, the
    retention and how many entries that process deleted; never the cases nor the readers.
    An event rather than an access entry: nobody read case data, the platform deleted some.
    """

    TYPE = "access_log.purged"

    purge_id: Identifier
    service: Identifier
    logged_before: AwareDatetime
    retention_days: int = Field(ge=1)
    entries: int = Field(ge=1)
