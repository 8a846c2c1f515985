"""Every runtime test records into its own temporary offline directory."""

from __future__ import annotations

import pytest

from tests.conftest import OfflineStore


@pytest.fixture(autouse=True)
def store(offline_store: OfflineStore) -> OfflineStore:
    return offline_store
