"""Token verification: what is accepted, and every way a token is refused."""

from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Any, Protocol

import jwt
import pytest
from pydantic import SecretStr, ValidationError
from relais_kit.auth import InvalidTokenError, Principal, Role, TokenVerifier, mint_dev_token
from relais_kit.settings import DEV_SECRET, AuthSettings

DEV = AuthSettings()


class IdP(Protocol):  # the `idp` fixture (conftest.LocalIdP)
    settings: AuthSettings
    issuer: str
    audience: str

    def sign(self, alg: str = ..., kid: str | None = ..., **overrides: Any) -> str: ...


def claims(**overrides: Any) -> dict[str, Any]:
    now = dt.datetime.now(dt.UTC)
    base = {"sub": "alice", "roles": ["justice_clerk"], "org": "tj-paris"}
    body = {**base, "jurisdictions": ["75"], "iat": now, "exp": now + dt.timedelta(minutes=5)}
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


def hs256(secret: str = DEV_SECRET, **overrides: Any) -> str:
    return jwt.encode(claims(**overrides), secret, algorithm="HS256")


def without(claim: str) -> str:
    return jwt.encode(claims(**{claim: None}), DEV_SECRET, algorithm="HS256")


def refused(verifier: TokenVerifier, token: str) -> str:
    with pytest.raises(InvalidTokenError) as info:
        verifier.verify(token)
    return info.value.reason


def test_a_dev_token_yields_its_principal() -> None:
    principal = TokenVerifier(DEV).verify(hs256())
    assert principal == Principal(
        sub="alice",
        roles=frozenset({Role.JUSTICE_CLERK}),
        org="tj-paris",
        jurisdictions=frozenset({"75"}),
    )


def test_minted_tokens_verify() -> None:
    token = mint_dev_token(
        DEV, sub="bob", roles=["police"], org="cp-lyon", jurisdictions=["69", "2A"]
    )
    principal = TokenVerifier(DEV).verify(token)
    assert principal.roles == {Role.POLICE}
    assert principal.jurisdictions == {"69", "2A"}


def test_an_expired_token_is_refused() -> None:
    past = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    assert refused(TokenVerifier(DEV), hs256(iat=past, exp=past)) == "token expired"


def test_a_token_signed_with_another_secret_is_refused() -> None:
    assert refused(TokenVerifier(DEV), hs256(secret="x" * 40)) == "invalid token"


def test_alg_none_is_refused() -> None:
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    body = {**claims(), "iat": 1, "exp": 9_999_999_999}
    token = f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(body)}."
    assert refused(TokenVerifier(DEV), token) == "token algorithm not accepted"


@pytest.mark.parametrize("missing", ["exp", "iat", "sub", "roles", "org", "jurisdictions"])
def test_a_token_missing_a_claim_is_refused(missing: str) -> None:
    assert refused(TokenVerifier(DEV), without(missing))


@pytest.mark.parametrize(
    "bad",
    [{"roles": ["sheriff"]}, {"roles": []}, {"jurisdictions": ["20"]}, {"sub": ""}],
)
def test_claims_outside_the_vocabulary_are_refused(bad: dict[str, Any]) -> None:
    assert refused(TokenVerifier(DEV), hs256(**bad)) == "invalid identity claims"


def test_issuer_and_audience_are_checked_when_configured() -> None:
    iss, aud = "https://idp.relais.test/", "relais"
    strict = AuthSettings(issuer=iss, audience=aud)
    assert TokenVerifier(strict).verify(hs256(iss=iss, aud=aud)).sub == "alice"
    assert refused(TokenVerifier(strict), hs256(iss="https://evil/", aud=aud))
    assert refused(TokenVerifier(strict), hs256(iss=iss, aud="other"))
    assert refused(TokenVerifier(strict), hs256())  # neither claim present


def test_rs256_and_es256_verify_against_the_jwks(idp: IdP) -> None:
    verifier = TokenVerifier(idp.settings)
    assert verifier.verify(idp.sign("RS256")).sub == "alice"
    assert verifier.verify(idp.sign("ES256")).org == "tj-paris"


def test_with_a_jwks_hs256_tokens_are_refused(idp: IdP) -> None:
    assert refused(TokenVerifier(idp.settings), idp.sign("HS256")) == (
        "token algorithm not accepted"
    )


def test_an_unknown_key_id_is_refused(idp: IdP) -> None:
    token = idp.sign("RS256", kid="rotated-away")
    assert refused(TokenVerifier(idp.settings), token) == "no matching signing key"


def test_jwks_tokens_need_the_configured_issuer_and_audience(idp: IdP) -> None:
    verifier = TokenVerifier(idp.settings)
    assert refused(verifier, idp.sign("RS256", aud="someone-else"))
    assert refused(verifier, idp.sign("RS256", iss=None))


def test_settings_refuse_incoherent_algorithms(idp: IdP) -> None:
    url = idp.settings.jwks_url
    with pytest.raises(ValidationError):
        AuthSettings(algorithms="none")
    with pytest.raises(ValidationError):
        AuthSettings(jwks_url=url, algorithms="RS256,HS256")
    assert AuthSettings(jwks_url=url, algorithms="ES256").allowed_algorithms == ("ES256",)


def test_the_dev_secret_is_flagged() -> None:
    assert DEV.uses_dev_secret
    assert not AuthSettings(secret=SecretStr("s" * 40)).uses_dev_secret
