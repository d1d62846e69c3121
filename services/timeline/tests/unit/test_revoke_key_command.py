"""``relais-audit revoke-key`` revokes a published key in the registry file, and only moves a
revocation earlier."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from relais_events.keyregistry import load_registry, save_registry
from relais_timeline.entrypoints.cli import main
from relais_timeline.testing_log import Keys


def test_a_key_is_revoked_in_the_registry_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    keys = Keys.generate()
    path = tmp_path / "registry.json"
    save_registry(keys.registry, path)
    monkeypatch.setenv("RELAIS_TIMELINE_KEY_REGISTRY", str(path))
    args = ["revoke-key", "--service", "intake", "--key-id", "intake-test"]
    assert main([*args, "--at", "2026-05-04T10:00:00+02:00", "--reason", "stolen"]) == 0
    entry = load_registry(path).key("intake", "intake-test")
    assert entry is not None
    assert entry.revoked_at == dt.datetime(2026, 5, 4, 8, tzinfo=dt.UTC)
    assert entry.revocation_reason == "stolen"
    assert main([*args, "--at", "2026-06-01T00:00:00Z"]) == 0  # later: no change
    assert load_registry(path).key("intake", "intake-test") == entry
    other = load_registry(path).key("timeline", "timeline-test")
    assert other is not None
    assert other.revoked_at is None
    with pytest.raises(SystemExit):
        main([*args, "--at", "2026-06-01T00:00:00"])  # no offset: refused
