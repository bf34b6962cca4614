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


def test_a_database_at_the_first_revision_upgrades_with_its_data(db_url: str) -> None:
    from alembic import command as alembic_command

    from p2pdesk.services.desk import Desk
    from tests.conftest import DEMO

    engine = make_engine(db_url)
    alembic_command.upgrade(alembic_config(engine), "0001")
    with engine.begin() as conn:
        case_id = conn.execute(
            text(
                'INSERT INTO "case" (patient_name, member_id, payer, plan_type, diagnosis_code, service_code,'
                " created_at) VALUES ('Kept Patient', 'M1', 'P', 'other', 'M05.79', 'J1745', '2026-11-01 10:00:00')"
                " RETURNING id"
            )
        ).scalar()
        call_id = conn.execute(
            text("INSERT INTO call (case_id, started_at) VALUES (:c, '2026-11-20 15:00:00') RETURNING id"),
            {"c": case_id},
        ).scalar()
        conn.execute(
            text("INSERT INTO note (call_id, at, kind, text) VALUES (:c, '2026-11-20 15:01:00', 'other', 'kept note')"),
            {"c": call_id},
        )
    engine.dispose()
    desk = Desk.open(db_url)  # start-up brings the schema to the newest revision
    assert current_revision(desk.store.engine) == HEAD_REVISION
    assert desk.case(case_id).patient_name == "Kept Patient"
    (note,) = desk.notes(call_id)
    assert (note.text, note.addendum, note.chain_hash) == ("kept note", 0, "")
    assert desk.import_case(DEMO.read_text(encoding="utf-8")) > case_id
    desk.store.engine.dispose()
