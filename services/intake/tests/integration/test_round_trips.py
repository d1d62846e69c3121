"""Store round trips on the request path, counted by the driver itself on the real store.

Every command the intake process sends to FerretDB while a request is answered is counted
(PyMongo's command monitoring), but for what never holds a request up: the outbox relay's work
(its reads and its "published" markers) and the snapshots written behind, told apart by the
task that sends them. Figures printed with ``-s``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from pymongo import monitoring
from relais_intake.bootstrap import Intake, bootstrap
from relais_intake.config import IntakeSettings
from relais_intake.entrypoints.api import create_app

from .conftest import Bearer
from .test_api import report

pytestmark = pytest.mark.servers
# Tasks that work beside the requests: the relay's, its markers' group commit, write-behind.
_OFF_THE_REQUEST_PATH = ("outbox-", "group-commit:commits_published", "write-behind:")


class RoundTrips(monitoring.CommandListener):
    """Every command this process sends to one database, while ``counting`` is on."""

    def __init__(self) -> None:
        self.database = ""
        self.seen: list[tuple[str, str]] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.database_name != self.database:
            return
        task = asyncio.current_task()
        if task is not None and task.get_name().startswith(_OFF_THE_REQUEST_PATH):
            return
        if event.command_name in {"find", "insert", "update", "delete"}:
            self.seen.append((event.command_name, str(event.command.get(event.command_name))))

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass

    async def of(self, database: str, request: Awaitable[httpx.Response]) -> list[tuple[str, str]]:
        self.seen, self.database = [], database
        answer = await request
        assert answer.status_code in (200, 201), answer.text
        counted, self.database = self.seen, ""
        return counted


# Registered before any client of this module exists: PyMongo hands it to clients built after.
ROUND_TRIPS = RoundTrips()
monitoring.register(ROUND_TRIPS)


@asynccontextmanager
async def process(settings: IntakeSettings) -> AsyncIterator[tuple[httpx.AsyncClient, Intake]]:
    """An intake api process of its own (its own caches), on ``settings``' database."""
    intake = bootstrap(settings)
    app = create_app(intake=intake)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://in") as c,
    ):
        await intake.runtime.relay.swept.wait()  # the start-up sweep is over before we count
        yield c, intake


@pytest.fixture
def fresh(settings: IntakeSettings, request: pytest.FixtureRequest) -> IntakeSettings:
    name = settings.database + "_rt" + str(abs(hash(request.node.name)) % 10_000)
    return settings.model_copy(update={"database": name})


async def test_filing_a_report_that_opens_a_case_costs_three_round_trips(
    fresh: IntakeSettings, bearer: Bearer
) -> None:
    async with process(fresh) as (client, _):
        post: Callable[..., Awaitable[httpx.Response]] = client.post
        plain = await ROUND_TRIPS.of(
            fresh.database, post("/v1/reports", json=report(), headers=bearer("hotline"))
        )
        keyed = await ROUND_TRIPS.of(
            fresh.database,
            post(
                "/v1/reports",
                json=report(victim={"last_name": "Martin", "first_name": "Claire"}),
                headers=bearer("hotline") | {"Idempotency-Key": "rt-1"},
            ),
        )
    print(f"\nPOST /v1/reports, new case: {len(plain)} round trips {plain}")
    print(f"with an Idempotency-Key: {len(keyed)} {keyed}")
    # The case's data key, the commit, the person's first link-suggestion slot: inserts only.
    assert sorted(plain) == [
        ("insert", "case_keys"),
        ("insert", "commits"),
        ("insert", "link_suggestions"),
    ]
    # The key's record is claimed (insert) and then holds the answer (update): two more.
    assert sorted(keyed) == sorted(
        [*plain, ("insert", "idempotency_keys"), ("update", "idempotency_keys")]
    )


async def _case_of(client: httpx.AsyncClient, bearer: Bearer, commits: int) -> str:
    answer = await client.post("/v1/reports", json=report(), headers=bearer("hotline"))
    case_id: str = answer.json()["case_id"]
    for _ in range(commits - 1):
        raised = await client.post(
            f"/v1/cases/{case_id}/risk-assessments",
            json={"questionnaire": "dash", "level": "medium"},
            headers=bearer("hotline"),
        )
        assert raised.status_code == 201, raised.text
    return case_id


@pytest.mark.parametrize("process_kind", ["same process", "another process"])
async def test_a_command_costs_the_same_on_a_case_of_2_or_50_commits(
    fresh: IntakeSettings, bearer: Bearer, process_kind: str
) -> None:
    costs: dict[int, list[tuple[str, str]]] = {}
    async with process(fresh) as (writer, intake):
        cases = {n: await _case_of(writer, bearer, n) for n in (2, 50)}
        await intake.runtime.store.flush_snapshots()
        async with process(fresh) as (other, _):
            client = writer if process_kind == "same process" else other
            for n, case_id in cases.items():
                costs[n] = await ROUND_TRIPS.of(
                    fresh.database,
                    client.post(
                        f"/v1/cases/{case_id}/risk-assessments",
                        json={"questionnaire": "dash", "level": "high"},
                        headers=bearer("hotline"),
                    ),
                )
    print(f"\nrisk assessment, {process_kind}: 2 commits {costs[2]}, 50 commits {costs[50]}")
    assert costs[2] == costs[50]
    expected: Any = (
        [("insert", "commits")]
        if process_kind == "same process"
        else [("find", "commits_snapshots"), ("insert", "commits")]
    )
    assert costs[2] == expected
