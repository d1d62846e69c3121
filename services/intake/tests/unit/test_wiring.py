"""Dev keys on disk: what the composition root relies on."""

from __future__ import annotations

import stat
from pathlib import Path

from relais_events.keyregistry import load_registry
from relais_kit.signing import dev_secret, dev_signing_key


def test_dev_signing_key_is_created_once_kept_private_and_published(tmp_path: Path) -> None:
    registry = tmp_path / "registry.json"
    first = dev_signing_key(tmp_path, registry, "intake", "intake-dev-1")
    again = dev_signing_key(tmp_path, registry, "intake", "intake-dev-1")
    assert first.private_bytes_raw() == again.private_bytes_raw()
    [key_file] = tmp_path.glob("intake.*.ed25519")
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    published = load_registry(registry).key("intake", "intake-dev-1")
    assert published is not None
    assert published.verifier().public_bytes_raw() == first.public_key().public_bytes_raw()


def test_dev_person_key_secret_survives_restarts(tmp_path: Path) -> None:
    secret = dev_secret(tmp_path, "intake.person-key")
    assert secret == dev_secret(tmp_path, "intake.person-key")
    assert len(secret) == 32
