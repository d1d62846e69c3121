"""The invariants under real concurrency, on real FerretDB and Kafka (issue 11, "Done when").

- 50 concurrent allocation requests for the last 10 places of a night: exactly 10 succeed, the
  others get 409 with a problem that says the night is full.
- Two OS processes allocating the same person on the same night: exactly one succeeds.
- An envelope of 100 nights and 150 concurrent claims: 100 accepted, 50 rejected with a reason,
  one ``funding.envelope_exhausted``.
- A process killed with SIGKILL mid-allocation leaves no place held after the worker's
  recovery sweep (which runs at worker start).
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from relais_events import topics
from relais_events.envelope import Envelope
from relais_shelter.application.recovery import sweep
from relais_shelter.application.streams import ALLOCATION, ENVELOPE
from relais_shelter.bootstrap import bootstrap
from relais_shelter.entrypoints.worker import run_worker

from .harness import NIGHT, Api, settings_for

pytestmark = [pytest.mark.servers, pytest.mark.timeout(180)]
CONTENDER = Path(__file__).with_name("contender.py")


async def test_fifty_requests_for_the_last_ten_places_ten_succeed(api: Api) -> None:
    site = await api.site(places=12)
    await api.know("case-1", *(f"case-{i}" for i in range(50)))
    for person in ("pk-early-1", "pk-early-2"):
        assert (await api.allocate(site, person)).status_code == 201
    answers = await asyncio.gather(
        *(api.allocate(site, f"pk-{i}", case_id=f"case-{i}") for i in range(50))
    )
    statuses = Counter(a.status_code for a in answers)
    assert statuses == {201: 10, 409: 40}, [
        a.text for a in answers if a.status_code not in (201, 409)
    ]
    refused = next(a for a in answers if a.status_code == 409)
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["rule"] == "NightFull"
    assert "night 2026-03-02 is full" in refused.json()["detail"]
    assert (await api.free())["adult_places"] == 0
    assert not await api.shelter.services.operations.started_before(
        api.shelter.services.clock.now()
    )


def contender(
    api: Api, mode: str, request: dict[str, Any], go: Path | None = None
) -> subprocess.Popen[str]:
    settings = {
        "kafka_bootstrap": api.servers.kafka_bootstrap,
        "mongo_uri": api.servers.mongo_uri,
        "database": api.database,
        "topics_namespace": api.names.namespace,
    }
    argv = [sys.executable, str(CONTENDER), mode, json.dumps(settings), json.dumps(request)]
    return subprocess.Popen(
        [*argv, *([str(go)] if go else [])],
        stdout=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
    )


def request(site: str, person: str, nights: int = 1) -> dict[str, Any]:
    return {
        "case_id": f"case-{person}",
        "site_id": site,
        "first_night": NIGHT.isoformat(),
        "nights": nights,
        "adults": [person],
    }


async def test_two_processes_allocating_one_person_night_one_succeeds(
    api: Api, tmp_path: Path
) -> None:
    first, second = await api.site(places=5), await api.site(places=5)
    await api.know("case-pk-same")
    go = tmp_path / "go"
    processes = [
        contender(api, "allocate", request(first, "pk-same", nights=3), go),
        contender(api, "allocate", request(second, "pk-same", nights=2), go),
    ]
    for process in processes:  # both imported, connected and spinning on the go file
        assert process.stdout is not None
        ready = await asyncio.wait_for(asyncio.to_thread(process.stdout.readline), 60)
        assert ready.strip() == "READY"
    go.touch()
    outputs = [await asyncio.to_thread(p.communicate, timeout=60) for p in processes]
    outcomes = sorted(json.loads(out.strip().splitlines()[-1])["outcome"] for out, _ in outputs)
    assert outcomes == ["PersonAlreadySheltered", "allocated"]
    free = await api.free()
    assert free["adult_places"] + free["child_places"] == 9  # one place across both sites


async def test_an_envelope_of_100_nights_and_150_concurrent_claims(api: Api) -> None:
    site = await api.site(places=150)
    envelope = await api.envelope(nights=100, amount_cents=100 * 4500)
    await api.know(*(f"case-{i}" for i in range(150)))
    allocated: list[str] = []
    for start in range(0, 150, 25):
        answers = await asyncio.gather(
            *(api.allocate(site, f"pk-{i}", case_id=f"case-{i}") for i in range(start, start + 25))
        )
        assert {a.status_code for a in answers} == {201}
        allocated += [a.json()["allocation_id"] for a in answers]
    claims = await asyncio.gather(
        *(
            api.post(
                "/v1/claims",
                {"allocation_id": a, "envelope_id": envelope, "night": NIGHT.isoformat()},
            )
            for a in allocated
        )
    )
    assert {c.status_code for c in claims} == {201}, [
        c.text for c in claims if c.status_code != 201
    ]
    outcomes = Counter((c.json()["outcome"], c.json()["reason"]) for c in claims)
    assert outcomes == {("accepted", None): 100, ("rejected", "envelope_exhausted"): 50}
    stream = await api.shelter.services.write_path.load(ENVELOPE, envelope)
    assert stream.state is not None
    assert stream.state.exhausted
    assert stream.version == 2  # opened, exhausted: once

    def settled(found: list[Envelope]) -> bool:
        return (
            sum(e.type in {"shelter.night_claimed", "shelter.night_claim_rejected"} for e in found)
            >= 150
        )

    published = await api.topic(topics.SHELTER, settled)
    assert [e.type for e in published].count("funding.envelope_exhausted") == 1
    used = (
        await api.client.get(f"/v1/envelopes/{envelope}", headers={"Authorization": "Bearer " + ""})
    ).status_code
    assert used == 401


async def test_a_process_killed_mid_allocation_holds_nothing_after_the_sweep(api: Api) -> None:
    site = await api.site(places=4)
    await api.know("case-1", "case-pk-killed")
    assert (await api.allocate(site, "pk-stays")).status_code == 201
    process = contender(api, "hold", request(site, "pk-killed", nights=5))
    assert process.stdout is not None
    lines = [await asyncio.wait_for(asyncio.to_thread(process.stdout.readline), 60)]
    lines.append(await asyncio.wait_for(asyncio.to_thread(process.stdout.readline), 60))
    assert [line.strip() for line in lines] == ["READY", "HELD"]
    process.send_signal(signal.SIGKILL)
    await asyncio.to_thread(process.wait, 30)
    assert (await api.free())["adult_places"] == 2  # the dead process still holds a place
    # The worker, started once the orphan's lease has passed, sweeps at start.
    worker = bootstrap(settings_for(api.servers, api.names, api.database, operation_lease_s=0.2))
    await asyncio.sleep(0.3)
    stop = asyncio.Event()
    running = asyncio.create_task(run_worker(worker, stop))

    async def swept() -> bool:
        return not await worker.services.operations.started_before(worker.services.clock.now())

    for _ in range(100):
        if await swept():
            break
        await asyncio.sleep(0.1)
    stop.set()
    await asyncio.wait_for(running, 30)
    services = api.shelter.services
    assert not await services.operations.started_before(services.clock.now())
    for night in range(5):
        free = await api.free(NIGHT.fromordinal(NIGHT.toordinal() + night))
        assert free["adult_places"] == (3 if night == 0 else 4)
    assert (await api.allocate(site, "pk-killed", nights=5)).status_code == 201  # the person too


async def test_a_process_killed_anywhere_in_a_burst_leaves_only_committed_places(
    api: Api,
) -> None:
    """Killed wherever it happens to be (inserting, deciding, committing): once the sweep ran,
    every place and person-night held belongs to a committed allocation's nights, and nothing
    else is held or in flight."""
    site = await api.site(places=500)  # never full: every moment has allocations in flight
    await api.know("case-burst")
    process = contender(api, "burst", request(site, "pk-unused"))
    assert process.stdout is not None
    lines = [await asyncio.wait_for(asyncio.to_thread(process.stdout.readline), 60)]
    lines.append(await asyncio.wait_for(asyncio.to_thread(process.stdout.readline), 60))
    assert [line.strip() for line in lines] == ["READY", "GO"]
    await asyncio.sleep(random.uniform(0.2, 1.5))
    process.send_signal(signal.SIGKILL)
    await asyncio.to_thread(process.wait, 30)
    services = api.shelter.services
    swept = await sweep(services, services.clock.now() + services.lease * 2)
    assert swept.given_back + swept.finished <= 8  # at most the burst's allocations in flight
    assert not await services.operations.started_before(services.clock.now() + services.lease * 2)
    database = api.shelter.runtime.database
    held = await database["shelter_reservations"].find({}).to_list()
    expected: Counter[str] = Counter()
    for holder in {d["holder"] for d in held}:
        allocation = (await services.write_path.load(ALLOCATION, holder)).state
        assert allocation is not None, f"{holder} holds places but was never committed"
        expected[holder] = 2 * allocation.persons * len(allocation.held_nights())
    assert Counter(d["holder"] for d in held) == expected  # a place and a person-night each
