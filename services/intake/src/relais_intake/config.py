"""Settings of the intake service: env prefix ``RELAIS_INTAKE_`` (platform-wide ones shared)."""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr
from pydantic_settings import SettingsConfigDict
from relais_kit.settings import ServiceSettings


class IntakeSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="RELAIS_INTAKE_", extra="ignore")

    service_name: str = "intake"
    http_port: int = 8101
    # HMAC secret of the pseudonymous person key; None: a dev secret kept in ``keys_dir``.
    # Changing it makes every existing key unfindable: rotate only with a re-keying plan.
    person_key_secret: SecretStr | None = None
    # Ed25519 signing key (base64 of the raw 32-byte seed) and its id in the key registry;
    # None: a dev key generated into ``keys_dir`` and published in ``key_registry``.
    signing_key: SecretStr | None = None
    signing_key_id: str = "intake-dev-1"
    keys_dir: Path = Path(".relais/keys")
    # The public key registry file auditors read (DESIGN.md section 4).
    key_registry: Path = Path(".relais/keys/registry.json")
