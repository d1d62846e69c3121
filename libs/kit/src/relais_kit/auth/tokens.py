"""Bearer token verification (PyJWT) and development token minting.

Production verifies RS256/ES256 signatures against the identity provider's JWKS; development uses
the HS256 secret of `AuthSettings`, which `relais token` also signs with. The algorithm is pinned
by the settings, never taken from the token: an HS256 token (possibly signed with a public key)
is refused when asymmetric keys are expected, and `none` is refused everywhere.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import jwt
from pydantic import ValidationError

from relais_kit.auth.principal import Principal, Role
from relais_kit.settings import AuthSettings

# Claims a token must carry before its content is even looked at.
REQUIRED_CLAIMS = ("exp", "iat", "sub")


class InvalidTokenError(Exception):
    """The token cannot be trusted; `reason` is safe to show the caller."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class TokenVerifier:
    """Turns a bearer token into a `Principal`, or raises `InvalidTokenError`.

    `verify` may fetch the JWKS over the network (cached for `jwks_cache_s`): call it from a
    thread, as the FastAPI dependency does by being a plain function.
    """

    def __init__(self, settings: AuthSettings) -> None:
        self._settings = settings
        self._algorithms = list(settings.allowed_algorithms)
        self._jwks = (
            jwt.PyJWKClient(
                settings.jwks_url, cache_keys=True, lifespan=settings.jwks_cache_s, timeout=5
            )
            if settings.jwks_url
            else None
        )

    def verify(self, token: str) -> Principal:
        try:
            header = jwt.get_unverified_header(token)
            if header.get("alg") not in self._algorithms:
                raise InvalidTokenError("token algorithm not accepted")
            key = (
                self._jwks.get_signing_key_from_jwt(token).key
                if self._jwks
                else self._settings.secret.get_secret_value()
            )
            claims = jwt.decode(
                token,
                key,
                algorithms=self._algorithms,
                audience=self._settings.audience,
                issuer=self._settings.issuer,
                leeway=self._settings.leeway_s,
                options={"require": [*REQUIRED_CLAIMS, *self._identity_claims()]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise InvalidTokenError("token expired") from exc
        except jwt.PyJWKClientError as exc:
            raise InvalidTokenError("no matching signing key") from exc
        except jwt.PyJWTError as exc:
            raise InvalidTokenError("invalid token") from exc
        try:
            return Principal.model_validate(claims)
        except ValidationError as exc:
            raise InvalidTokenError("invalid identity claims") from exc

    def _identity_claims(self) -> list[str]:
        required = ["roles", "org", "jurisdictions"]
        if self._settings.issuer:
            required.append("iss")
        if self._settings.audience:
            required.append("aud")
        return required


def mint_dev_token(
    settings: AuthSettings,
    *,
    sub: str,
    roles: Iterable[Role | str],
    org: str,
    jurisdictions: Iterable[str],
    ttl: dt.timedelta = dt.timedelta(hours=8),
    now: dt.datetime | None = None,
) -> str:
    """An HS256 token signed with the settings' secret, for development and tests only."""
    if settings.jwks_url:
        raise ValueError("auth is configured for a JWKS identity provider: mint tokens there")
    issued = now or dt.datetime.now(dt.UTC)
    principal = Principal(
        sub=sub,
        roles=frozenset(Role(r) for r in roles),
        org=org,
        jurisdictions=frozenset(jurisdictions),
    )
    claims: dict[str, object] = {
        "sub": principal.sub,
        "roles": sorted(principal.roles),
        "org": principal.org,
        "jurisdictions": sorted(principal.jurisdictions),
        "iat": issued,
        "exp": issued + ttl,
    }
    if settings.issuer:
        claims["iss"] = settings.issuer
    if settings.audience:
        claims["aud"] = settings.audience
    return jwt.encode(claims, settings.secret.get_secret_value(), algorithm="HS256")
