"""`klimatmatch snapshot` writes a snapshot the next one (and the service) starts from."""

from __future__ import annotations

from pathlib import Path

import pytest

from klimatmatch.settings import get_settings
from matcher.snapshot import available
from tests.klimatmatch.test_cli import invoke


def test_snapshot_command_writes_one_and_the_next_starts_from_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "snapshots"
    monkeypatch.setenv("KLIMATMATCH_SNAPSHOT_DIR", str(folder))
    get_settings.cache_clear()
    invoke("init", "--sample")
    output = invoke("snapshot")
    assert "44 challenges, 155 companies" in output
    [first] = available(folder)
    assert first.folder.name in output
    invoke("snapshot")
    assert len(available(folder)) == 2  # both young: pruning spares them for other readers
    assert {s.meta["data_version"] for s in available(folder)} == {first.meta["data_version"]}
