"""Every runtime test records into its own temporary offline directory."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import fluxloop_runtime as fluxloop
from fluxloop_runtime.config import ENVIRONMENT_VARIABLES


class OfflineStore:
    """The test's view of the offline directory: parsed lines of each file."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def lines(self, name: str) -> list[dict[str, Any]]:
        fluxloop.flush()
        path = self.directory / name
        if not path.exists():
            return []
        text = path.read_text(encoding="utf-8")
        assert text == "" or text.endswith("\n"), "the last line is not whole"
        return [json.loads(line) for line in text.splitlines()]

    def observations(self) -> list[dict[str, Any]]:
        return self.lines("observations.jsonl")

    def traces(self) -> list[dict[str, Any]]:
        return self.lines("traces.jsonl")

    def by_name(self) -> dict[str, dict[str, Any]]:
        observations = self.observations()
        named = {observation["name"]: observation for observation in observations}
        assert len(named) == len(observations), "names are not unique in this test"
        return named


@pytest.fixture(autouse=True)
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[OfflineStore]:
    for variable in ENVIRONMENT_VARIABLES.values():  # the developer's own settings stay out
        monkeypatch.delenv(variable, raising=False)
    fluxloop.reset_config()
    directory = tmp_path / "artifacts"
    fluxloop.configure(offline_store_dir=str(directory))
    yield OfflineStore(directory)
    fluxloop.flush()
    fluxloop.reset_config()
