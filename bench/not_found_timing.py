"""A case of another département and a missing one: how long each 404 takes (not a test).

    uv run --frozen python bench/not_found_timing.py --requests 300

Runs the intake api in this process on the shared servers (its own database and topics), files
one case of the 93, then asks it and missing ids in turn as a police officer of the 75. Prints
the median and 90th percentile of each kind with the kit's 404 floor (``not_found_floor_s``,
default 50 ms) and without it (0): without, a hidden case answers about a round trip sooner
than a missing one (its state is cached; a miss reads the snapshot and the stream).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import statistics
import tempfile
import time
from pathlib import Path

import httpx
from pymongo import AsyncMongoClient
from relais_intake.bootstrap import bootstrap
from relais_intake.config import IntakeSettings
from relais_intake.entrypoints.api import create_app
from relais_kit.auth import mint_dev_token
from relais_kit.settings import AuthSettings

REPORT = {
    "channel": "police",
    "report_kind": "complaint",
    "case_kind": "conjugal_violence",
    "departement": "93",
    "minor_victim": False,
}


def bearer(departement: str) -> dict[str, str]:
    token = mint_dev_token(
        AuthSettings(), sub="bench", roles=["police"], org="pn", jurisdictions=[departement]
    )
    return {"Authorization": f"Bearer {token}", "X-Relais-Purpose": "case_follow_up"}


async def run(requests: int, floor_s: float) -> dict[str, list[float]]:
    keys = Path(tempfile.mkdtemp())
    settings = IntakeSettings(
        kafka_bootstrap=os.environ.get("RELAIS_KAFKA_BOOTSTRAP", "127.0.0.1:9092"),
        mongo_uri=os.environ.get("RELAIS_MONGO_URI", "mongodb://127.0.0.1:27017/"),
        database=f"bench_not_found_{secrets.token_hex(3)}",
        topics_namespace=f"bench{secrets.token_hex(3)}.",
        keys_dir=keys,
        key_registry=keys / "registry.json",
        not_found_floor_s=floor_s,
    )
    app = create_app(intake=bootstrap(settings))
    transport = httpx.ASGITransport(app=app)
    times: dict[str, list[float]] = {"hidden": [], "missing": []}
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://intake") as client,
    ):
        filed = await client.post("/v1/reports", json=REPORT, headers=bearer("93"))
        case_id = filed.json()["case_id"]
        outsider = bearer("75")
        for n in range(requests):
            for kind, asked in (("hidden", case_id), ("missing", f"case-missing-{n}")):
                started = time.perf_counter()
                answer = await client.get(f"/v1/cases/{asked}", headers=outsider)
                times[kind].append(time.perf_counter() - started)
                assert answer.status_code == 404, answer.text
    client_db: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(settings.mongo_uri)
    await client_db.drop_database(settings.database)
    await client_db.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    for floor_s in (0.0, 0.05):
        times = asyncio.run(run(args.requests, floor_s))
        for kind, seconds in times.items():
            kept = sorted(seconds[10:])  # the first few warm the caches
            p90 = kept[int(len(kept) * 0.9)]
            print(
                f"floor {floor_s * 1000:3.0f} ms  {kind:8s} median "
                f"{statistics.median(kept) * 1000:6.2f} ms  p90 {p90 * 1000:6.2f} ms"
            )


if __name__ == "__main__":
    main()
