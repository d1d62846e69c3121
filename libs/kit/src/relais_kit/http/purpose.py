"""Why a caller reads case data: required on every read, written into the access log.

DESIGN.md section 6 and the CNIL's guidance on access logs: who, what, when and why. Every
service's read routes take it the same way, so a client sends it the same way everywhere.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Query
from relais_events.catalogue.timeline import AccessPurpose

from relais_kit.http.problems import ProblemError


def access_purpose(
    header: Annotated[AccessPurpose | None, Header(alias="X-Relais-Purpose")] = None,
    query: Annotated[AccessPurpose | None, Query(alias="purpose")] = None,
) -> AccessPurpose:
    """Why the caller reads: the ``X-Relais-Purpose`` header, or ``?purpose=`` where a client
    cannot set headers. Required, and it goes into the access log (CNIL: who, what, when, why)."""
    if header is not None and query is not None and header != query:
        raise ProblemError(
            400,
            "Two different purposes",
            "X-Relais-Purpose and ?purpose= disagree: state one purpose.",
            slug="purpose-conflict",
            errors=[{"field": "header.X-Relais-Purpose", "message": "differs from ?purpose="}],
        )
    purpose = header or query
    if purpose is None:
        raise ProblemError(
            400,
            "Purpose required",
            "Every read of case data states why: send X-Relais-Purpose (or ?purpose=).",
            slug="purpose-required",
            errors=[{"field": "header.X-Relais-Purpose", "message": "Field required"}],
        )
    return purpose


Purpose = Annotated[AccessPurpose, Depends(access_purpose)]
