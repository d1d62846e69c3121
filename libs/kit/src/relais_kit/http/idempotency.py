"""`Idempotency-Key` on POST (DESIGN.md section 3, step 5).

The same key with the same request returns the first answer (status, body) and runs nothing
again; the same key with a different request is a 422 problem. Keys belong to the caller: the
record id is `<principal.sub>:<key>`, so one user can neither replay nor block another's.

It is an ASGI middleware, not a dependency, because it must see the raw body before the route
and the answer after it. It verifies the bearer token itself (the route's `CurrentPrincipal`
then reuses that result); a request without a valid token passes through untouched and the
route answers 401. Who wins a race is decided by the store's insert: the loser waits up to
`wait_s` for the winner's answer, then answers 409 "in progress". A claim whose lease ran out
(its process crashed mid-request) is taken over by the first repeat that finds it so, decided
by the store's insert of a takeover document: the key is never claimed forever.
"""

from __future__ import annotations

import hashlib
import re
from typing import Final

import anyio
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from relais_kit.auth.dependencies import principal_from_token
from relais_kit.http.idempotency_stores import IdempotencyStore, StoredAnswer
from relais_kit.http.problems import ProblemError, problem_response

HEADER: Final = "idempotency-key"
# No ':' so that `<sub>:<key>` is unambiguous; quotes allowed (the IETF draft's sf-string form).
_KEY: Final = re.compile(r'^"?([A-Za-z0-9._~-]{1,128})"?$')
# Answers a repeat may not reuse: auth may change, conflicts or throttling call for a retry, and
# what is missing now (a case this service has not learnt yet) may be there on the retry.
_NOT_REPLAYED: Final = frozenset({401, 403, 404, 408, 409, 425, 429})
_KEPT_HEADERS: Final = frozenset({"content-type", "location"})


def replayable(status: int) -> bool:
    return 200 <= status < 500 and status not in _NOT_REPLAYED


class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp, store: IdempotencyStore, *, wait_s: float = 2.0) -> None:
        self.app, self.store, self.wait_s = app, store, wait_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Lifespan and websocket scopes carry no headers: pass them through before reading any.
        if scope["type"] != "http" or scope["method"] != "POST":
            return await self.app(scope, receive, send)
        headers = Headers(scope=scope)
        if HEADER not in headers:
            return await self.app(scope, receive, send)
        request = Request(scope, receive)
        match = _KEY.match(headers[HEADER])
        if match is None:
            answer = problem_response(
                request,
                400,
                "Invalid Idempotency-Key",
                "Use 1-128 of A-Z a-z 0-9 . _ ~ -.",
                slug="idempotency-key-invalid",
            )
            return await answer(scope, receive, send)
        sub = await self._caller(request, headers.get("authorization", ""))
        if sub is None:
            return await self.app(scope, receive, send)
        body = await request.body()
        fingerprint = hashlib.sha256(
            b"\n".join([scope["method"].encode(), scope["raw_path"], scope["query_string"], body])
        ).hexdigest()
        record_id = f"{sub}:{match.group(1)}"
        if await self.store.claim(record_id, fingerprint):
            return await self._first(record_id, body, scope, send)
        return await self._repeat(
            record_id, fingerprint, body, scope=scope, receive=receive, send=send
        )

    async def _caller(self, request: Request, authorization: str) -> str | None:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token:
            return None
        try:
            principal = await anyio.to_thread.run_sync(principal_from_token, request, token)
        except ProblemError:
            return None
        return principal.sub

    async def _first(self, record_id: str, body: bytes, scope: Scope, send: Send) -> None:
        """Run the request, keeping its answer for repeats (or the claim is released)."""
        status, kept, chunks = 500, [], []

        async def receive_body() -> Message:
            return {"type": "http.request", "body": body, "more_body": False}

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                for name, value in message.get("headers", ()):
                    if name.decode("latin-1").lower() in _KEPT_HEADERS:
                        kept.append((name.decode("latin-1").lower(), value.decode("latin-1")))
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive_body, capture)
        except BaseException:
            with anyio.CancelScope(shield=True):
                await self.store.release(record_id)
            raise
        if replayable(status):
            await self.store.complete(
                record_id, StoredAnswer(status, b"".join(chunks), tuple(kept))
            )
        else:
            await self.store.release(record_id)

    async def _repeat(
        self,
        record_id: str,
        fingerprint: str,
        body: bytes,
        *,
        scope: Scope,
        receive: Receive,
        send: Send,
    ) -> None:
        request = Request(scope)
        delay, deadline = 0.01, anyio.current_time() + self.wait_s
        while True:
            record = await self.store.load(record_id)
            if record is None:  # the first attempt failed and let go: this one may run it
                if await self.store.claim(record_id, fingerprint):
                    return await self._first(record_id, body, scope, send)
                continue
            if record.fingerprint != fingerprint:
                answer = problem_response(
                    request,
                    422,
                    "Idempotency-Key reused",
                    "This key was used for a different request.",
                    slug="idempotency-key-reused",
                )
                return await answer(scope, receive, send)
            if record.answer is not None:
                return await self._replay(record.answer, send)
            if await self.store.take_over(record_id, record):  # its claimer is gone
                return await self._first(record_id, body, scope, send)
            if anyio.current_time() >= deadline:
                answer = problem_response(
                    request,
                    409,
                    "Request in progress",
                    "A request with this key is still running; retry later.",
                    slug="idempotency-key-in-progress",
                    headers={"Retry-After": "1"},
                )
                return await answer(scope, receive, send)
            await anyio.sleep(delay)
            delay = min(delay * 2, 0.2)

    async def _replay(self, answer: StoredAnswer, send: Send) -> None:
        headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in answer.headers]
        headers += [
            (b"content-length", str(len(answer.body)).encode()),
            (b"idempotent-replayed", b"true"),
        ]
        await send({"type": "http.response.start", "status": answer.status, "headers": headers})
        await send({"type": "http.response.body", "body": answer.body, "more_body": False})
