"""A referral on the committee timeline: intake -> referrals -> timeline, every record through
the real broker.

A police officer of the 93 files a report (intake); the referrals worker learns the case from
``case.opened``; the officer records the victim's consent and refers the case to a CIDFF of the
93, which accepts then completes it. The committee of the 93 reads the case's timeline and finds
``referral.accepted`` after ``report.filed`` in causal order: the referral's first event depends
on the last intake event referrals knew of. A partner of another département sees nothing of
the case. The referrals api and worker are built here (the shared harness is left as it is).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from relais_infra.testing import Servers
from relais_referrals.bootstrap import bootstrap
from relais_referrals.config import ReferralsSettings
from relais_referrals.domain.consent import civil_day
from relais_referrals.entrypoints.api import create_app
from relais_referrals.entrypoints.worker import run_worker

from .harness import Json, Platform, bearer, open_platform, types_of

pytestmark = [pytest.mark.servers, pytest.mark.timeout(180)]

DEP = "93"
OFFICER = bearer("police", DEP, sub="opj-93", org="pn-93", purpose="referral")
CIDFF = bearer("association", DEP, sub="juriste-93", org="cidff-93", purpose="referral")
LYON = bearer("association", "69", sub="juriste-69", org="cidff-69", purpose="referral")
COMMITTEE = bearer("committee_member", DEP, sub="member-93", org="clav-93")
REGISTRAR = bearer("committee_member", DEP, "69", sub="coordinator", org="clav-93")


@pytest.fixture(scope="module")
async def platform(
    servers: Servers, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Platform]:
    async with open_platform(servers, "sys3", tmp_path_factory.mktemp("sys3-keys")) as opened:
        yield opened


@asynccontextmanager
async def open_referrals(platform: Platform) -> AsyncIterator[httpx.AsyncClient]:
    """The referrals api and its worker in the platform's namespace, on the real clock."""
    servers = platform.servers
    settings = ReferralsSettings(
        kafka_bootstrap=servers.kafka_bootstrap,
        mongo_uri=servers.mongo_uri,
        database=servers.database("sys3_referrals"),
        topics_namespace=platform.namespace,
        worker_group=f"relais-referrals-{servers.run_id}-sys3",
        keys_dir=platform.keys,
        key_registry=platform.keys / "registry.json",
        escalation_tick_s=1.0,
    )
    app = create_app(referrals=bootstrap(settings, worker_name="sys3-api"))
    stop = asyncio.Event()
    worker = asyncio.create_task(run_worker(bootstrap(settings, worker_name="sys3-worker"), stop))
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://rf") as client:
                yield client
    finally:
        stop.set()
        await asyncio.wait_for(worker, 30)


async def until(probe: Any, what: str, within_s: float = 30.0) -> Any:
    """The first answer of ``probe`` that is not None (the worker is eventually consistent)."""
    deadline = asyncio.get_running_loop().time() + within_s
    while True:
        found = await probe()
        if found is not None:
            return found
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.1)


async def ok(answer: httpx.Response, code: int = 200) -> Any:
    assert answer.status_code == code, answer.text
    return answer.json()


async def test_report_consent_referral_accepted_completed_on_the_committee_timeline(
    platform: Platform,
) -> None:
    body: Json = {
        "channel": "police",
        "report_kind": "complaint",
        "case_kind": "conjugal_violence",
        "departement": DEP,
        "minor_victim": False,
        "victim": {"last_name": "Delaunay-Morel", "first_name": "Inès"},
        "narrative": "Violences répétées au domicile.",
    }
    filed = await platform.report(body, bearer("police", DEP, sub="opj-93", org="pn-93"))
    case_id, report_filed = filed["case_id"], filed["event_ids"][-1]
    async with open_referrals(platform) as referrals:
        partner = (
            await ok(
                await referrals.post(
                    "/v1/partners",
                    json={"kind": "cidff", "org": "cidff-93", "departements": [DEP]},
                    headers=REGISTRAR,
                ),
                201,
            )
        )["partner_id"]
        await ok(
            await referrals.post(
                "/v1/partners",
                json={"kind": "cidff", "org": "cidff-69", "departements": ["69"]},
                headers=REGISTRAR,
            ),
            201,
        )
        consent = {
            "partner_ids": [partner],
            "purposes": ["support"],
            "data_categories": ["identity", "contact"],
            "valid_until": (civil_day(dt.datetime.now(dt.UTC)) + dt.timedelta(days=30)).isoformat(),
        }

        async def consented() -> Any:  # 404 until the worker learnt case.opened
            answer = await referrals.post(
                f"/v1/cases/{case_id}/consents", json=consent, headers=OFFICER
            )
            if answer.status_code == 404:
                return None
            return await ok(answer, 201)

        await until(consented, "referrals learning the case from intake")
        sent = await ok(
            await referrals.post(
                f"/v1/cases/{case_id}/referrals",
                json={"partner_id": partner, "purpose": "support", "data_categories": ["identity"]},
                headers=OFFICER,
            ),
            201,
        )
        referral = sent["referral_id"]

        async def in_inbox() -> list[Json] | None:
            rows = await ok(
                await referrals.get(
                    f"/v1/partners/{partner}/referrals", params={"status": "sent"}, headers=CIDFF
                )
            )
            return rows or None

        [row] = await until(in_inbox, "the referral in the CIDFF's inbox")
        assert (row["referral_id"], row["case_id"]) == (referral, case_id)
        assert "Delaunay" not in str(row)
        base = f"/v1/cases/{case_id}/referrals/{referral}"
        accepted = await ok(await referrals.post(f"{base}/accept", headers=CIDFF))
        completed = await ok(await referrals.post(f"{base}/complete", headers=CIDFF))

        # The committee of the 93 reads the case's timeline once the completion is applied.
        answer = await platform.case_timeline(case_id, COMMITTEE, completed["min_event"])
        timeline = await ok(answer)
        entries = timeline["entries"]
        kinds = types_of(entries)
        assert kinds.index("report.filed") < kinds.index("referral.accepted")
        assert types_of(entries, "referral.") == [
            "referral.sent",
            "referral.accepted",
            "referral.completed",
        ]
        by_id = {e["event_id"]: e for e in entries}
        accepted_entry = by_id[accepted["event_ids"][0]]
        assert accepted_entry["depth"] > by_id[report_filed]["depth"]
        # The consent depends on the last intake event the worker had learnt when it was
        # given: case.opened or report.filed, both filed in the same request.
        first_referral_event = next(e for e in entries if e["type"] == "consent.given")
        assert set(first_referral_event["depends_on"]) & set(filed["event_ids"])
        assert "Delaunay" not in str(timeline)

        # The outcome went back to the referrer.
        outbox = await ok(await referrals.get("/v1/referrals/outbox", headers=OFFICER))
        assert [(r["referral_id"], r["status"]) for r in outbox] == [(referral, "completed")]

        # A partner of another département sees nothing of the case.
        lyon_partner = (
            await ok(
                await referrals.get("/v1/partners", params={"departement": "69"}, headers=LYON)
            )
        )[0]["partner_id"]
        lyon_inbox = await referrals.get(f"/v1/partners/{lyon_partner}/referrals", headers=LYON)
        assert await ok(lyon_inbox) == []
        assert (
            await referrals.get(f"/v1/partners/{partner}/referrals", headers=LYON)
        ).status_code == 404
        for path in (f"/v1/cases/{case_id}/referrals", f"/v1/cases/{case_id}/consents"):
            assert (await referrals.get(path, headers=LYON)).status_code in (403, 404)
        refused = await referrals.post(
            f"{base}/decline", json={"reason": "no_capacity"}, headers=LYON
        )
        assert refused.status_code == 404  # a case of the 93 does not exist for the 69
        other_committee = bearer("committee_member", "69", sub="member-69", org="clav-69")
        elsewhere = await platform.case_timeline(case_id, other_committee, completed["min_event"])
        assert elsewhere.status_code == 404
