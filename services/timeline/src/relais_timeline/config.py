"""Settings of the timeline service (env prefix ``RELAIS_TIMELINE_``; platform-wide variables
such as ``RELAIS_KAFKA_BOOTSTRAP`` apply when the prefixed one is absent)."""

from __future__ import annotations

from pydantic import model_validator
from pydantic_settings import SettingsConfigDict
from relais_events import topics
from relais_kit.settings import ServiceSettings

# The internal topic the worker re-keys every context topic into, partitioned by case id.
BY_CASE_TOPIC = "relais.timeline.by-case.v1"
# Where the worker announces the events it placed on timelines (the apis' ``?min_event=``).
APPLIED_TOPIC = "relais.timeline.applied.v1"


class TimelineSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="RELAIS_TIMELINE_", extra="ignore")

    service_name: str = "timeline"
    http_port: int = 8105
    # Kafka consumer group of the projecting workers; every replica shares it. A new group
    # rebuilds every timeline from the by-case topic's first offset.
    worker_group: str = "relais-timeline"
    # The re-keying members' group; empty: ``<worker_group>.rekey``. Kept when a new projecting
    # group starts over, so the by-case topic is not filled a second time.
    rekey_group: str = ""
    # How long `?min_event=` waits for the event to be applied before a 409, in seconds.
    min_event_wait_s: float = 2.0
    # Records the worker takes at most per batch, and how long it waits to fill one, seconds.
    worker_batch: int = 500
    worker_batch_wait_s: float = 0.02
    # Timelines a worker keeps in memory for the cases of the partitions it owns.
    worker_cache_size: int = 20_000
    # Largest page of a committee's case list.
    max_page: int = 100

    @model_validator(mode="after")
    def _rekey_group(self) -> TimelineSettings:
        if not self.rekey_group:
            self.rekey_group = f"{self.worker_group}.rekey"
        return self

    def topic(self, base: str) -> str:
        return self.topics().name(base)

    @property
    def context_topics(self) -> list[str]:
        return [self.topic(t) for t in topics.CONTEXT_TOPICS]

    @property
    def by_case_topic(self) -> str:
        return self.topic(BY_CASE_TOPIC)

    @property
    def applied_topic(self) -> str:
        return self.topic(APPLIED_TOPIC)

    @property
    def deadletter_topic(self) -> str:
        return self.topic(topics.DEADLETTER)
