"""The launcher as a user drives it: a second installation on its own ports and folders."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from relais_infra.process import _alive

pytestmark = pytest.mark.launcher


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _env(state: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("RELAIS_KAFKA_BOOTSTRAP", "RELAIS_MONGO_URI")
    }
    env.update(RELAIS_STATE_DIR=str(state), **extra)
    return env


def infra(
    env: dict[str, str], *args: str, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "relais_infra.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _pids(state: Path) -> dict[str, int]:
    return {p.stem: int(p.read_text()) for p in state.glob("*/*.pid")}


@pytest.fixture(scope="module")
def installation(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    state = tmp_path_factory.mktemp("relais-state")
    env = _env(
        state,
        RELAIS_KAFKA_PORT=str(_free_port()),
        RELAIS_KAFKA_CONTROLLER_PORT=str(_free_port()),
        RELAIS_FERRETDB_PORT=str(_free_port()),
    )
    yield env
    infra(env, "down")


def test_up_starts_both_and_a_second_up_reuses_them(installation: dict[str, str]) -> None:
    first = infra(installation, "up")
    assert first.returncode == 0, first.stderr
    state = Path(installation["RELAIS_STATE_DIR"])
    pids = _pids(state)
    assert set(pids) == {"kafka", "ferretdb"}

    second = infra(installation, "up")
    assert second.returncode == 0, second.stderr
    assert "already running" in second.stdout
    assert _pids(state) == pids

    status = infra(installation, "status")
    assert status.returncode == 0
    assert status.stdout.count(" up, pid ") == 2


def test_kafka_killed_is_reported_down_and_comes_back_with_its_data(
    installation: dict[str, str],
) -> None:
    assert infra(installation, "up").returncode == 0
    bootstrap = f"127.0.0.1:{installation['RELAIS_KAFKA_PORT']}"
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
    producer.send("survives-kill", key=b"case-1", value=b"before the crash").get(timeout=30)
    producer.close()

    kafka_pid = _pids(Path(installation["RELAIS_STATE_DIR"]))["kafka"]
    os.kill(kafka_pid, 9)
    deadline = time.monotonic() + 10
    while _alive(kafka_pid) and time.monotonic() < deadline:
        time.sleep(0.05)

    status = infra(installation, "status")
    assert status.returncode == 1
    assert any(line.startswith("kafka") and " down " in line for line in status.stdout.splitlines())

    assert infra(installation, "up").returncode == 0
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, auto_offset_reset="earliest")
    partitions = [TopicPartition("survives-kill", p) for p in range(6)]  # num.partitions=6
    consumer.assign(partitions)
    consumer.seek_to_beginning(*partitions)
    values: list[bytes] = []
    deadline = time.monotonic() + 30
    while not values and time.monotonic() < deadline:
        for records in consumer.poll(timeout_ms=500).values():
            values.extend(r.value for r in records)
    consumer.close()
    assert values == [b"before the crash"]


def test_down_leaves_no_process(installation: dict[str, str]) -> None:
    assert infra(installation, "up").returncode == 0
    pids = _pids(Path(installation["RELAIS_STATE_DIR"]))
    result = infra(installation, "down")
    assert result.returncode == 0
    assert "kafka" in result.stdout
    assert "ferretdb" in result.stdout
    assert not any(_alive(pid) for pid in pids.values())
    assert infra(installation, "status").returncode == 1


def test_a_taken_port_names_the_port_and_the_variable(tmp_path: Path) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        env = _env(tmp_path, RELAIS_FERRETDB_PORT=str(port), RELAIS_KAFKA_BOOTSTRAP="127.0.0.1:1")
        result = infra(env, "up", "ferretdb")
    assert result.returncode == 2
    assert f"port {port}" in result.stderr
    assert "RELAIS_FERRETDB_PORT" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("server", "tool", "install"),
    [("kafka", "java", "Java 17"), ("ferretdb", "go", "Go 1.24")],
)
def test_a_missing_toolchain_says_what_to_install(
    tmp_path: Path, server: str, tool: str, install: str
) -> None:
    env = _env(
        tmp_path / "state",
        PATH=str(tmp_path / "empty-bin"),
        RELAIS_CACHE_DIR=str(tmp_path / "cache"),  # nothing built or resolved yet
        RELAIS_KAFKA_PORT=str(_free_port()),
        RELAIS_KAFKA_CONTROLLER_PORT=str(_free_port()),
        RELAIS_FERRETDB_PORT=str(_free_port()),
    )
    result = infra(env, "up", server, timeout=60)
    assert result.returncode == 2
    assert f"'{tool}' was not found" in result.stderr
    assert install in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("value", ["normal", "full"])
def test_sqlite_durability_is_normal_unless_full_is_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    from relais_infra import ferretdb
    from relais_infra.layout import Layout

    if value == "full":
        monkeypatch.setenv("RELAIS_FERRETDB_SYNCHRONOUS", "FULL")
    else:
        monkeypatch.delenv("RELAIS_FERRETDB_SYNCHRONOUS", raising=False)
    argv = ferretdb.argv(Layout.from_env(), tmp_path / "relais-ferretdb")
    assert argv[argv.index("-synchronous") + 1] == value


def test_an_unknown_durability_is_refused_with_the_variable_named(tmp_path: Path) -> None:
    env = _env(
        tmp_path / "state",
        RELAIS_FERRETDB_SYNCHRONOUS="off",
        RELAIS_FERRETDB_PORT=str(_free_port()),
    )
    result = infra(env, "up", "ferretdb", timeout=120)
    assert result.returncode == 2
    assert "RELAIS_FERRETDB_SYNCHRONOUS='off'" in result.stderr
    assert "Traceback" not in result.stderr
