"""Topic provisioning (DESIGN.md section 4): one topic per owning context plus the dead letters.

Idempotent: existing topics are left as they are and reported, never recreated, because the log
is the record auditors replay.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from pydantic_settings import BaseSettings, SettingsConfigDict
from relais_events.topics import ALL_TOPICS

# Kafka keeps records forever with -1: retention is infinite because the log is the record.
_FOREVER = "-1"


class TopicSettings(BaseSettings):
    """How Relais topics are created. Env: RELAIS_TOPICS_PARTITIONS, ..._NAMESPACE, ..."""

    model_config = SettingsConfigDict(env_prefix="RELAIS_TOPICS_", extra="ignore")

    partitions: int = 6
    replication_factor: int = 1
    min_insync_replicas: int = 1
    # Prepended to every topic name, so test runs (or tenants) never see each other's records.
    namespace: str = ""

    def name(self, topic: str) -> str:
        return f"{self.namespace}{topic}"


@dataclass(frozen=True)
class ProvisionReport:
    created: tuple[str, ...]
    existing: tuple[str, ...]


def ensure_topics(
    bootstrap: str,
    settings: TopicSettings,
    topics: Iterable[str] = ALL_TOPICS,
    *,
    timeout_ms: int = 30_000,
    retention_ms: int | None = None,
) -> ProvisionReport:
    """Create the missing topics with the configured partitions, retention and min ISR.

    Retention is infinite (the log is the record) unless ``retention_ms`` is given, for an
    internal topic of notices nobody replays."""
    from kafka import KafkaAdminClient

    names = [settings.name(t) for t in topics]
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="relais-topics")
    try:
        present = set(admin.list_topics())
        missing = [n for n in names if n not in present]
        if missing:
            admin.create_topics(
                {
                    name: {
                        "num_partitions": settings.partitions,
                        "replication_factor": settings.replication_factor,
                        "configs": {
                            "retention.ms": str(retention_ms) if retention_ms else _FOREVER,
                            "retention.bytes": _FOREVER,
                            "min.insync.replicas": str(settings.min_insync_replicas),
                            "cleanup.policy": "delete",
                        },
                    }
                    for name in missing
                },
                timeout_ms=timeout_ms,
                wait_for_metadata=True,
            )
        return ProvisionReport(
            created=tuple(missing), existing=tuple(n for n in names if n in present)
        )
    finally:
        admin.close()
