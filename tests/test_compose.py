"""The production compose file: parses, binds to loopback, commits no secret, runs every service."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = ROOT / "docker-compose.yml"
SECRET_WORDS = ("SECRET", "PASSWORD", "TOKEN", "JWKS", "PRIVATE", "SIGNING_KEY")


def _compose() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())
    return document


def _services_with(entrypoint: str) -> list[str]:
    return sorted(
        p.parents[3].name
        for p in ROOT.glob(f"services/*/src/*/entrypoints/{entrypoint}.py")
        if p.parents[3].parent.name == "services"
    )


def test_every_service_with_code_has_an_api_and_a_worker_container() -> None:
    """An api container per ``entrypoints/api.py``, a worker container per
    ``entrypoints/worker.py`` (the rule ``make run`` follows): the console has no worker."""
    services = _compose()["services"]
    for name in _services_with("api"):
        assert f"{name}-api" in services, name
        assert "healthcheck" in services[f"{name}-api"]
    for name in _services_with("worker"):
        assert f"{name}-worker" in services, name
    assert {"protection-orders", "timeline"} <= set(_services_with("worker"))  # not vacuous


def test_infrastructure_is_the_production_shape() -> None:
    services = _compose()["services"]
    assert services["kafka"]["image"].startswith("apache/kafka:3.9.")
    assert services["kafka"]["environment"]["KAFKA_PROCESS_ROLES"] == "broker,controller"
    assert "--replSet" in services["mongo"]["command"]
    assert "rs.initiate" in " ".join(services["mongo-init"]["command"])
    assert {"otel-collector", "jaeger"} <= set(services)
    for name in ("kafka", "mongo"):
        assert "healthcheck" in services[name]


def test_published_ports_bind_to_loopback_only() -> None:
    for name, service in _compose()["services"].items():
        for port in service.get("ports", []):
            assert str(port).startswith("127.0.0.1:"), f"{name} publishes {port}"


def test_writes_are_acknowledged_by_a_journaled_majority() -> None:
    uri = _compose()["x-relais-env"]["RELAIS_MONGO_URI"]
    assert "w=majority" in uri
    assert "journal=true" in uri


def test_no_secret_is_committed() -> None:
    for name, service in _compose()["services"].items():
        for key, value in (service.get("environment") or {}).items():
            if any(word in key for word in SECRET_WORDS):
                assert str(value).startswith("${"), f"{name}: {key} is written in the file"
                assert ":?" in str(value), f"{name}: {key} must be required from the environment"


@pytest.mark.skipif(
    shutil.which("docker") is None
    or subprocess.run(["docker", "compose", "version"], capture_output=True, check=False).returncode
    != 0,
    reason="the docker compose client is not installed here",
)
def test_docker_compose_accepts_the_file() -> None:
    env = {
        "RELAIS_AUTH_JWKS_URL": "https://idp.invalid/jwks",
        "RELAIS_INTAKE_PERSON_KEY_SECRET": "x",
        "RELAIS_KEY_REGISTRY_FILE": "/dev/null",
        **{
            f"RELAIS_{s}_SIGNING_KEY": "x"
            for s in ("INTAKE", "PROTECTION_ORDERS", "SHELTER", "REFERRALS", "TIMELINE")
        },
        "RELAIS_CONSOLE_OIDC_ISSUER": "https://idp.invalid",
        "RELAIS_CONSOLE_OIDC_CLIENT_SECRET": "x",
        "RELAIS_CONSOLE_SESSION_SECRET": "x",
        "RELAIS_CONSOLE_PUBLIC_URL": "https://console.invalid",
    }
    result = subprocess.run(
        ["docker", "compose", "-f", str(COMPOSE), "config", "-q"],
        capture_output=True,
        text=True,
        env={**env, "PATH": "/usr/local/bin:/usr/bin:/bin"},
        check=False,
    )
    assert result.returncode == 0, result.stderr
