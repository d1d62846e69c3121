"""`relais token`: mints a dev token the verifier accepts."""

from __future__ import annotations

import datetime as dt

import jwt
import pytest
from relais_kit.auth import Role, TokenVerifier
from relais_kit.cli import main, parse_ttl
from relais_kit.settings import AuthSettings


def test_token_prints_a_verifiable_jwt(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["token", "--sub", "alice", "--role", "justice_clerk", "--org", "tj-paris"]
    assert main([*argv, "--jurisdiction", "75", "--jurisdiction", "92", "--ttl", "30m"]) == 0
    printed = capsys.readouterr().out.strip()
    principal = TokenVerifier(AuthSettings()).verify(printed)
    assert principal.roles == {Role.JUSTICE_CLERK}
    assert principal.jurisdictions == {"75", "92"}
    exp = jwt.decode(printed, options={"verify_signature": False})["exp"]
    remaining = exp - dt.datetime.now(dt.UTC).timestamp()
    assert 29 * 60 < remaining <= 30 * 60


def test_token_uses_the_configured_secret(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("RELAIS_AUTH_SECRET", "a-team-secret-of-sufficient-length-123")
    assert main(["token", "--sub", "a", "--role", "police", "--org", "o"]) == 0
    printed = capsys.readouterr().out.strip()
    assert TokenVerifier(AuthSettings()).verify(printed).sub == "a"
    monkeypatch.delenv("RELAIS_AUTH_SECRET")
    with pytest.raises(Exception, match="invalid token"):
        TokenVerifier(AuthSettings()).verify(printed)


def test_token_refuses_when_a_jwks_is_configured(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("RELAIS_AUTH_JWKS_URL", "http://127.0.0.1:9/jwks.json")
    assert main(["token", "--sub", "a", "--role", "police", "--org", "o"]) == 2
    assert "JWKS" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("text", "expected"),
    [("90s", dt.timedelta(seconds=90)), ("8h", dt.timedelta(hours=8)), ("2d", dt.timedelta(2))],
)
def test_ttl_units(text: str, expected: dt.timedelta) -> None:
    assert parse_ttl(text) == expected
