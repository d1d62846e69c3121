"""Settings every Relais service shares: one pydantic-settings class per service.

A service subclasses `ServiceSettings` with its own prefix::

    class IntakeSettings(ServiceSettings):
        model_config = SettingsConfigDict(env_prefix="RELAIS_INTAKE_")
        service_name: str = "intake"
        http_port: int = 8101

Precedence, highest first: constructor arguments, `RELAIS_<NAME>_<FIELD>`, the platform-wide
variables of `PLATFORM_ENV` (so one `RELAIS_KAFKA_BOOTSTRAP` points every service at the same
broker, DESIGN.md section 7), then the defaults below. Authentication is platform-wide (one
identity provider, one dev secret shared with `relais token`), so it is read from `RELAIS_AUTH_*`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any, Final, Literal

from pydantic import Field, PrivateAttr, SecretStr, field_validator, model_validator
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from relais_kit.topics import TopicSettings

# Publicly known on purpose: a token signed with it proves nothing. Any deployment that is not a
# developer's machine sets RELAIS_AUTH_JWKS_URL (or at least RELAIS_AUTH_SECRET).
DEV_SECRET: Final = "relais-dev-secret-INSECURE-do-not-use-outside-a-laptop"  # noqa: S105

_ASYMMETRIC: Final = frozenset({"RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "PS256"})


class AuthSettings(BaseSettings):
    """How bearer tokens are verified. Env: RELAIS_AUTH_SECRET, RELAIS_AUTH_JWKS_URL, ..."""

    model_config = SettingsConfigDict(env_prefix="RELAIS_AUTH_", extra="ignore", frozen=True)

    # HS256 secret for development (tokens from `relais token`); ignored when jwks_url is set.
    secret: SecretStr = SecretStr(DEV_SECRET)
    # Production: the identity provider's JWKS (RS256/ES256 keys). Setting it disables HS256.
    jwks_url: str | None = None
    # Expected `iss` and `aud` claims; checked only when set (always set them in production).
    issuer: str | None = None
    audience: str | None = None
    # Allowed `alg` values, comma-separated in env. Empty: HS256 in dev, RS256+ES256 with JWKS.
    algorithms: Annotated[tuple[str, ...], NoDecode] = ()
    # Clock skew tolerated on `exp`/`nbf`/`iat`, in seconds.
    leeway_s: int = 30
    # How long fetched JWKS keys are cached before the provider is asked again, in seconds.
    jwks_cache_s: int = 300

    @field_validator("algorithms", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        return (
            tuple(a.strip() for a in value.split(",") if a.strip())
            if isinstance(value, str)
            else value
        )

    @model_validator(mode="after")
    def _coherent(self) -> AuthSettings:
        algs = set(self.allowed_algorithms)
        if "none" in {a.lower() for a in algs}:
            raise ValueError("the 'none' algorithm is never allowed")
        if self.jwks_url and not algs <= _ASYMMETRIC:
            raise ValueError("with a JWKS URL only asymmetric algorithms may be allowed")
        if not self.jwks_url and algs != {"HS256"}:
            raise ValueError("without a JWKS URL only HS256 (the dev secret) is supported")
        return self

    @property
    def allowed_algorithms(self) -> tuple[str, ...]:
        if self.algorithms:
            return self.algorithms
        return ("RS256", "ES256") if self.jwks_url else ("HS256",)

    @property
    def uses_dev_secret(self) -> bool:
        """True when tokens are checked against the public dev secret: never in production."""
        return not self.jwks_url and self.secret.get_secret_value() == DEV_SECRET


# Platform-wide variables a service honours when its own prefixed variable is absent.
PLATFORM_ENV: Final = {
    "kafka_bootstrap": "RELAIS_KAFKA_BOOTSTRAP",
    "mongo_uri": "RELAIS_MONGO_URI",
    "topics_namespace": "RELAIS_TOPICS_NAMESPACE",
    "otel_exporter": "RELAIS_OTEL_EXPORTER",
    "otel_endpoint": "RELAIS_OTEL_ENDPOINT",
    "keys_dir": "RELAIS_KEYS_DIR",
    "key_registry": "RELAIS_KEY_REGISTRY",
}


class _PlatformEnv(PydanticBaseSettingsSource):
    """Reads `PLATFORM_ENV`: the same variable for every service."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        name = PLATFORM_ENV.get(field_name)
        return (os.environ.get(name) if name else None), field_name, False

    def __call__(self) -> dict[str, Any]:
        found = {f: os.environ.get(name) for f, name in PLATFORM_ENV.items()}
        return {
            f: v for f, v in found.items() if v is not None and f in self.settings_cls.model_fields
        }


class ServiceSettings(BaseSettings):
    """What every service needs to run; subclass it with `env_prefix="RELAIS_<NAME>_"`."""

    model_config = SettingsConfigDict(env_prefix="RELAIS_SERVICE_", extra="ignore")

    # Names the service in logs, traces (service.name) and the default database.
    service_name: str = "relais"
    # Kafka bootstrap servers, comma-separated host:port.
    kafka_bootstrap: str = "127.0.0.1:9092"
    # MongoDB (or FerretDB) connection string.
    mongo_uri: str = "mongodb://127.0.0.1:27017/"
    # The service's own database; empty means `relais_<service_name>` (never shared, section 1).
    database: str = ""
    # Prefix of every topic name, so test runs and tenants never see each other's records.
    topics_namespace: str = ""
    # Where the api process listens; loopback by default, a deployment opens it on purpose.
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    # Bearer token verification (platform-wide, RELAIS_AUTH_*).
    auth: AuthSettings = Field(default_factory=AuthSettings)
    # Seconds between outbox sweeps for commits a crashed process left unpublished (store rule 4).
    # A sweep reads the ledger of stopped processes only, so it stays cheap however big the log.
    outbox_sweep_interval_s: float = 15.0
    # A process whose outbox session has not said it is alive for this long (seconds) is taken
    # for dead, and its unpublished commits are published by the others' sweeps. 0: the
    # default, twice the sweep interval and at least 30 s. Keep it well above the heartbeat (5 s).
    outbox_stopped_after_s: float = Field(default=0.0, ge=0)
    # Trace export: none, console (stdout, for development) or otlp (to otel_endpoint).
    otel_exporter: Literal["none", "console", "otlp"] = "none"
    # OTLP/HTTP traces endpoint, e.g. http://127.0.0.1:4318/v1/traces (otlp only).
    otel_endpoint: str | None = None
    # How long a repeat of a keyed POST waits for the first one's answer before a 409, seconds.
    idempotency_wait_s: float = 2.0
    # A keyed POST's claim is leased this long, seconds: a repeat after it takes the key over
    # (its process crashed mid-request). Well above any request's own time limits.
    idempotency_lease_s: float = Field(default=30.0, gt=0)
    # Keys are kept this long, seconds (a day: a retry within it replays, a day later it runs
    # again), then purged by a sweep every ``idempotency_sweep_s`` (FerretDB has no TTL index).
    idempotency_retention_s: float = Field(default=86_400.0, gt=0)
    idempotency_sweep_s: float = Field(default=600.0, gt=0)
    # Access-log entries are kept this many days in the service's store, then purged by a
    # sweep every ``access_log_purge_s`` (CNIL guidance: 6 to 12 months; DOMAIN.md "Data
    # protection"). 365: twelve months.
    access_log_retention_days: int = Field(default=365, ge=1)
    access_log_purge_s: float = Field(default=3600.0, gt=0)
    # Every 404 is sent no sooner than this after its request came in, seconds: a case of
    # another département and a missing one then take the same time (issue 13).
    not_found_floor_s: float = Field(default=0.05, ge=0)
    # Requests an api process serves at once; beyond, 503 with Retry-After at once (no queue).
    max_in_flight: int = Field(default=64, ge=1)
    # Upper bound for each /readyz check (Kafka metadata, Mongo ping), in seconds.
    readiness_timeout_s: float = 2.0
    # Ed25519 key the service signs every event with (base64 of the raw 32-byte seed), and its
    # id in the key registry. Unset: a development key generated under ``keys_dir`` and
    # published in ``key_registry`` (``relais_kit.signing``); never in production.
    signing_key: SecretStr | None = None
    signing_key_id: str = ""  # empty: ``<service_name>-dev-1``
    # Where development keys and secrets live (platform-wide: RELAIS_KEYS_DIR).
    keys_dir: Path = Path(".relais/keys")
    # The public key registry file auditors read (platform-wide: RELAIS_KEY_REGISTRY).
    key_registry: Path = Path(".relais/keys/registry.json")
    # Largest record a consumer admits, in bytes (an envelope is a few kB); a larger one goes to
    # the dead letters as ``oversized`` before it is parsed (``relais_kit.ingress``).
    max_record_bytes: int = Field(default=256 * 1024, ge=1024)
    # Connections the driver keeps to the store. Small on purpose: SQLite takes one write lock
    # per database file, and group commit already batches a process's writes.
    mongo_pool_size: int = Field(default=8, ge=1)
    # How long a command waits to reach the store (server selection, connect), in seconds: past
    # it the api answers 503 with Retry-After instead of hanging (``relais_kit.http.unavailable``).
    mongo_timeout_s: float = Field(default=2.0, gt=0)
    # How long one store round trip may take once sent, in seconds; a store that hangs (FerretDB
    # 1.24 can, see the README) then fails the request instead of holding it forever.
    mongo_socket_timeout_s: float = Field(default=20.0, gt=0)
    # Aggregates whose latest state each process keeps in memory (0: none).
    state_cache_size: int = Field(default=10_000, ge=0)
    # Retries of a command whose version another writer took, before answering 409.
    max_command_attempts: int = Field(default=5, ge=1)
    _topics: TopicSettings | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _defaults(self) -> ServiceSettings:
        if not self.database:
            self.database = f"relais_{self.service_name.replace('-', '_')}"
        if not self.signing_key_id:
            self.signing_key_id = f"{self.service_name}-dev-1"
        if self.otel_exporter == "otlp" and not self.otel_endpoint:
            raise ValueError("otel_exporter=otlp needs otel_endpoint")
        return self

    def topics(self) -> TopicSettings:
        """Topic provisioning settings carrying this service's namespace.

        Read from the environment once: workers name a topic per record, and building a
        ``BaseSettings`` reads every variable again (a fifth of the timeline worker's CPU).
        """
        if self._topics is None or self._topics.namespace != self.topics_namespace:
            self._topics = TopicSettings(namespace=self.topics_namespace)
        return self._topics

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (
            init_settings,
            env_settings,
            _PlatformEnv(settings_cls),
            dotenv_settings,
            file_secret_settings,
        )
