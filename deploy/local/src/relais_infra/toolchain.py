"""The external tools the launcher needs, and what to say when one is missing."""

from __future__ import annotations

import shutil

from relais_infra.process import LaunchError

_HOW_TO_GET = {
    "java": "a Java 17+ runtime (Debian: apt-get install openjdk-17-jre-headless)",
    "mvn": "Apache Maven 3.6+ (Debian: apt-get install maven)",
    "go": "Go 1.24+ (https://go.dev/dl/, or Debian: apt-get install golang)",
}

_WHY = {
    "java": "Kafka runs on the JDK",
    "mvn": "Kafka's jars are resolved by Maven",
    "go": "FerretDB is built from its Go module",
}

_INSTEAD = {
    "java": "RELAIS_KAFKA_BOOTSTRAP",
    "mvn": "RELAIS_KAFKA_BOOTSTRAP",
    "go": "RELAIS_MONGO_URI",
}


def require(tool: str) -> str:
    """The absolute path of `tool`, or a LaunchError that says what to install."""
    path = shutil.which(tool)
    if path is None:
        raise LaunchError(
            f"'{tool}' was not found on PATH: {_WHY[tool]}. Install {_HOW_TO_GET[tool]}, "
            f"or point Relais at an existing server with {_INSTEAD[tool]}."
        )
    return path
