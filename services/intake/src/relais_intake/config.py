"""Settings of the intake service: env prefix ``RELAIS_INTAKE_`` (platform-wide ones shared)."""

from __future__ import annotations

from pydantic import SecretStr
from pydantic_settings import SettingsConfigDict
from relais_kit.settings import ServiceSettings


class IntakeSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="RELAIS_INTAKE_", extra="ignore")

    service_name: str = "intake"
    http_port: int = 8101
    # HMAC secret of the pseudonymous person key (hex); None: a dev secret kept in ``keys_dir``.
    # Changing it makes every existing key unfindable: rotate only with a re-keying plan.
    person_key_secret: SecretStr | None = None
