"""The schema is Alembic's: built by migrations, in step with the models, durable by default."""

from __future__ import annotations

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from p2pdesk.store.db import alembic_config, current_revision, make_engine, upgrade
from p2pdesk.store.revision import HEAD_REVISION


def test_migrations_build_every_table_and_match_the_models(db_url: str) -> None:
    engine = make_engine(db_url)
    upgrade(engine)
    assert current_revision(engine) == HEAD_REVISION
    tables = set(inspect(engine).get_table_names())
    assert {
        "case",
        "call",
        "note",
        "prior_treatment",
        "policy_criterion",
        "guideline_citation",
        "severity_measure",
        "objection",
        "comorbidity",
        "alembic_version",
    } <= tables
    # Fails (raises) when the models hold something no migration creates.
    command.check(alembic_config(engine))


def test_head_constant_is_alembics_head(db_url: str) -> None:
    script = ScriptDirectory.from_config(alembic_config(make_engine(db_url)))
    assert script.get_current_head() == HEAD_REVISION


def test_upgrade_twice_is_harmless(db_url: str) -> None:
    engine = make_engine(db_url)
    upgrade(engine)
    upgrade(engine)
    assert current_revision(engine) == HEAD_REVISION


def test_sqlite_is_durable_on_every_commit(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    upgrade(engine)
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
