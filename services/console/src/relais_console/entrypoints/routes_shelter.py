"""Shelter operator pages (issue 11): the operator's sites and their places per night, allocate
places, find an allocation again, claim nights against the funding envelope, the envelope's
consumption chart, free places of a département on a night.

The shelter service's API (port 8103) is the one these pages call;
``tests/browser/test_shelter_in_a_browser.py`` drives them against it. Reads that show no case
data (sites, envelope, availability counts) still state a purpose.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Final

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse
from relais_events.vocabulary import DEPARTEMENT_PATTERN, IDENTIFIER_PATTERN
from starlette.responses import Response

from relais_console.application.ports import Refused, Unavailable
from relais_console.bootstrap import Console
from relais_console.domain.envelope_chart import WIDTH, consumption
from relais_console.domain.partner_views import Availability, OperatedSite
from relais_console.domain.problems import ID_MESSAGE, Explanation, field_message
from relais_console.domain.rules import RULES
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
from relais_console.entrypoints.session import CurrentUser, User

router = APIRouter(prefix="/hebergement")
PURPOSE: Final = "case_follow_up"
# What a 404 means on each form (every 404 is the same body): an allocation names one site,
# a claim an allocation and an envelope.
SITE_NOT_FOUND: Final = ("site_id", RULES["SiteNotFound"])
CLAIM_NOT_FOUND: Final = (
    "envelope_id",
    "Attribution ou enveloppe introuvable, ou hors de votre compétence.",
)


def _keys(text_list: str | None) -> list[str]:
    return [k for k in (text_list or "").replace(",", " ").split() if k]


@router.get("")
async def shelter_home(
    request: Request,
    user: CurrentUser,
    console: ConsoleDep,
    departement: Annotated[str | None, Query()] = None,
    nuit: Annotated[str | None, Query()] = None,
) -> Response:
    today = dt.date.today()  # noqa: DTZ011  (the operator's calendar day)
    # What the free-places form shows: what was asked, as typed, else their own département.
    asked = {
        "departement": departement if departement is not None else _own(user),
        "nuit": nuit if nuit is not None else today.isoformat(),
    }
    wrong: dict[str, list[str]] = {}
    if departement is not None and not re.fullmatch(DEPARTEMENT_PATTERN, departement):
        wrong["departement"] = [field_message("departement", "String should match pattern")]
    night = _date(nuit)
    if nuit is not None and night is None:
        wrong["nuit"] = ["Date non valide (jj/mm/aaaa)."]
    if wrong:
        return await _home(request, user, console, asked=asked, asked_error=_typed(wrong))
    free = None
    if departement and night:
        free = await console.shelter.availability(
            user.token, PURPOSE, departement, night.isoformat()
        )
    return await _home(request, user, console, asked=asked, free=free)


async def _home(
    request: Request,
    user: User,
    console: Console,
    *,
    values: Values | None = None,
    explanation: Explanation | None = None,
    status: int = 200,
    asked: dict[str, str] | None = None,
    asked_error: Explanation | None = None,
    lookups: dict[str, str] | None = None,
    lookup_error: Explanation | None = None,
    free: Availability | None = None,
) -> Response:
    """The shelter page: each of its forms keeps what was typed and shows its own errors."""
    today = dt.date.today()  # noqa: DTZ011  (the operator's calendar day)
    if values is None:
        values = {"first_night": today.isoformat(), "nights": "1", "idempotency_key": new_key()}
    if asked is None:
        night = text(values, "first_night") or today.isoformat()
        asked = {"departement": _own(user), "nuit": night}
    return render(
        request,
        "hebergement.html",
        user=user,
        status=status if not (asked_error or lookup_error) else 422,
        values=values,
        explanation=explanation,
        asked=asked,
        asked_error=asked_error,
        lookups=lookups or {},
        lookup_error=lookup_error,
        free=free,
        **await _sites(console, user, today),
    )


def _own(user: User) -> str:
    return next(iter(user.departements), "")


def _date(typed: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(typed) if typed else None
    except ValueError:
        return None


def _typed(fields: dict[str, list[str]]) -> Explanation:
    """What the console itself refuses to send (the services' alphabets would refuse it)."""
    return Explanation(
        summary="La demande n'a pas été envoyée : corrigez le champ signalé.", fields=fields
    )


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
        status, explanation, values = failure(error, values, not_found=SITE_NOT_FOUND)
        return await _home(
            request, user, console, values=values, explanation=explanation, status=status
        )
    claim = {"night": allocation.first_night.isoformat(), "idempotency_key": new_key()}
    return render(
        request, "attribution.html", user=user, allocation=allocation, values=claim, status=201
    )


@router.get("/attribution")
async def allocation_lookup(
    request: Request,
    user: CurrentUser,
    console: ConsoleDep,
    allocation_id: Annotated[str, Query()] = "",
) -> Response:
    return await _lookup(
        request, user, console, field="allocation_id", typed=allocation_id, pages="attributions"
    )


@router.get("/attributions/{allocation_id}")
async def allocation_page(
    request: Request, allocation_id: IdPath, user: CurrentUser, console: ConsoleDep
) -> Response:
    """An allocation found again, to claim its nights on the days after they were provided."""
    allocation = await console.shelter.allocation(user.token, PURPOSE, allocation_id)
    claim = {"night": allocation.first_night.isoformat(), "idempotency_key": new_key()}
    return render(request, "attribution.html", user=user, allocation=allocation, values=claim)


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
        status, explanation, values = failure(error, values, not_found=CLAIM_NOT_FOUND)
        return render(
            request,
            "nuitee.html",
            user=user,
            values=values,
            explanation=explanation,
            outcome=None,
            status=status,
        )
    # The form again, for the next night once this one is accepted (a rejected night stays as
    # typed): same allocation and envelope, a new key (this one holds the answer just given).
    night = values.get("night")
    if outcome.outcome == "accepted":
        night = _next_night(night)
    following = values | {"night": night, "idempotency_key": new_key()}
    return render(request, "nuitee.html", user=user, values=following, outcome=outcome, status=201)


def _next_night(night: object) -> str:
    try:
        return (dt.date.fromisoformat(str(night)) + dt.timedelta(days=1)).isoformat()
    except ValueError:
        return str(night or "")


SITE_NIGHTS: Final = 7  # the week ahead, on the shelter page


async def _sites(console: Console, user: User, today: dt.date) -> dict[str, Any]:
    """The operator's own sites and their week, and the allocation form's choice of site.
    ``sites`` is None when they cannot be read just now: the page still works, and the form
    then takes a site's id as typed."""
    sites: list[OperatedSite] | None = None
    if user.has("shelter_operator"):
        try:
            sites = await console.shelter.sites(user.token, PURPOSE, today.isoformat(), SITE_NIGHTS)
        except (Refused, Unavailable):
            sites = None
    choices = {s.site_id: f"{s.site_id} (dép. {s.departement})" for s in sites or ()}
    return {"sites": sites, "site_choices": choices}


@router.get("/enveloppe")
async def envelope_lookup(
    request: Request, user: CurrentUser, console: ConsoleDep, id: Annotated[str, Query()] = ""
) -> Response:
    return await _lookup(request, user, console, field="id", typed=id, pages="enveloppes")


async def _lookup(
    request: Request, user: User, console: Console, *, field: str, typed: str, pages: str
) -> Response:
    """To the page of the id typed; an id no service could hold stays in its field, explained."""
    wanted = typed.strip()
    if re.fullmatch(IDENTIFIER_PATTERN, wanted):
        return RedirectResponse(f"/hebergement/{pages}/{wanted}", status_code=303)
    message = ID_MESSAGE if wanted else "Ce champ est obligatoire."
    return await _home(
        request, user, console, lookups={field: typed}, lookup_error=_typed({field: [message]})
    )


@router.get("/enveloppes/{envelope_id}")
async def envelope(
    request: Request, envelope_id: IdPath, user: CurrentUser, console: ConsoleDep
) -> Response:
    found = await console.shelter.envelope(user.token, PURPOSE, envelope_id)
    return render(
        request, "enveloppe.html", user=user, envelope=found, chart=consumption(found), width=WIDTH
    )
