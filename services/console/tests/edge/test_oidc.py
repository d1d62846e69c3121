"""Production login: OpenID Connect authorization code flow with PKCE (S256), end to end
against a provider served on loopback, and the refusals that open no session."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import AsyncIterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from relais_kit.settings import AuthSettings

from ..browser.stack import served  # noqa: TID252  (one loopback server helper for both)
from .conftest import Open
from .fake_idp import CLIENT_ID, FakeProvider

CONSOLE = "https://console.test"


@pytest.fixture
async def provider() -> AsyncIterator[FakeProvider]:
    fake = FakeProvider()
    async with served(fake.app()) as url:
        fake.issuer = url
        yield fake


async def _oidc_console(console: Open, provider: FakeProvider) -> httpx.AsyncClient:
    return await console(
        oidc_issuer=provider.issuer,
        oidc_client_id=CLIENT_ID,
        public_url=CONSOLE,
        auth=AuthSettings(jwks_url=f"{provider.issuer}/jwks"),
    )


async def test_a_person_logs_in_with_the_code_flow_and_pkce(
    console: Open, provider: FakeProvider
) -> None:
    client = await _oidc_console(console, provider)
    assert "/connexion/oidc" in (await client.get("/connexion")).text
    start = await client.get("/connexion/oidc")
    assert start.status_code == 302
    authorize = urlsplit(start.headers["location"])
    query = parse_qs(authorize.query)
    assert query["code_challenge_method"] == ["S256"]
    assert query["redirect_uri"] == [f"{CONSOLE}/connexion/retour"]
    login_cookie = next(v for k, v in start.headers.multi_items() if k == "set-cookie")
    assert "samesite=lax" in login_cookie.lower()
    assert "path=/connexion/retour" in login_cookie.lower()

    async with httpx.AsyncClient() as browser_side:
        back = await browser_side.get(start.headers["location"])
    callback = urlsplit(back.headers["location"])
    done = await client.get(f"{callback.path}?{callback.query}")
    assert done.status_code == 200
    assert 'http-equiv="refresh"' in done.text  # a same-site step, so the Strict cookie flows
    home = await client.get("/")
    assert home.status_code == 200
    assert "member-oidc" in home.text
    # The challenge the provider saw is the S256 of a verifier only the console knew.
    assert provider.seen_challenges == query["code_challenge"]
    assert len(base64.urlsafe_b64decode(query["code_challenge"][0] + "=")) == len(
        hashlib.sha256().digest()
    )


async def test_a_callback_with_another_state_opens_no_session(
    console: Open, provider: FakeProvider
) -> None:
    client = await _oidc_console(console, provider)
    start = await client.get("/connexion/oidc")
    async with httpx.AsyncClient() as browser_side:
        back = await browser_side.get(start.headers["location"])
    code = parse_qs(urlsplit(back.headers["location"]).query)["code"][0]
    refused = await client.get(f"/connexion/retour?code={code}&state=forged")
    assert refused.status_code == 400
    assert (await client.get("/")).headers["location"] == "/connexion"


async def test_a_callback_without_the_login_cookie_opens_no_session(
    console: Open, provider: FakeProvider
) -> None:
    client = await _oidc_console(console, provider)
    start = await client.get("/connexion/oidc")
    async with httpx.AsyncClient() as browser_side:
        back = await browser_side.get(start.headers["location"])
    client.cookies.clear()  # another browser: it never started this login
    callback = urlsplit(back.headers["location"])
    assert (await client.get(f"{callback.path}?{callback.query}")).status_code == 400
    assert (await client.get("/")).headers["location"] == "/connexion"
