"""Settings of the timeline service (env prefix ``RELAIS_TIMELINE_``; platform-wide variables
such as ``RELAIS_KAFKA_BOOTSTRAP`` apply when the prefixed one is absent)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict
from relais_events import topics
from relais_kit.settings import ServiceSettings

# The internal topic the worker re-keys every context topic into, partitioned by case id.
BY_CASE_TOPIC = "relais.timeline.by-case.v1"


class TimelineSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="RELAIS_TIMELINE_", extra="ignore")

    service_name: str = "timeline"
    http_port: int = 8105
    # Kafka consumer group (and Faust app id) of the worker; every replica shares it.
    worker_group: str = "relais-timeline"
    # How long `?min_event=` waits for the event to be applied before a 409, in seconds.
    min_event_wait_s: float = 2.0
    # Between two looks at the store while `?min_event=` waits, in seconds.
    min_event_poll_s: float = 0.05
    # Largest page of a committee's case list.
    max_page: int = 100

    def topic(self, base: str) -> str:
        return self.topics().name(base)

    @property
    def context_topics(self) -> list[str]:
        return [self.topic(t) for t in topics.CONTEXT_TOPICS]

    @property
    def by_case_topic(self) -> str:
        return self.topic(BY_CASE_TOPIC)

    @property
    def deadletter_topic(self) -> str:
        return self.topic(topics.DEADLETTER)
