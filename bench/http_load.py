"""Open-loop ``POST /v1/reports`` load over aiohttp (bounded pool), shared by e2e and baseline."""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from bench.open_loop import LoadResult, run_open_loop
from bench.payloads import encoded

# Called with (request index, intended send time, answer body) for each sampled 201.
OnCreated = Callable[[int, float, dict[str, Any]], None]


@dataclass
class PostLoad:
    url: str
    headers: dict[str, str]
    rate: float
    duration_s: float
    connections: int = 256
    timeout_s: float = 10.0
    departement: str = "93"
    sample_every: int = 0  # 0: never parse answers
    on_created: OnCreated | None = None
    errors: Counter[str] = field(default_factory=Counter)
    body_bytes: int = 0

    async def run(self) -> LoadResult:
        rng = random.Random(20260302)
        headers = {**self.headers, "Content-Type": "application/json"}
        connector = aiohttp.TCPConnector(limit=self.connections, force_close=False)
        timeout = aiohttp.ClientTimeout(total=self.timeout_s)
        async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:

            async def send(i: int) -> bool:
                body = encoded(rng, self.departement)
                self.body_bytes += len(body)
                try:
                    async with session.post(self.url, data=body, headers=headers) as answer:
                        if answer.status != 201:
                            self.errors[f"HTTP {answer.status}"] += 1
                            await answer.read()
                            return False
                        if self.on_created and self.sample_every and i % self.sample_every == 0:
                            self.on_created(i, started + i / self.rate, await answer.json())
                        else:
                            await answer.read()
                        return True
                except (aiohttp.ClientError, TimeoutError) as error:
                    self.errors[type(error).__name__] += 1
                    return False

            started = time.perf_counter()
            return await run_open_loop(send, rate=self.rate, duration_s=self.duration_s)
