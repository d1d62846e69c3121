"""One service's HTTP API: bearer token, purpose on reads, idempotency key on commands.

The console forwards the user's own token, so each service authorizes the person, not the
console; it never sends a token of its own. Problem details come back as ``Refused``; a
connection refused, a timeout or an answer that is not JSON come back as ``Unavailable``.
"""

from __future__ import annotations

from typing import Any

import httpx

from relais_console.application.ports import Body, Refused, Unavailable
from relais_console.domain.problems import Problem

PURPOSE_HEADER = "X-Relais-Purpose"


class ServiceApi:
    def __init__(self, name: str, client: httpx.AsyncClient) -> None:
        self.name = name
        self.client = client

    async def read(
        self, path: str, token: str, purpose: str, params: dict[str, str] | None = None
    ) -> Any:
        headers = {"Authorization": f"Bearer {token}", PURPOSE_HEADER: purpose}
        return await self._call("GET", path, headers, params=params)

    async def command(self, path: str, token: str, body: Body | None, key: str | None) -> Any:
        headers = {"Authorization": f"Bearer {token}"}
        if key:
            headers["Idempotency-Key"] = key
        return await self._call("POST", path, headers, json=body or {})

    async def _call(
        self,
        method: str,
        path: str,
        headers: dict[str, str],
        *,
        params: dict[str, str] | None = None,
        json: Body | None = None,
    ) -> Any:
        try:
            answer = await self.client.request(
                method, path, headers=headers, params=params, json=json
            )
        except httpx.HTTPError as error:
            raise Unavailable(self.name, type(error).__name__) from error
        try:
            decoded = answer.json() if answer.content else None
        except ValueError as error:
            raise Unavailable(self.name, f"{answer.status_code}: not JSON") from error
        if answer.status_code >= 400:
            if decoded is None and answer.status_code >= 500:
                raise Unavailable(self.name, str(answer.status_code))
            raise Refused(self.name, Problem.parse(answer.status_code, decoded))
        return decoded


def client(base_url: str, timeout_s: float) -> httpx.AsyncClient:
    """A pooled client for one service (no I/O until the first request)."""
    return httpx.AsyncClient(
        base_url=base_url,
        timeout=httpx.Timeout(timeout_s),
        headers={"Accept": "application/json"},
        follow_redirects=False,
    )
