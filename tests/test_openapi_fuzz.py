"""schemathesis against every kit service's OpenAPI document: no 5xx on any generated request.

Each service found by ``tests/service_apis.py`` is served by uvicorn on a loopback port of its
own (in a thread, with its lifespan: the store and relay it opens live on that server's loop),
over the session's real servers. schemathesis generates requests from the service's own
document, operation by operation, with a token that holds every role for the 93 (so the
requests reach past authorization into the handlers) and a bounded number of examples; every
answer must be below 500. The first request a new user tried found one: a device id of
non-ASCII bytes on ``.../devices/{device_id}/withdrawal`` (now refused at the edge for every
route by ``relais_kit.app``, which requires a pattern on every string path parameter).
"""

from __future__ import annotations

import secrets
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any, Final

import pytest
import schemathesis
import uvicorn
from hypothesis import HealthCheck, Phase, given, settings
from relais_events.topics import ALL_TOPICS
from relais_infra.testing import Servers
from relais_kit.auth import mint_dev_token
from relais_kit.auth.principal import TOKEN_ROLES
from relais_kit.settings import AuthSettings
from relais_kit.topics import TopicSettings, ensure_topics

from .service_apis import build_apis, env_for, environment

pytestmark = [pytest.mark.servers, pytest.mark.timeout(300)]
# Per operation; about 50 operations in all (shelter included): the fuzz takes about 85 s here.
EXAMPLES: Final = 25


def every_role() -> dict[str, str]:
    token = mint_dev_token(
        AuthSettings(), sub="fuzz", roles=sorted(TOKEN_ROLES), org="fuzz-org", jurisdictions=["93"]
    )
    return {"Authorization": f"Bearer {token}"}


class Served:
    """One app behind uvicorn on 127.0.0.1, in a thread of its own."""

    def __init__(self, app: object) -> None:
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.bind(("127.0.0.1", 0))
        config = uvicorn.Config(app, log_level="warning", lifespan="on")  # type: ignore[arg-type]
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.socket.getsockname()[1]}"

    def __enter__(self) -> Served:
        self.thread.start()
        deadline = time.monotonic() + 60
        while not self.server.started:
            assert self.thread.is_alive(), "the server stopped while starting"
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.05)
        return self

    def __exit__(self, *_: object) -> None:
        self.server.should_exit = True
        self.thread.join(30)
        self.socket.close()


@pytest.fixture(scope="module")
def served(servers: Servers) -> Iterator[dict[str, tuple[str, schemathesis.BaseSchema]]]:
    """package -> (base url, its OpenAPI schema), for every kit service."""
    tag = f"fuzz{secrets.token_hex(2)}"
    namespace = f"{servers.topic_namespace}{tag}."
    # No worker here: a generated ?min_event= waits for nothing, briefly.
    with environment(env_for(servers, namespace, tag, min_event_wait_s=0.2)):
        ensure_topics(servers.kafka_bootstrap, TopicSettings(namespace=namespace), ALL_TOPICS)
        apis = build_apis()
        running = [Served(api.app) for api in apis]
        try:
            for server in running:
                server.__enter__()
            yield {
                api.name: (server.url, schemathesis.openapi.from_dict(api.app.openapi()))
                for api, server in zip(apis, running, strict=True)
            }
        finally:
            for server in running:
                server.__exit__()


def fuzz(base_url: str, schema: schemathesis.BaseSchema) -> tuple[int, list[str]]:
    """Requests sent, and one line per operation that answered a 5xx (shrunk by hypothesis)."""
    auth = every_role()
    failures: list[str] = []
    sent = 0
    for result in schema.get_all_operations():
        operation = result.ok()  # type: ignore[union-attr]  # an Err fails the test here

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate, Phase.shrink],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def no_server_error(case: schemathesis.Case[Any]) -> None:
            nonlocal sent
            sent += 1
            response = case.call(base_url=base_url, headers=auth, timeout=30)
            assert response.status_code < 500, (
                f"{case.method} {case.formatted_path} path={case.path_parameters} "
                f"query={case.query} body={case.body!r}: {response.status_code} {response.text}"
            )

        try:
            no_server_error()
        except AssertionError as error:
            failures.append(str(error).splitlines()[0][:600])
    return sent, failures


def test_no_generated_request_gets_a_5xx_from_any_service(
    served: dict[str, tuple[str, schemathesis.BaseSchema]],
) -> None:
    assert {
        "relais_intake",
        "relais_protection_orders",
        "relais_referrals",
        "relais_shelter",
        "relais_timeline",
    } <= set(served)
    failures: list[str] = []
    for package, (base_url, schema) in served.items():
        started = time.monotonic()
        sent, found = fuzz(base_url, schema)
        print(f"{package}: {sent} generated requests in {time.monotonic() - started:.1f}s")
        assert sent >= EXAMPLES, f"{package}: nothing generated"
        failures.extend(f"{package}: {line}" for line in found)
    assert not failures, "\n".join(failures)
