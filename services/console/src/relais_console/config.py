"""Settings of the console (env prefix ``RELAIS_CONSOLE_``; platform-wide ``RELAIS_AUTH_*`` too).

The console owns no data: what it needs are the other services' base URLs, how people log in
(OpenID Connect in production, a development login only when ``dev_login`` is on) and the
secret that signs the session cookie.
"""

from __future__ import annotations

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict
from relais_kit.settings import ServiceSettings


class ConsoleSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="RELAIS_CONSOLE_", extra="ignore")

    service_name: str = "console"
    http_port: int = 8100
    # The services the console calls with the user's own token (never their databases).
    intake_url: str = "http://127.0.0.1:8101"
    protection_orders_url: str = "http://127.0.0.1:8102"
    shelter_url: str = "http://127.0.0.1:8103"
    referrals_url: str = "http://127.0.0.1:8104"
    timeline_url: str = "http://127.0.0.1:8105"
    # Per call to a service, in seconds (a timeline read with ?min_event= waits up to ~2 s).
    service_timeout_s: float = Field(default=10.0, gt=0)
    # Development login (choose role, organisation, département; the console mints an HS256
    # token with the public dev secret). Off by default: with it off the route does not exist.
    dev_login: bool = False
    # Signs the session cookie. Unset: a random secret per process (sessions end on restart).
    session_secret: SecretStr | None = None
    # How long a session lasts, in seconds (the token inside may expire sooner).
    session_max_age_s: int = Field(default=8 * 3600, gt=0)
    # OpenID Connect (authorization code flow with PKCE): the identity provider and this client.
    oidc_issuer: str | None = None
    oidc_client_id: str | None = None
    oidc_client_secret: SecretStr | None = None
    oidc_scopes: str = "openid"
    # The console's public address, for the redirect URI the provider sends people back to.
    public_url: str = "http://127.0.0.1:8100"
    # Seconds between two looks for new entries on a live page (each look is a logged read).
    live_refresh_s: float = Field(default=3.0, gt=0)

    @model_validator(mode="after")
    def _one_login(self) -> ConsoleSettings:
        if self.oidc_issuer and not self.oidc_client_id:
            raise ValueError("oidc_issuer needs oidc_client_id")
        if self.dev_login and self.auth.jwks_url:
            raise ValueError("dev_login mints dev tokens: it cannot be on with a JWKS provider")
        return self

    @property
    def oidc_enabled(self) -> bool:
        return bool(self.oidc_issuer and self.oidc_client_id)
