"""Settings of the shelter service (env prefix ``RELAIS_SHELTER_``)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict
from relais_kit.settings import ServiceSettings


class ShelterSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="RELAIS_SHELTER_", extra="ignore")

    service_name: str = "shelter"
    http_port: int = 8103

    # An operation (allocate, release, claim) in flight longer than this is an orphan its dead
    # process left: the worker's recovery sweep gives it back (or finishes its commit). A live
    # command gives up by itself after half of it, so the sweep never races one.
    operation_lease_s: float = Field(default=30.0, gt=0)
    # How often the worker sweeps after the sweep it runs at start.
    sweep_interval_s: float = Field(default=15.0, gt=0)
    # The consumer group of every worker replica (it learns the cases from intake's topic).
    worker_group: str = "relais-shelter"
