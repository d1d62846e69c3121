"""A second OS process for the shelter's races and crash tests (run with ``python contender.py``).

contender.py allocate <settings json> <request json> <go file>
    waits until <go file> exists, allocates through the application, prints the outcome.
contender.py hold <settings json> <request json>
    allocates, but once its reservations are inserted prints HELD and waits to be killed
    (SIGKILL: nothing of it runs again, as when a machine dies mid-allocation).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from relais_events.vocabulary import Role
from relais_kit.application import Acting
from relais_shelter.application import allocations
from relais_shelter.application.ports import Reservations
from relais_shelter.application.services import ShelterServices
from relais_shelter.application.streams import SITE
from relais_shelter.bootstrap import bootstrap
from relais_shelter.config import ShelterSettings
from relais_shelter.domain.errors import ShelterRuleViolation


class HoldsThenHangs:
    """Reservations that answer, then freeze the process before anything else happens."""

    def __init__(self, inner: Reservations) -> None:
        self.inner = inner

    async def insert(self, keys: Sequence[str], holder: str) -> set[str]:
        taken = await self.inner.insert(keys, holder)
        if not taken:  # it holds every place it asked for this round: now it dies
            print("HELD", flush=True)
            await asyncio.sleep(3600)
        return taken

    async def holders(self, keys: Sequence[str]) -> dict[str, str]:
        return await self.inner.holders(keys)

    async def release(self, keys: Sequence[str], holder: str) -> None:
        await self.inner.release(keys, holder)


async def burst(services: ShelterServices, acting: Acting, request: dict[str, Any]) -> None:
    count = 0

    async def one(n: int) -> None:
        try:
            await allocations.allocate(
                services,
                case_id="case-burst",  # known before the burst (test_concurrency)
                site_id=request["site_id"],
                first_night=dt.date.fromisoformat(request["first_night"]),
                nights=1 + n % 4,
                adults=(f"pk-burst-{n}",),
                children=(),
                consent_given=True,
                acting=acting,
            )
        except ShelterRuleViolation:
            return  # a full night: the burst goes on

    while True:
        await asyncio.gather(*(one(count + i) for i in range(8)))
        if count == 0:
            print("GO", flush=True)
        count += 8


def wait_for(go: str) -> None:
    """Spin until the go file exists: both contenders leave at the same instant."""
    while go and not Path(go).exists():
        time.sleep(0.001)


async def main(mode: str, settings: dict[str, Any], request: dict[str, Any], go: str) -> None:
    shelter = bootstrap(ShelterSettings(**settings))
    services = shelter.services
    if mode == "hold":
        services = replace(services, reservations=HoldsThenHangs(services.reservations))
    acting = Acting(
        sub="operator", role=Role.SHELTER_OPERATOR, org="chrs-93", jurisdictions=frozenset({"93"})
    )
    async with shelter.runtime.running():
        await services.write_path.load(SITE, request["site_id"])  # connected, site cached
        print("READY", flush=True)
        await asyncio.to_thread(wait_for, go)
        if mode == "burst":
            await burst(services, acting, request)
        try:
            await allocations.allocate(
                services,
                case_id=request["case_id"],
                site_id=request["site_id"],
                first_night=dt.date.fromisoformat(request["first_night"]),
                nights=request["nights"],
                adults=tuple(request["adults"]),
                children=(),
                consent_given=True,
                acting=acting,
            )
            print(json.dumps({"outcome": "allocated"}), flush=True)
        except ShelterRuleViolation as rule:
            print(json.dumps({"outcome": rule.rule}), flush=True)


if __name__ == "__main__":
    mode, settings, request = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
    asyncio.run(main(mode, settings, request, sys.argv[4] if len(sys.argv) > 4 else ""))
