"""A small OpenID provider for the login test: discovery, authorize, token (PKCE S256), JWKS.

It signs RS256 tokens with a key made for the test; ``/authorize`` answers at once as if the
person had logged in, and remembers the code challenge so ``/token`` can check the verifier.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import secrets
from dataclasses import dataclass, field
from typing import Annotated, Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI, Form, Query
from fastapi.responses import JSONResponse, RedirectResponse

CLIENT_ID = "relais-console"


@dataclass
class FakeProvider:
    issuer: str = ""
    key: rsa.RSAPrivateKey = field(
        default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )
    pending: dict[str, dict[str, str]] = field(default_factory=dict)
    seen_challenges: list[str] = field(default_factory=list)
    claims: dict[str, Any] = field(
        default_factory=lambda: {
            "sub": "member-oidc",
            "roles": ["committee_member"],
            "org": "clav-93",
            "jurisdictions": ["93"],
        }
    )

    def sign(self, claims: dict[str, Any]) -> str:
        now = dt.datetime.now(dt.UTC)
        body = {"iss": self.issuer, "iat": now, "exp": now + dt.timedelta(minutes=5)} | claims
        return jwt.encode(body, self.key, algorithm="RS256", headers={"kid": "test-key"})

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.get("/.well-known/openid-configuration")
        async def discovery() -> dict[str, str]:
            return {
                "issuer": self.issuer,
                "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token",
                "jwks_uri": f"{self.issuer}/jwks",
            }

        @app.get("/jwks")
        async def jwks() -> dict[str, Any]:
            public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
            return {"keys": [public | {"kid": "test-key", "use": "sig", "alg": "RS256"}]}

        @app.get("/authorize")
        async def authorize(  # noqa: PLR0917  (the query parameters of the flow)
            redirect_uri: str,
            state: str,
            nonce: str,
            code_challenge: str,
            code_challenge_method: Annotated[str, Query()],
            client_id: str,
        ) -> RedirectResponse:
            assert code_challenge_method == "S256"
            assert client_id == CLIENT_ID
            code = secrets.token_urlsafe(16)
            self.pending[code] = {"challenge": code_challenge, "nonce": nonce}
            self.seen_challenges.append(code_challenge)
            return RedirectResponse(f"{redirect_uri}?code={code}&state={state}", status_code=302)

        @app.post("/token")
        async def token(
            code: Annotated[str, Form()],
            code_verifier: Annotated[str, Form()],
            client_id: Annotated[str, Form()],
        ) -> JSONResponse:
            grant = self.pending.pop(code, None)
            digest = hashlib.sha256(code_verifier.encode()).digest()
            challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
            if grant is None or challenge != grant["challenge"] or client_id != CLIENT_ID:
                return JSONResponse({"error": "invalid_grant"}, status_code=400)
            id_token = self.sign(
                {"sub": self.claims["sub"], "aud": CLIENT_ID} | {"nonce": grant["nonce"]}
            )
            return JSONResponse(
                {
                    "access_token": self.sign(self.claims),
                    "id_token": id_token,
                    "token_type": "Bearer",
                    "expires_in": 300,
                }
            )

        return app
