"""Topic provisioning: the topics of DESIGN.md section 4, idempotent, with their settings."""

from __future__ import annotations

import pytest
from kafka import KafkaAdminClient
from kafka.admin import ConfigResource, ConfigResourceType
from relais_events.topics import ALL_TOPICS
from relais_infra.testing import Servers
from relais_kit.topics import TopicSettings, ensure_topics

pytestmark = pytest.mark.servers


def test_topics_are_created_once_with_partitions_infinite_retention_and_min_isr(
    servers: Servers,
) -> None:
    settings = TopicSettings(namespace=f"{servers.topic_namespace}prov.", partitions=4)
    first = ensure_topics(servers.kafka_bootstrap, settings)
    assert sorted(first.created) == sorted(settings.name(t) for t in ALL_TOPICS)
    assert "relais.intake.v1" in ALL_TOPICS
    assert "relais.deadletter.v1" in ALL_TOPICS

    second = ensure_topics(servers.kafka_bootstrap, settings)
    assert second.created == ()
    assert sorted(second.existing) == sorted(first.created)

    admin = KafkaAdminClient(bootstrap_servers=servers.kafka_bootstrap)
    try:
        name = settings.name("relais.shelter.v1")
        described = admin.describe_topics([name])
        assert len(described[0]["partitions"]) == 4
        described_configs = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, name)])
        configs = {k: v["value"] for k, v in described_configs["topic"][name].items()}
        assert configs["retention.ms"] == "-1"
        assert configs["retention.bytes"] == "-1"
        assert configs["min.insync.replicas"] == "1"
    finally:
        admin.close()
