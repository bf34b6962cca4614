"""These tests run on every backend the store supports (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest


@pytest.fixture
def db_url(store_url: str) -> str:
    return store_url
