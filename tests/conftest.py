"""Shared fixtures: every test gets its own database file and user folders under tmp_path."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

# Qt must not look for a screen: set before anything imports PySide6.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# The computer's time zone, as the desk shows times in it: the same on every machine that runs the
# tests (clock tests that need another zone name it).
os.environ["TZ"] = "UTC"
if hasattr(time, "tzset"):  # POSIX; elsewhere the machine's own zone stands
    time.tzset()

from p2pdesk.services.desk import Desk  # noqa: E402
from tests.memory_keyring import MemoryKeyring  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "resources" / "demo" / "ra-biologic.case.json"


class FakeClock:
    """A clock the test moves by hand; returns aware UTC instants."""

    def __init__(self, start: datetime = datetime(2026, 11, 20, 15, 0, 0, tzinfo=UTC)) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture(autouse=True)
def _isolated_user_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads or writes the real user's data or config."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    monkeypatch.setenv("P2PDESK_DB", str(tmp_path / "default.sqlite3"))


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'desk.sqlite3'}"


@pytest.fixture
def db_url(sqlite_url: str) -> str:
    """The database most tests use: the default, a SQLite file (tests/store and tests/services
    run on PostgreSQL as well, see their conftest)."""
    return sqlite_url


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, sqlite_url: str) -> Iterator[str]:
    """Each backend the store supports: a SQLite file, and a fresh database on the PostgreSQL
    server named by P2PDESK_TEST_PG_URL (started by `scripts/dev test`)."""
    if request.param == "sqlite":
        yield sqlite_url
        return
    admin_url = os.environ.get("P2PDESK_TEST_PG_URL")
    if not admin_url:
        if os.environ.get("CI"):
            pytest.fail("CI must test PostgreSQL too: P2PDESK_TEST_PG_URL is not set")
        pytest.skip("no PostgreSQL server (P2PDESK_TEST_PG_URL); `bash scripts/dev test` starts one")
    import uuid

    from sqlalchemy import create_engine, text

    name = f"p2pdesk_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def desk(db_url: str, clock: FakeClock) -> Iterator[Desk]:
    d = Desk.open(db_url, clock=clock)
    yield d
    d.store.engine.dispose()


@pytest.fixture
def demo_text() -> str:
    return DEMO.read_text(encoding="utf-8")


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    """Signing secrets kept in memory for one test (see tests/memory_keyring.py)."""
    import keyring

    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)
