"""Apache Kafka 3.9 (KRaft) on the machine's JDK: one node, or a cluster of three.

Each node is a broker and a controller. The jars come from Maven Central through the committed
`deploy/local/kafka/pom.xml`, copied once into the cache folder; each node's data stays under the
state folder between runs (``kafka/`` for node 1, ``kafka-<n>/`` for the others). With three
nodes (``relais-infra up --brokers 3``) every topic has 3 replicas and ``min.insync.replicas=2``:
a write acknowledged by ``acks=all`` is on two nodes at least, and the cluster serves on while
any one node is down.
"""

from __future__ import annotations

import base64
import hashlib
import os
import subprocess
import uuid
from pathlib import Path

from relais_infra.layout import LOCAL_DIR, Layout
from relais_infra.process import LaunchError, ManagedProcess, require_free_port
from relais_infra.toolchain import require

POM = LOCAL_DIR / "kafka" / "pom.xml"
HEAP = "512m"
CLUSTER_HEAP = "384m"  # each of three nodes, on a laptop

_LOG4J = """\
log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.request.logger=WARN
log4j.logger.state.change.logger=WARN
log4j.logger.org.apache.kafka.controller=WARN
log4j.logger.kafka.log.LogCleaner=WARN
"""


def name(node: int) -> str:
    return "kafka" if node == 1 else f"kafka-{node}"


def home(layout: Layout, node: int = 1) -> Path:
    return layout.state_dir / name(node)


def process(layout: Layout, node: int = 1) -> ManagedProcess:
    folder = home(layout, node)
    return ManagedProcess(name(node), folder / "kafka.pid", folder / "kafka.log")


def jars(layout: Layout) -> Path:
    """The folder of Kafka's runtime jars, resolved by Maven on first use."""
    digest = hashlib.sha256(POM.read_bytes()).hexdigest()[:12]
    target = layout.cache_dir / f"kafka-libs-{digest}"
    if (target / ".complete").exists():
        return target
    mvn = require("mvn")
    require("java")
    print(f"resolving Kafka's jars with Maven into {target} (first run only)...", flush=True)
    result = subprocess.run(
        [
            mvn,
            "-q",
            "-B",
            f"-Dmaven.repo.local={layout.cache_dir / 'm2'}",
            "-f",
            str(POM),
            "dependency:copy-dependencies",
            "-DincludeScope=runtime",
            f"-DoutputDirectory={target}",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise LaunchError(
            "Maven could not resolve Kafka's jars (is Maven Central reachable?):\n"
            + (result.stdout + result.stderr)[-3000:]
        )
    (target / ".complete").write_text(digest)
    return target


def _properties(layout: Layout, data_dir: Path, node: int = 1) -> str:
    port, controller = layout.kafka_node_ports(node)
    nodes = range(1, layout.kafka_brokers + 1)
    voters = ",".join(f"{n}@127.0.0.1:{layout.kafka_node_ports(n)[1]}" for n in nodes)
    replicas = layout.kafka_brokers
    min_isr = 2 if replicas >= 3 else 1
    return f"""\
process.roles=broker,controller
node.id={node}
controller.quorum.voters={voters}
listeners=PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller}
advertised.listeners=PLAINTEXT://127.0.0.1:{port}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs={data_dir}
num.partitions=6
default.replication.factor={replicas}
min.insync.replicas={min_isr}
offsets.topic.replication.factor={replicas}
offsets.topic.num.partitions=6
transaction.state.log.replication.factor={replicas}
transaction.state.log.min.isr={min_isr}
transaction.state.log.num.partitions=6
group.initial.rebalance.delay.ms=0
# After a kill -9 the restarted broker cannot register until the controller expires the session
# of its previous incarnation (DUPLICATE_BROKER_REGISTRATION): 9 s by default, 3 s here.
broker.session.timeout.ms=3000
broker.heartbeat.interval.ms=1000
auto.create.topics.enable=true
log.retention.hours=-1
"""


def _cluster_id(layout: Layout) -> str:
    """One id for every node of the installation, chosen at the first format and kept."""
    kept = layout.state_dir / "kafka" / "cluster.id"
    if kept.exists():
        return kept.read_text().strip()
    kept.parent.mkdir(parents=True, exist_ok=True)
    cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
    kept.write_text(cluster_id)
    return cluster_id


def start(layout: Layout, node: int = 1) -> int:
    """Start node ``node`` (formatting its storage on first start); returns its pid."""
    java = require("java")
    libs = jars(layout)
    folder = home(layout, node)
    data_dir = folder / "data"
    folder.mkdir(parents=True, exist_ok=True)
    port, controller = layout.kafka_node_ports(node)
    step = "" if node == 1 else f" + {10 * (node - 1)} (node {node})"
    require_free_port(port, f"RELAIS_KAFKA_PORT{step}", "Kafka")
    require_free_port(controller, f"RELAIS_KAFKA_CONTROLLER_PORT{step}", "Kafka")

    config = folder / "server.properties"
    config.write_text(_properties(layout, data_dir, node))
    log4j = folder / "log4j.properties"
    log4j.write_text(_LOG4J)
    classpath = f"{libs}/*"
    heap = HEAP if layout.kafka_brokers == 1 else CLUSTER_HEAP
    jvm = [java, f"-Xmx{heap}", "-Xms128m", f"-Dlog4j.configuration=file:{log4j}", "-cp", classpath]

    if not (data_dir / "meta.properties").exists():
        cluster_id = _cluster_id(layout)
        fmt = subprocess.run(
            [*jvm, "kafka.tools.StorageTool", "format", "-t", cluster_id, "-c", str(config)],
            capture_output=True,
            text=True,
            check=False,
        )
        if fmt.returncode != 0:
            raise LaunchError(f"formatting Kafka's storage failed:\n{fmt.stdout}{fmt.stderr}")

    env = dict(os.environ, KAFKA_HEAP_OPTS=f"-Xmx{heap}")
    return process(layout, node).start([*jvm, "kafka.Kafka", str(config)], cwd=folder, env=env)


def answers(bootstrap: str, timeout_s: float = 2.0) -> bool:
    """True when a metadata request to `bootstrap` succeeds."""
    from kafka import KafkaAdminClient
    from kafka.errors import KafkaError

    try:
        admin = KafkaAdminClient(
            bootstrap_servers=bootstrap,
            request_timeout_ms=int(timeout_s * 1000),
            # Without it kafka-python waits 30 s for a broker that does not listen yet: the
            # launcher's first probe after a start then hid a broker that was up for 20 s.
            bootstrap_timeout_ms=int(timeout_s * 1000),
            client_id="relais-infra-probe",
        )
    except (KafkaError, OSError, ValueError):
        return False
    try:
        admin.describe_cluster()
        return True
    except (KafkaError, OSError):
        return False
    finally:
        admin.close()
