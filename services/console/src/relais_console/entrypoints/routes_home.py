"""The landing page: what the person can do, by role; and the page of a route that is not."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from relais_console.entrypoints.rendering import render
from relais_console.entrypoints.session import CurrentUser

router = APIRouter()


@router.get("/")
async def home(request: Request, user: CurrentUser) -> Response:
    return render(request, "accueil.html", user=user)
