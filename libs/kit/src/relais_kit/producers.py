"""The Kafka producer every Relais process writes with: idempotent, acknowledged by all replicas.

aiokafka's default is ``acks=1`` without idempotence (notes/infra.md): a broker failover could
then lose or duplicate an acknowledged record. ``enable_idempotence`` implies ``acks="all"``.
"""

from __future__ import annotations

from aiokafka import AIOKafkaProducer


def idempotent_producer(bootstrap: str, **options: object) -> AIOKafkaProducer:
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap, enable_idempotence=True, acks="all", **options
    )
