"""Back-pressure at the door: at most ``limit`` requests in flight, the others refused at once.

Under more load than a process can serve, queuing requests only makes every answer late (seconds
behind the clock, then timeouts). A request beyond the bound is answered 503 with
``Retry-After`` before anything is read or written, so the ones let in keep their latency and a
client knows to come back. Health probes are never refused: they say how the process is, not
what it can take.
"""

from __future__ import annotations

from typing import Final

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from relais_kit.http.problems import problem_response

_PROBES: Final = frozenset({"/healthz", "/readyz"})


class AdmissionLimit:
    def __init__(self, app: ASGIApp, *, limit: int, retry_after_s: int = 1) -> None:
        self.app, self.limit, self.retry_after_s = app, limit, retry_after_s
        self.in_flight = 0
        self.refused = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in _PROBES:
            return await self.app(scope, receive, send)
        if self.in_flight >= self.limit:
            self.refused += 1
            answer = problem_response(
                Request(scope),
                503,
                "Too many requests in flight",
                "The service is at capacity; retry shortly.",
                slug="overloaded",
                headers={"Retry-After": str(self.retry_after_s)},
            )
            return await answer(scope, receive, send)
        self.in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1
