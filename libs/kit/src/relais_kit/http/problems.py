"""RFC 9457 problem details (`application/problem+json`) for every error a service answers.

Bodies never echo the input (it is case data, often personal) nor exception text from code we do
not own: a validation error names the field and what is wrong with it; anything unexpected is a
500 with a generic message and the trace id, which is how support finds the logged stack trace.

Every 404 is ONE body, whatever raised it (a missing case, an order, a referral, a record of a
département the caller does not act for, ``NotVisible``): a title, detail or rule that varied
with the reason would tell a caller of another département that the case exists (issue 13;
DOMAIN.md, no search across départements). Only ``instance`` (the path asked) differs. Nor may
its timing tell them apart: finding that a case exists but is not theirs costs other round
trips than finding nothing (measured: about a millisecond less on FerretDB, a cached state), so
``NotFoundFloor`` sends every 404 no sooner than a floor after the request came in.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any, Final

import anyio
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from opentelemetry import trace
from relais_events.rules import RuleViolation
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from relais_kit.application.acting import NotVisible, OutsideJurisdiction
from relais_kit.application.write_path import AggregateBusy
from relais_kit.store.ports import ConcurrencyConflict

PROBLEM_JSON: Final = "application/problem+json"
NOT_FOUND: Final = {
    "type": "urn:relais:problem:not-found",
    "title": "Not found",
    "status": 404,
    "detail": "Nothing with this id exists for you.",
}
log = logging.getLogger(__name__)


class ProblemError(Exception):
    """Raise to answer with a problem; `slug` names its type (`urn:relais:problem:<slug>`)."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str | None = None,
        *,
        slug: str | None = None,
        headers: Mapping[str, str] | None = None,
        **extensions: Any,
    ) -> None:
        super().__init__(title)
        self.status, self.title, self.detail, self.slug = status, title, detail, slug
        self.headers = dict(headers or {})
        self.extensions = extensions


def problem_response(
    request: Request,
    status: int,
    title: str | None = None,
    detail: str | None = None,
    *,
    slug: str | None = None,
    headers: Mapping[str, str] | None = None,
    **extensions: Any,
) -> JSONResponse:
    """A problem+json response; `about:blank` (title = the status phrase) when no slug is given.
    A 404 is always the uniform ``NOT_FOUND`` (see the module doc): what the caller passed for it
    is dropped, headers included."""
    if status == 404:
        return _not_found(request)
    body: dict[str, Any] = {
        "type": f"urn:relais:problem:{slug}" if slug else "about:blank",
        "title": title or HTTPStatus(status).phrase,
        "status": status,
    }
    if detail:
        body["detail"] = detail
    body["instance"] = request.url.path
    span = trace.get_current_span().get_span_context()
    if span.is_valid:
        body["trace_id"] = format(span.trace_id, "032x")
    body.update(extensions)
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_JSON)


_STARTED: Final = "relais.started"  # an ASGI scope extension key: when the request came in
_FLOOR: Final = "relais.not_found_floor_s"


class _NotFoundResponse(JSONResponse):
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        started, floor = scope.get(_STARTED), scope.get(_FLOOR, 0.0)
        if started is not None:
            await anyio.sleep(max(0.0, started + floor - anyio.current_time()))
        await super().__call__(scope, receive, send)


class NotFoundFloor:
    """Notes when each request came in, so that its 404, if any, waits for ``floor_s``."""

    def __init__(self, app: ASGIApp, *, floor_s: float) -> None:
        self.app, self.floor_s = app, floor_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            scope[_STARTED], scope[_FLOOR] = anyio.current_time(), self.floor_s
        await self.app(scope, receive, send)


def _not_found(request: Request) -> JSONResponse:
    # No trace id either: a missing record and a hidden one must answer the same bytes.
    body = {**NOT_FOUND, "instance": request.url.path}
    return _NotFoundResponse(body, status_code=404, media_type=PROBLEM_JSON)


def _field(loc: tuple[int | str, ...]) -> str:
    """`("body", "victim", "phones", 0)` -> `victim.phones[0]`; other sources keep their prefix."""
    parts = list(loc[1:]) if loc and loc[0] == "body" else list(loc)
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "body"


async def _validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        # A JSON syntax error's location is a character offset: the field is the body itself.
        {
            "field": "body" if e["type"] == "json_invalid" else _field(tuple(e["loc"])),
            "message": e["msg"],
        }
        for e in exc.errors()
    ]
    return problem_response(
        request, 422, "Invalid request", "See `errors`.", slug="validation", errors=errors
    )


async def _http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    # Only our own code sets HTTPException details, so they are safe to show.
    detail = exc.detail if isinstance(exc.detail, str) else None
    phrase = HTTPStatus(exc.status_code).phrase
    return problem_response(
        request, exc.status_code, phrase, None if detail == phrase else detail, headers=exc.headers
    )


async def _problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ProblemError)
    return problem_response(
        request,
        exc.status,
        exc.title,
        exc.detail,
        slug=exc.slug,
        headers=exc.headers,
        **exc.extensions,
    )


async def _rule(request: Request, exc: Exception) -> JSONResponse:
    """A business rule: `rule` (the class name, or the kit error's `rule`) is for clients."""
    retry_after: int | None = None
    if isinstance(exc, RuleViolation):
        status, rule, detail = exc.status, exc.rule, exc.detail
        retry_after = exc.retry_after_s
    else:
        status = _mapped_status(request, exc)
        rule = str(getattr(exc, "rule", type(exc).__name__))
        doc = (type(exc).__doc__ or "").strip().splitlines()
        detail = str(getattr(exc, "detail", "") or "") or (doc[0] if doc else rule)
    title = "Conflict with the current state" if status == 409 else "Business rule violated"
    headers = None if retry_after is None else {"Retry-After": str(retry_after)}
    return problem_response(
        request, status, title, detail, slug="rule-violation", headers=headers, rule=rule
    )


def _mapped_status(request: Request, exc: Exception) -> int:
    mapping: Mapping[type[Exception], int] = request.app.state.relais_error_map
    return next(mapping[cls] for cls in type(exc).__mro__ if cls in mapping)


async def _outside(request: Request, exc: Exception) -> JSONResponse:
    return problem_response(
        request,
        403,
        "Outside your jurisdiction",
        "You do not act for this département.",
        slug="forbidden-jurisdiction",
    )


async def _not_visible(request: Request, exc: Exception) -> JSONResponse:
    return _not_found(request)


async def _busy(request: Request, exc: Exception) -> JSONResponse:
    """Another writer kept taking the version: nothing was written, retry (409)."""
    return problem_response(
        request,
        409,
        "Conflict with the current state",
        "The record changed while your request was decided; nothing was written. Retry.",
        slug="rule-violation",
        headers={"Retry-After": "1"},
        rule=getattr(exc, "rule", type(exc).__name__),
    )


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem_response(request, 500, "Internal Server Error", "An unexpected error occurred.")


def install_problem_handlers(
    app: FastAPI, error_map: Mapping[type[Exception], int] | None = None
) -> None:
    """Answer every error as a problem. Every domain's rules (``RuleViolation``) carry their own
    status; `error_map` maps other exception classes a service wants answered as rule
    violations to 409/422; subclasses inherit their base's status."""
    app.state.relais_error_map = dict(error_map or {})
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(ProblemError, _problem)
    app.add_exception_handler(RuleViolation, _rule)
    app.add_exception_handler(OutsideJurisdiction, _outside)
    app.add_exception_handler(NotVisible, _not_visible)
    app.add_exception_handler(AggregateBusy, _busy)
    app.add_exception_handler(ConcurrencyConflict, _busy)
    for cls in app.state.relais_error_map:
        app.add_exception_handler(cls, _rule)
    app.add_exception_handler(Exception, _unexpected)
