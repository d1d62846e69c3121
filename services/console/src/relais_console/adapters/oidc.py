"""OpenID Connect login: the authorization code flow with PKCE (S256), through authlib.

The provider's discovery document names its endpoints; authlib builds the authorization URL
(with ``code_challenge``) and exchanges the code (with ``code_verifier``). The ID token is
checked here (signature against the provider's JWKS, issuer, audience, nonce); the access token
is what the console forwards to the services, which verify it themselves (RELAIS_AUTH_*).
"""

from __future__ import annotations

import asyncio
import warnings
from dataclasses import dataclass, field
from typing import Any

import authlib.deprecate  # noqa: F401  (installs its "always" filter before ours below)
import httpx
import jwt

with warnings.catch_warnings():
    # authlib 1.9 prefers the httpx2 fork and warns when it falls back to httpx, which the
    # whole workspace uses (0.28): the fallback is the supported path of this pinned version.
    warnings.simplefilter("ignore")
    from authlib.integrations.httpx_client import AsyncOAuth2Client

from relais_console.config import ConsoleSettings

CALLBACK_PATH = "/connexion/retour"
ID_TOKEN_ALGORITHMS = ["RS256", "ES256", "PS256"]


class LoginFailed(Exception):  # noqa: N818
    """The provider refused, or what it sent back does not verify: no session is opened."""


@dataclass
class OidcProvider:
    issuer: str
    client_id: str
    client_secret: str | None
    scopes: str
    redirect_uri: str
    _metadata: dict[str, Any] | None = None
    _jwks: jwt.PyJWKClient | None = None
    _http: httpx.AsyncClient = field(default_factory=lambda: httpx.AsyncClient(timeout=10.0))

    @classmethod
    def from_settings(cls, settings: ConsoleSettings) -> OidcProvider:
        if not settings.oidc_issuer or not settings.oidc_client_id:
            raise ValueError("OpenID Connect needs oidc_issuer and oidc_client_id")
        secret = settings.oidc_client_secret
        return cls(
            issuer=settings.oidc_issuer.rstrip("/"),
            client_id=settings.oidc_client_id,
            client_secret=secret.get_secret_value() if secret else None,
            scopes=settings.oidc_scopes,
            redirect_uri=settings.public_url.rstrip("/") + CALLBACK_PATH,
        )

    def _client(self) -> AsyncOAuth2Client:
        return AsyncOAuth2Client(
            client_id=self.client_id,
            client_secret=self.client_secret,
            scope=self.scopes,
            redirect_uri=self.redirect_uri,
            code_challenge_method="S256",
            token_endpoint_auth_method="client_secret_post" if self.client_secret else "none",
            timeout=10.0,
        )

    async def metadata(self) -> dict[str, Any]:
        if self._metadata is None:
            answer = await self._http.get(f"{self.issuer}/.well-known/openid-configuration")
            answer.raise_for_status()
            self._metadata = dict(answer.json())
        return self._metadata

    async def authorization_url(self, state: str, nonce: str, code_verifier: str) -> str:
        endpoint = (await self.metadata())["authorization_endpoint"]
        async with self._client() as oauth:
            url, _ = oauth.create_authorization_url(
                endpoint, state=state, code_verifier=code_verifier, nonce=nonce
            )
        return str(url)

    async def exchange(self, code: str, code_verifier: str, nonce: str) -> str:
        """The access token for ``code``, once the ID token that came with it verifies."""
        meta = await self.metadata()
        try:
            async with self._client() as oauth:
                tokens = await oauth.fetch_token(
                    meta["token_endpoint"],
                    grant_type="authorization_code",
                    code=code,
                    code_verifier=code_verifier,
                )
        except Exception as error:  # authlib raises its OAuthError, httpx its own
            raise LoginFailed("the provider refused the code") from error
        id_token, access = tokens.get("id_token"), tokens.get("access_token")
        if not id_token or not access:
            raise LoginFailed("the provider sent no ID token or no access token")
        await asyncio.to_thread(self._verify_id_token, str(id_token), nonce, meta)
        return str(access)

    def _verify_id_token(self, id_token: str, nonce: str, meta: dict[str, Any]) -> None:
        # Blocking (the JWKS fetch): called from a thread.
        if self._jwks is None:
            self._jwks = jwt.PyJWKClient(meta["jwks_uri"], cache_keys=True, timeout=5)
        try:
            key = self._jwks.get_signing_key_from_jwt(id_token).key
            claims = jwt.decode(
                id_token,
                key,
                algorithms=ID_TOKEN_ALGORITHMS,
                audience=self.client_id,
                issuer=meta.get("issuer", self.issuer),
                options={"require": ["exp", "iat", "sub", "nonce"]},
            )
        except jwt.PyJWTError as error:
            raise LoginFailed("the ID token does not verify") from error
        if claims.get("nonce") != nonce:
            raise LoginFailed("the ID token answers another login")

    async def close(self) -> None:
        await self._http.aclose()
