"""The composition root: the only place that builds adapters and wires them to the handlers.

Nothing here does I/O but reading (or, on a developer's machine, creating) key files: the kit's
``Runtime`` connects lazily, and the api's lifespan opens it (indexes, Kafka producer, relay)
and closes it on the way out.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

from relais_kit.application import Clock
from relais_kit.runtime import Runtime
from relais_kit.signing import dev_secret

from relais_intake.adapters.mongo_link_suggestions import MongoLinkSuggestions
from relais_intake.application.services import IntakeServices
from relais_intake.config import IntakeSettings


@dataclass
class Intake:
    settings: IntakeSettings
    runtime: Runtime
    services: IntakeServices


def person_key_secret_from(settings: IntakeSettings) -> bytes:
    if settings.person_key_secret is not None:
        return base64.b64decode(settings.person_key_secret.get_secret_value(), validate=True)
    return dev_secret(settings.keys_dir, f"{settings.service_name}.person-key")


def bootstrap(settings: IntakeSettings | None = None, *, clock: Clock | None = None) -> Intake:
    settings = settings or IntakeSettings()
    runtime = Runtime.build(settings, clock=clock)
    services = IntakeServices(
        write_path=runtime.write_path,
        access_log=runtime.access_log,
        suggestions=MongoLinkSuggestions(runtime.database),
        person_key_secret=person_key_secret_from(settings),
    )
    return Intake(settings, runtime, services)
