"""What a person sees when something stops a page: never a stack trace, never case data.

A service's refusal becomes a refusal page in French (403: outside your département or role,
404: not found or not yours to see); an expired session goes back to the login; a service
that does not answer is said to be unavailable, by name.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse
from starlette.exceptions import HTTPException
from starlette.responses import Response

from relais_console.application.ports import Refused, Unavailable
from relais_console.domain.problems import explain
from relais_console.entrypoints.rendering import render
from relais_console.entrypoints.security import CsrfRefused
from relais_console.entrypoints.session import LoginRequired, close_session, optional_user

SERVICE_NAMES = {
    "intake": "des signalements",
    "protection-orders": "des ordonnances de protection",
    "timeline": "de la chronologie des dossiers",
    "shelter": "de l'hébergement",
    "referrals": "des orientations",
}


async def _login(request: Request, exc: Exception) -> Response:
    return RedirectResponse("/connexion", status_code=303)


async def _refused(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Refused)
    if exc.problem.status == 401:
        close_session(request)
        return RedirectResponse("/connexion", status_code=303)
    status = exc.problem.status if 400 <= exc.problem.status < 500 else 502
    return render(
        request,
        "refus.html",
        user=await optional_user(request),
        status=status,
        explanation=explain(exc.problem),
        refusal=exc,
    )


async def _unavailable(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Unavailable)
    name = SERVICE_NAMES.get(exc.service, exc.service)
    user = await optional_user(request)
    return render(request, "indisponible.html", user=user, status=502, service=name)


async def _csrf(request: Request, exc: Exception) -> Response:
    return render(request, "csrf.html", status=403)


async def _http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return render(request, "introuvable.html", status=exc.status_code)


def install_error_pages(app: FastAPI) -> None:
    app.add_exception_handler(LoginRequired, _login)
    app.add_exception_handler(Refused, _refused)
    app.add_exception_handler(Unavailable, _unavailable)
    app.add_exception_handler(CsrfRefused, _csrf)
    app.add_exception_handler(HTTPException, _http)
