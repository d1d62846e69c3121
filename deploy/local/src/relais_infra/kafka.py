"""A single-node Apache Kafka 3.9 (KRaft, broker and controller) on the machine's JDK.

The jars come from Maven Central through the committed `deploy/local/kafka/pom.xml`, copied once
into the cache folder; the broker's data stays under the state folder between runs.
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


def process(layout: Layout) -> ManagedProcess:
    home = layout.state_dir / "kafka"
    return ManagedProcess("kafka", home / "kafka.pid", home / "kafka.log")


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


def _properties(layout: Layout, data_dir: Path) -> str:
    port, controller = layout.kafka_port, layout.kafka_controller_port
    return f"""\
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:{controller}
listeners=PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller}
advertised.listeners=PLAINTEXT://127.0.0.1:{port}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs={data_dir}
num.partitions=6
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=6
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=6
group.initial.rebalance.delay.ms=0
# After a kill -9 the restarted broker cannot register until the controller expires the session
# of its previous incarnation (DUPLICATE_BROKER_REGISTRATION): 9 s by default, 3 s here.
broker.session.timeout.ms=3000
broker.heartbeat.interval.ms=1000
auto.create.topics.enable=true
log.retention.hours=-1
"""


def start(layout: Layout) -> int:
    """Start the broker (formatting its storage on first start); returns its pid."""
    java = require("java")
    libs = jars(layout)
    home = layout.state_dir / "kafka"
    data_dir = home / "data"
    home.mkdir(parents=True, exist_ok=True)
    require_free_port(layout.kafka_port, "RELAIS_KAFKA_PORT", "Kafka")
    require_free_port(layout.kafka_controller_port, "RELAIS_KAFKA_CONTROLLER_PORT", "Kafka")

    config = home / "server.properties"
    config.write_text(_properties(layout, data_dir))
    log4j = home / "log4j.properties"
    log4j.write_text(_LOG4J)
    classpath = f"{libs}/*"
    jvm = [java, f"-Xmx{HEAP}", "-Xms128m", f"-Dlog4j.configuration=file:{log4j}", "-cp", classpath]

    if not (data_dir / "meta.properties").exists():
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        fmt = subprocess.run(
            [*jvm, "kafka.tools.StorageTool", "format", "-t", cluster_id, "-c", str(config)],
            capture_output=True,
            text=True,
            check=False,
        )
        if fmt.returncode != 0:
            raise LaunchError(f"formatting Kafka's storage failed:\n{fmt.stdout}{fmt.stderr}")

    env = dict(os.environ, KAFKA_HEAP_OPTS=f"-Xmx{HEAP}")
    return process(layout).start([*jvm, "kafka.Kafka", str(config)], cwd=home, env=env)


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
