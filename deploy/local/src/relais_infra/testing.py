"""The one pytest session fixture that gives tests real servers.

In this order: the endpoints named by RELAIS_KAFKA_BOOTSTRAP / RELAIS_MONGO_URI; else
testcontainers when a Docker engine answers; else the local launcher (started if needed, and
stopped at the end only if this session started it). Every run gets its own id, used to name
topics and databases so runs never see each other's data.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass

import pytest

from relais_infra import servers as local
from relais_infra.layout import Layout


@dataclass(frozen=True)
class Servers:
    kafka_bootstrap: str
    mongo_uri: str
    run_id: str
    origin: str

    def topic(self, base: str) -> str:
        """A topic name unique to this test run."""
        return f"t{self.run_id}.{base}"

    @property
    def topic_namespace(self) -> str:
        return f"t{self.run_id}."

    def database(self, base: str) -> str:
        """A database name unique to this test run (Mongo forbids '.' and long names)."""
        return f"{base.replace('.', '_').replace('-', '_')[:40]}_{self.run_id}"


def _docker_answers() -> bool:
    if os.environ.get("RELAIS_TESTS_NO_DOCKER"):
        return False
    try:
        import docker

        client = docker.from_env(timeout=3)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except Exception:  # no engine, no socket, no permission: all mean "no Docker"
        return False


def _from_testcontainers(stack: ExitStack) -> tuple[str, str]:
    from testcontainers.kafka import KafkaContainer
    from testcontainers.mongodb import MongoDbContainer

    kafka = stack.enter_context(KafkaContainer("apache/kafka:3.9.1").with_kraft())
    mongo = stack.enter_context(MongoDbContainer("mongo:7"))
    return kafka.get_bootstrap_server(), mongo.get_connection_url()


def _drop_databases_of(run: Servers) -> None:
    """Drop every database this run created (its names end with the run id), so a long-lived
    store does not pile up a few hundred databases per run (FerretDB keeps each one open)."""
    from pymongo import MongoClient

    client: MongoClient[dict[str, object]] = MongoClient(
        run.mongo_uri, serverSelectionTimeoutMS=5000
    )
    try:
        for name in client.list_database_names():
            if name.endswith(f"_{run.run_id}"):
                client.drop_database(name)
    except Exception as error:  # a store that went away: nothing to tidy
        print(f"relais tests: databases of run {run.run_id} not dropped: {error!r}")
    finally:
        client.close()


@pytest.fixture(scope="session")
def servers() -> Iterator[Servers]:
    run_id = secrets.token_hex(4)
    layout = Layout.from_env()
    with ExitStack() as stack:
        found = _servers(stack, layout, run_id)
        stack.callback(_drop_databases_of, found)
        yield found


def _servers(stack: ExitStack, layout: Layout, run_id: str) -> Servers:
    if layout.external_kafka and layout.external_mongo:
        return Servers(layout.external_kafka, layout.external_mongo, run_id, "env")
    if _docker_answers():
        kafka, mongo = _from_testcontainers(stack)
        return Servers(kafka, mongo, run_id, "testcontainers")
    started = local.up(layout)
    stack.callback(local.down, layout, set(started))
    return Servers(layout.kafka_bootstrap, layout.mongo_uri, run_id, "launcher")
