"""Committee member pages: the département's cases, a case's timeline (live, or as known on a
date), meetings and a case as the committee knew it at a past meeting.

Every read goes to the timeline (and protection orders for "enforceable now") with the purpose
``committee_review``: the services log each one before answering. The live timeline asks again
every few seconds while the page is visible; each look is one more logged read.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse
from relais_events.vocabulary import IDENTIFIER_PATTERN
from starlette.responses import Response

from relais_console.application.committee import COMMITTEE_PURPOSE, committee_overview
from relais_console.application.ports import Refused
from relais_console.domain.civil_time import input_value
from relais_console.domain.problems import explain
from relais_console.entrypoints.dependencies import ConsoleDep, DepartementPath, IdPath
from relais_console.entrypoints.forms import Invalid, key_of, new_key, values_of
from relais_console.entrypoints.forms import instant as instant_of
from relais_console.entrypoints.rendering import render
from relais_console.entrypoints.security import CheckedForm
from relais_console.entrypoints.session import CurrentUser

router = APIRouter()
Typed = Annotated[str | None, Query(max_length=40)]
EventId = Annotated[str | None, Query(pattern=IDENTIFIER_PATTERN)]


@router.get("/comite")
async def committee_home(request: Request, user: CurrentUser) -> Response:
    if len(user.departements) == 1:
        return RedirectResponse(f"/comite/{user.departements[0]}", status_code=303)
    return render(request, "comite_choix.html", user=user)


@router.get("/comite/{departement}")
async def committee_cases(
    request: Request, departement: DepartementPath, user: CurrentUser, console: ConsoleDep
) -> Response:
    rows = await committee_overview(
        user.token, departement, timelines=console.timelines, orders=console.orders
    )
    return render(
        request, "comite.html", user=user, departement=departement, rows=rows, key=new_key()
    )


@router.get("/dossiers/{case_id}")
async def case_timeline(
    *,
    request: Request,
    case_id: IdPath,
    user: CurrentUser,
    console: ConsoleDep,
    as_of: Typed = None,
    min_event: EventId = None,
) -> Response:
    """``as_of``: the date-time picker's value (Paris civil time); ``min_event``: the event the
    person just wrote, which the timeline waits briefly for (read-your-writes)."""
    values = {"as_of": as_of or ""}
    explanation = None
    instant: str | None = None
    try:
        instant = instant_of(values, "as_of", required=False)
    except Invalid as invalid:
        explanation = invalid.explanation
    try:
        timeline = await console.timelines.timeline(
            user.token, COMMITTEE_PURPOSE, case_id, as_of=instant, min_event=min_event
        )
    except Refused as refused:
        if refused.problem.slug != "event-not-applied":
            raise
        # Not projected yet: show what is there; the live refresh brings the rest.
        explanation = explain(refused.problem)
        timeline = await console.timelines.timeline(user.token, COMMITTEE_PURPOSE, case_id)
    return render(
        request,
        "chronologie.html",
        user=user,
        timeline=timeline,
        live=instant is None,
        values=values,
        explanation=explanation,
        refresh_ms=int(console.settings.live_refresh_s * 1000),
    )


@router.get("/dossiers/{case_id}/entrees")
async def live_entries(
    request: Request,
    case_id: IdPath,
    user: CurrentUser,
    console: ConsoleDep,
    depuis: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    """The entries, for the live page: 204 when the case hash has not moved since ``depuis``."""
    timeline = await console.timelines.timeline(user.token, COMMITTEE_PURPOSE, case_id)
    if depuis and depuis == timeline.case_hash:
        return Response(status_code=204)
    answer = render(request, "_entrees.html", user=user, timeline=timeline)
    answer.headers["X-Relais-Case-Hash"] = timeline.case_hash
    return answer


@router.post("/comite/{departement}/reunions")
async def hold_meeting(
    request: Request,
    departement: DepartementPath,
    user: CurrentUser,
    console: ConsoleDep,
    form: CheckedForm,
) -> Response:
    """Record a meeting: the timeline snapshots every open case (hashes and watermarks). The
    timeline has no listing of meetings, so this page shows the snapshot it answered."""
    meeting = await console.timelines.hold_meeting(user.token, departement, key_of(values_of(form)))
    return render(request, "reunion.html", user=user, meeting=meeting, status=201)


@router.get("/comite/{departement}/reunions")
async def open_meeting(
    request: Request,
    departement: DepartementPath,
    user: CurrentUser,
    reunion: EventId = None,
    dossier: EventId = None,
) -> Response:
    if reunion and dossier:
        url = f"/comite/{departement}/reunions/{reunion}/dossiers/{dossier}"
        return RedirectResponse(url, status_code=303)
    values = {"reunion": reunion or "", "dossier": dossier or ""}
    return render(request, "reunion_ouvrir.html", user=user, departement=departement, values=values)


@router.get("/comite/{departement}/reunions/{meeting_id}/dossiers/{case_id}")
async def case_at_meeting(
    *,
    request: Request,
    departement: DepartementPath,
    meeting_id: IdPath,
    case_id: IdPath,
    user: CurrentUser,
    console: ConsoleDep,
) -> Response:
    timeline = await console.timelines.case_at_meeting(
        user.token, COMMITTEE_PURPOSE, departement, meeting_id, case_id
    )
    return render(
        request,
        "chronologie.html",
        user=user,
        timeline=timeline,
        live=False,
        values={"as_of": input_value(timeline.as_of) if timeline.as_of else ""},
        refresh_ms=0,
    )
