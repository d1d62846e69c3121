"""Shelter operator pages (issue 11): allocate places, claim nights against the funding
envelope, the envelope's consumption chart, free places of a département on a night.

The shelter service's API (port 8103) is the one these pages call; ``tests/test_console_calls_
shelter.py`` runs this console's adapter against it. Reads that show no case data (envelope,
availability counts) still state a purpose.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Final

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse
from relais_events.vocabulary import DEPARTEMENT_PATTERN, IDENTIFIER_PATTERN
from starlette.responses import Response

from relais_console.application.ports import Refused, Unavailable
from relais_console.domain.envelope_chart import WIDTH, consumption
from relais_console.entrypoints.dependencies import ConsoleDep, IdPath
from relais_console.entrypoints.forms import (
    Invalid,
    Values,
    checked,
    failure,
    integer,
    key_of,
    new_key,
    text,
    values_of,
)
from relais_console.entrypoints.rendering import render
from relais_console.entrypoints.security import CheckedForm
from relais_console.entrypoints.session import CurrentUser

router = APIRouter(prefix="/hebergement")
PURPOSE: Final = "case_follow_up"


def _keys(text_list: str | None) -> list[str]:
    return [k for k in (text_list or "").replace(",", " ").split() if k]


@router.get("")
async def shelter_home(
    request: Request,
    user: CurrentUser,
    console: ConsoleDep,
    departement: Annotated[str | None, Query(pattern=DEPARTEMENT_PATTERN)] = None,
    nuit: Annotated[dt.date | None, Query()] = None,
) -> Response:
    free = None
    if departement and nuit:
        free = await console.shelter.availability(
            user.token, PURPOSE, departement, nuit.isoformat()
        )
    values = {
        "first_night": dt.date.today().isoformat(),  # noqa: DTZ011  (the operator's calendar day)
        "nights": "1",
        "idempotency_key": new_key(),
    }
    return render(request, "hebergement.html", user=user, values=values, free=free)


@router.post("/attributions")
async def allocate(
    request: Request, user: CurrentUser, console: ConsoleDep, form: CheckedForm
) -> Response:
    values = values_of(form)
    # No "minor_victim": the shelter takes it from the case intake reported, not from a form.
    body: dict[str, Any] = {
        "case_id": text(values, "case_id"),
        "site_id": text(values, "site_id"),
        "first_night": text(values, "first_night"),
        "nights": integer(values, "nights"),
        "adults": _keys(text(values, "adults")),
        "children": _keys(text(values, "children")),
        "consent_given": checked(values, "consent_given"),
    }
    try:
        allocation = await console.shelter.allocate(user.token, body, key_of(values))
    except (Invalid, Refused, Unavailable) as error:
        status, explanation, values = failure(error, values)
        return render(
            request,
            "hebergement.html",
            user=user,
            values=values,
            explanation=explanation,
            status=status,
            free=None,
        )
    claim = {"night": allocation.first_night.isoformat(), "idempotency_key": new_key()}
    return render(
        request, "attribution.html", user=user, allocation=allocation, values=claim, status=201
    )


@router.post("/nuitees")
async def claim_night(
    request: Request, user: CurrentUser, console: ConsoleDep, form: CheckedForm
) -> Response:
    values: Values = values_of(form)
    body = {
        "allocation_id": text(values, "allocation_id"),
        "envelope_id": text(values, "envelope_id"),
        "night": text(values, "night"),
    }
    try:
        outcome = await console.shelter.claim(user.token, body, key_of(values))
    except (Invalid, Refused, Unavailable) as error:
        status, explanation, values = failure(error, values)
        return render(
            request,
            "nuitee.html",
            user=user,
            values=values,
            explanation=explanation,
            outcome=None,
            status=status,
        )
    return render(request, "nuitee.html", user=user, values=values, outcome=outcome)


@router.get("/enveloppe")
async def envelope_lookup(
    user: CurrentUser, id: Annotated[str, Query(pattern=IDENTIFIER_PATTERN)]
) -> Response:
    return RedirectResponse(f"/hebergement/enveloppes/{id}", status_code=303)


@router.get("/enveloppes/{envelope_id}")
async def envelope(
    request: Request, envelope_id: IdPath, user: CurrentUser, console: ConsoleDep
) -> Response:
    found = await console.shelter.envelope(user.token, PURPOSE, envelope_id)
    return render(
        request, "enveloppe.html", user=user, envelope=found, chart=consumption(found), width=WIDTH
    )
