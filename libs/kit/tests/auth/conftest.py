"""A local identity provider for the auth tests: RSA and EC keys, a JWKS served on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm
from relais_kit.settings import DEV_SECRET, AuthSettings


def claims(**overrides: Any) -> dict[str, Any]:
    """Valid claims for alice, a clerk in Paris; an override of None removes the claim."""
    now = dt.datetime.now(dt.UTC)
    base: dict[str, Any] = {
        "sub": "alice",
        "roles": ["justice_clerk"],
        "org": "tj-paris",
        "jurisdictions": ["75"],
        "iat": now,
        "exp": now + dt.timedelta(minutes=5),
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


@dataclass(frozen=True)
class LocalIdP:
    jwks_url: str
    rsa_key: rsa.RSAPrivateKey
    ec_key: ec.EllipticCurvePrivateKey
    issuer: str = "https://idp.relais.test/"
    audience: str = "relais"

    @property
    def settings(self) -> AuthSettings:
        return AuthSettings(jwks_url=self.jwks_url, issuer=self.issuer, audience=self.audience)

    def sign(self, alg: str = "RS256", kid: str | None = None, **overrides: Any) -> str:
        body = claims(**{"iss": self.issuer, "aud": self.audience, **overrides})
        if alg == "HS256":
            return jwt.encode(body, DEV_SECRET, algorithm="HS256")
        key: Any = self.rsa_key if alg.startswith("RS") else self.ec_key
        default_kid = "rsa-1" if alg.startswith("RS") else "ec-1"
        return jwt.encode(body, key, algorithm=alg, headers={"kid": kid or default_kid})


@pytest.fixture(scope="session")
def idp() -> Iterator[LocalIdP]:
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ec_key = ec.generate_private_key(ec.SECP256R1())
    keys = [
        {**RSAAlgorithm.to_jwk(rsa_key.public_key(), as_dict=True), "kid": "rsa-1"},
        {**ECAlgorithm.to_jwk(ec_key.public_key(), as_dict=True), "kid": "ec-1"},
    ]
    body = json.dumps({"keys": keys}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:  # keep test output quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield LocalIdP(f"http://127.0.0.1:{server.server_port}/jwks.json", rsa_key, ec_key)
    server.shutdown()
    server.server_close()
