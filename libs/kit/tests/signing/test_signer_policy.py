"""One signer policy: development keys kept across restarts and published, even when every
service of ``make run`` starts at the same moment; a configured key is used as given."""

from __future__ import annotations

import datetime as dt
import stat
import subprocess
import sys
from pathlib import Path

from relais_events.keyregistry import load_registry, new_key_pair, private_key_to_base64
from relais_kit.settings import ServiceSettings
from relais_kit.signing import signer_from

NOW = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)
SERVICES = ("intake", "protection-orders", "shelter", "referrals", "timeline")


# Each process publishes a series of key ids (rotations), so their writes overlap in time.
ROTATIONS = 20
START = (
    "import sys; from pathlib import Path; from relais_kit.signing import dev_signing_key; "
    "keys, service = Path(sys.argv[1]), sys.argv[2]; "
    f"[dev_signing_key(keys, keys / 'registry.json', service, f'{{service}}-{{n}}') "
    f"for n in range({ROTATIONS})]"
)


def test_services_starting_together_all_publish_their_key(tmp_path: Path) -> None:
    workers = [
        subprocess.Popen([sys.executable, "-c", START, str(tmp_path), service])
        for service in SERVICES * 2  # each twice: a restart racing the first start
    ]
    assert [worker.wait(timeout=60) for worker in workers] == [0] * len(workers)
    registry = load_registry(tmp_path / "registry.json")
    assert sorted(registry.root) == sorted(SERVICES)
    # Every key once, never twice, none lost to another process's rewrite of the file.
    assert all(len(keys) == ROTATIONS for keys in registry.root.values())
    for key_file in tmp_path.glob("*.ed25519"):
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_every_service_signs_with_a_key_the_registry_publishes(tmp_path: Path) -> None:
    settings = ServiceSettings(
        service_name="timeline", keys_dir=tmp_path, key_registry=tmp_path / "registry.json"
    )
    signer = signer_from(settings)
    again = signer_from(settings)  # a restart signs with the same key
    assert (signer.service, signer.key_id) == ("timeline", "timeline-dev-1")
    assert signer.private_key.private_bytes_raw() == again.private_key.private_bytes_raw()
    published = load_registry(tmp_path / "registry.json").key("timeline", "timeline-dev-1")
    assert published is not None
    assert (
        published.verifier().public_bytes_raw()
        == signer.private_key.public_key().public_bytes_raw()
    )


def test_a_configured_key_is_used_and_nothing_is_written(tmp_path: Path) -> None:
    private, _ = new_key_pair("intake-2026-1", valid_from=NOW)
    settings = ServiceSettings(
        service_name="intake",
        signing_key=private_key_to_base64(private),
        signing_key_id="intake-2026-1",
        keys_dir=tmp_path,
    )
    signer = signer_from(settings)
    assert signer.key_id == "intake-2026-1"
    assert signer.private_key.private_bytes_raw() == private.private_bytes_raw()
    assert list(tmp_path.iterdir()) == []
