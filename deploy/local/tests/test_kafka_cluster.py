"""``relais-infra up --brokers 3``: what the launcher writes for a three-node KRaft cluster.

The cluster itself is started, killed and restarted under load by the reliability suite
(``tests/reliability/test_fault2_broker_of_three_killed.py``); these check the configuration that
makes it a cluster that loses nothing acknowledged while one node is down, without a JVM.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from relais_infra import kafka, servers
from relais_infra.layout import Layout


def layout(tmp_path: Path, brokers: int) -> Layout:
    return Layout(
        state_dir=tmp_path,
        cache_dir=tmp_path / "cache",
        kafka_port=19092,
        kafka_controller_port=19093,
        ferretdb_port=19017,
        external_kafka=None,
        external_mongo=None,
        kafka_brokers=brokers,
    )


def properties(text: str) -> dict[str, str]:
    pairs = (line.split("=", 1) for line in text.splitlines() if "=" in line and line[0] != "#")
    return {k: v for k, v in pairs}


def test_three_nodes_replicate_every_topic_three_times_with_two_in_sync(tmp_path: Path) -> None:
    three = layout(tmp_path, 3)
    second = properties(kafka._properties(three, tmp_path / "kafka-2" / "data", 2))
    assert second["node.id"] == "2"
    assert second["process.roles"] == "broker,controller"
    assert second["controller.quorum.voters"] == (
        "1@127.0.0.1:19093,2@127.0.0.1:19103,3@127.0.0.1:19113"
    )
    assert second["listeners"] == "PLAINTEXT://127.0.0.1:19102,CONTROLLER://127.0.0.1:19103"
    for key in ("default.replication.factor", "offsets.topic.replication.factor",
                "transaction.state.log.replication.factor"):  # fmt: skip
        assert second[key] == "3"
    assert second["min.insync.replicas"] == "2"
    assert second["transaction.state.log.min.isr"] == "2"
    assert three.kafka_bootstrap == "127.0.0.1:19092,127.0.0.1:19102,127.0.0.1:19112"
    assert [s.name for s in servers.servers(three)] == ["kafka", "kafka-2", "kafka-3", "ferretdb"]


def test_one_node_stays_as_it_was(tmp_path: Path) -> None:
    one = layout(tmp_path, 1)
    single = properties(kafka._properties(one, tmp_path / "kafka" / "data"))
    assert single["controller.quorum.voters"] == "1@127.0.0.1:19093"
    assert single["default.replication.factor"] == "1"
    assert single["min.insync.replicas"] == "1"
    assert one.kafka_bootstrap == "127.0.0.1:19092"
    assert [s.name for s in servers.servers(one)] == ["kafka", "ferretdb"]


def test_the_state_folder_remembers_a_cluster_and_kafka_names_every_node(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RELAIS_STATE_DIR", str(tmp_path))
    monkeypatch.delenv("RELAIS_KAFKA_BROKERS", raising=False)
    assert Layout.from_env().kafka_brokers == 1
    (tmp_path / "kafka-3").mkdir()  # what `up --brokers 3` left: `down` and `status` see it
    found = Layout.from_env()
    assert found.kafka_brokers == 3
    nodes = {s.name: s for s in servers.servers(found)}
    assert servers._chosen(nodes["kafka-2"], {"kafka"})
    assert not servers._chosen(nodes["kafka-2"], {"kafka-3"})
    assert not servers._chosen(nodes["ferretdb"], {"kafka"})
    monkeypatch.setenv("RELAIS_KAFKA_BROKERS", "2")
    with pytest.raises(SystemExit, match="RELAIS_KAFKA_BROKERS"):
        Layout.from_env()
