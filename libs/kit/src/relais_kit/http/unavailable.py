"""A dependency that does not answer is a 503 with ``Retry-After``, never a 500 or a hang.

When the store (or a broker a route talks to) is away, PyMongo raises ``ConnectionFailure``
(refused, reset, no server selectable within the client's timeout) and aiokafka a
``KafkaConnectionError`` or a timeout. Nothing about the request is wrong and retrying later may
well succeed, so the caller is told so: ``503 Service Unavailable`` as a problem
(``urn:relais:problem:unavailable``) with ``Retry-After``, and the request's own fate stated
honestly in ``detail``. A write that had reached the store before it went away is not lost: the
outbox sweep publishes it (``relais_kit.outbox``).

It is an ASGI middleware just inside the admission limit, so it also covers what the
``Idempotency-Key`` middleware does with the store before and after the route. It turns an
error into an answer only while no answer has started (after that the connection is cut, and
the client sees a broken response rather than a wrong one).
"""

from __future__ import annotations

import logging
from typing import Final

from aiokafka.errors import KafkaConnectionError, KafkaTimeoutError, NodeNotReadyError
from pymongo.errors import ConnectionFailure
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from relais_kit.http.problems import problem_response

log = logging.getLogger(__name__)
# PyMongo's ConnectionFailure covers AutoReconnect, NetworkTimeout, ServerSelectionTimeoutError.
UNAVAILABLE: Final = (ConnectionFailure, KafkaConnectionError, KafkaTimeoutError, NodeNotReadyError)


class DependencyUnavailable:
    def __init__(self, app: ASGIApp, *, retry_after_s: int = 2) -> None:
        self.app, self.retry_after_s = app, retry_after_s
        self.answered = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except UNAVAILABLE as error:
            if started:
                raise
            # The class only: the message may name hosts.
            log.warning("%s %s: a dependency is unavailable (%s)", scope["method"],
                        scope["path"], type(error).__name__)  # fmt: skip
            self.answered += 1
            answer = problem_response(
                Request(scope),
                503,
                "A dependency is unavailable",
                "The store or the broker does not answer; retry shortly. A write that was "
                "acknowledged before stays; a write that was not may or may not have been "
                "recorded: repeat it with the same Idempotency-Key.",
                slug="unavailable",
                headers={"Retry-After": str(self.retry_after_s)},
            )
            await answer(scope, receive, send)
