"""Login, session cookie, CSRF and the Content-Security-Policy, at the console's edge."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from relais_console.config import ConsoleSettings
from relais_console.entrypoints.security import CSP
from relais_kit.settings import AuthSettings

from .conftest import NOWHERE, Open, csrf_of, dev_login

TEMPLATES = Path(__file__).parents[2] / "src" / "relais_console" / "templates"


async def test_with_the_dev_setting_off_the_dev_login_route_does_not_exist(
    console: Open,
) -> None:
    client = await console(dev_login=False)
    assert (await client.get("/connexion/dev")).status_code == 404
    refused = await client.post("/connexion/dev", data={"role": "admin", "sub": "x"})
    assert refused.status_code == 404
    assert "/connexion/dev" not in (await client.get("/connexion")).text


async def test_with_the_dev_setting_on_a_person_chooses_role_org_and_departement(
    console: Open,
) -> None:
    client = await console(dev_login=True)
    answer = await dev_login(client, role="justice_clerk")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/greffe"
    home = await client.get("/")
    assert home.status_code == 200
    assert "clerk-1" in home.text
    assert "Greffe" in home.text


async def test_the_session_cookie_is_signed_httponly_secure_and_strict(console: Open) -> None:
    client = await console(dev_login=True)
    answer = await dev_login(client)
    cookie = next(
        v for k, v in answer.headers.multi_items() if k == "set-cookie" and "session" in v
    )
    flags = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "secure", "samesite=strict"} <= flags
    # A tampered cookie is no session at all.
    name, value = cookie.split(";")[0].split("=", 1)
    client.cookies.clear()
    client.cookies.set(name, value[:-4] + "AAAA", domain="console.test")
    assert (await client.get("/")).headers["location"] == "/connexion"


async def test_a_form_without_this_session_s_token_is_refused(console: Open) -> None:
    client = await console(dev_login=True)
    await dev_login(client)
    body = {"case_id": "case-1", "departement": "93", "applicant": "victim", "at": "x"}
    assert (await client.post("/greffe/requete", data=body)).status_code == 403
    forged = await client.post("/greffe/requete", data=body | {"csrf_token": "not-the-one"})
    assert forged.status_code == 403
    assert "Rien n'a été enregistré" in forged.text


async def test_every_page_has_the_strict_policy_and_never_inline_script_or_style(
    console: Open,
) -> None:
    client = await console(dev_login=True)
    for path in ("/connexion", "/connexion/dev", "/static/console.css", "/nulle-part"):
        answer = await client.get(path)
        assert answer.headers["content-security-policy"] == CSP, path
        assert answer.headers["x-content-type-options"] == "nosniff"
    assert "script-src 'self'" in CSP
    assert "unsafe" not in CSP
    assert (await client.get("/connexion")).headers["cache-control"] == "no-store"
    for template in TEMPLATES.glob("*.html"):
        text = template.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)", text), template.name
        assert not re.search(r"<style|\sstyle=|\son[a-z]+=", text), template.name


async def test_a_refused_login_keeps_what_was_typed_and_names_the_field(console: Open) -> None:
    client = await console(dev_login=True)
    page = await client.get("/connexion/dev")
    answer = await client.post(
        "/connexion/dev",
        data={
            "csrf_token": csrf_of(page.text),
            "role": "police",
            "sub": "agent-7",
            "org": "pn-93",
            "departements": "99",
        },
    )
    assert answer.status_code == 422
    assert 'value="agent-7"' in answer.text
    assert 'value="99"' in answer.text
    assert "Code de département inconnu" in answer.text


async def test_a_service_that_does_not_answer_keeps_the_form_and_its_key(console: Open) -> None:
    client = await console(dev_login=True)
    await dev_login(client)
    page = await client.get("/greffe/requete")
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page.text)
    assert key
    answer = await client.post(
        "/greffe/requete",
        data={
            "csrf_token": csrf_of(page.text),
            "idempotency_key": key.group(1),
            "case_id": "case-42",
            "departement": "93",
            "applicant": "victim",
            "at": "2025-03-10T10:00",
        },
    )
    assert answer.status_code == 502
    assert 'value="case-42"' in answer.text
    assert f'value="{key.group(1)}"' in answer.text  # resending cannot write twice
    assert "ne sera pas enregistré deux fois" in answer.text


async def test_a_page_without_a_session_sends_to_the_login(console: Open) -> None:
    client = await console()
    for path in ("/", "/comite/93", "/greffe", "/dossiers/case-1"):
        answer = await client.get(path)
        assert answer.status_code == 303, path
        assert answer.headers["location"] == "/connexion"


def test_dev_login_cannot_be_on_with_an_identity_provider() -> None:
    with pytest.raises(ValueError, match="dev_login"):
        ConsoleSettings(dev_login=True, auth=AuthSettings(jwks_url="https://idp.test/jwks"))


async def test_shelter_and_partner_pages_say_which_service_does_not_answer(console: Open) -> None:
    client = await console(dev_login=True, shelter_url=NOWHERE, referrals_url=NOWHERE)
    await dev_login(client, role="shelter_operator")
    assert (await client.get("/hebergement")).status_code == 200
    missing = await client.get("/hebergement/enveloppes/env-1")
    assert missing.status_code == 502
    assert "de l&#39;hébergement" in missing.text  # autoescaped apostrophe
    assert (await client.get("/orientations/envoyees")).status_code == 502
