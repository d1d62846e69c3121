"""Service settings: own prefix first, then the platform-wide variables, then defaults."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from pydantic_settings import SettingsConfigDict
from relais_kit.settings import ServiceSettings


class IntakeSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="RELAIS_INTAKE_")
    service_name: str = "intake"
    http_port: int = 8101


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("KAFKA_BOOTSTRAP", "MONGO_URI", "TOPICS_NAMESPACE", "OTEL_EXPORTER"):
        monkeypatch.delenv(f"RELAIS_{name}", raising=False)
        monkeypatch.delenv(f"RELAIS_INTAKE_{name}", raising=False)


def test_defaults_are_local_and_loopback() -> None:
    settings = IntakeSettings()
    assert settings.kafka_bootstrap == "127.0.0.1:9092"
    assert settings.mongo_uri == "mongodb://127.0.0.1:27017/"
    assert (settings.http_host, settings.http_port) == ("127.0.0.1", 8101)
    assert settings.database == "relais_intake"
    assert settings.auth.uses_dev_secret


def test_platform_variables_apply_to_every_service(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RELAIS_KAFKA_BOOTSTRAP", "10.0.0.1:9092")
    monkeypatch.setenv("RELAIS_MONGO_URI", "mongodb://db:27017/")
    monkeypatch.setenv("RELAIS_TOPICS_NAMESPACE", "t42.")
    settings = IntakeSettings()
    assert settings.kafka_bootstrap == "10.0.0.1:9092"
    assert settings.mongo_uri == "mongodb://db:27017/"
    assert settings.topics().name("relais.intake.v1") == "t42.relais.intake.v1"


def test_the_service_prefix_wins_over_the_platform(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RELAIS_KAFKA_BOOTSTRAP", "platform:9092")
    monkeypatch.setenv("RELAIS_INTAKE_KAFKA_BOOTSTRAP", "own:9092")
    monkeypatch.setenv("RELAIS_INTAKE_HTTP_PORT", "9101")
    settings = IntakeSettings()
    assert (settings.kafka_bootstrap, settings.http_port) == ("own:9092", 9101)
    assert IntakeSettings(kafka_bootstrap="arg:9092").kafka_bootstrap == "arg:9092"


def test_auth_is_read_from_the_platform_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RELAIS_AUTH_JWKS_URL", "https://idp.example/jwks.json")
    monkeypatch.setenv("RELAIS_AUTH_AUDIENCE", "relais")
    auth = IntakeSettings().auth
    assert auth.allowed_algorithms == ("RS256", "ES256")
    assert not auth.uses_dev_secret


def test_otlp_needs_an_endpoint() -> None:
    with pytest.raises(ValidationError):
        IntakeSettings(otel_exporter="otlp")
