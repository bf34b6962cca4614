"""Desks of one practice sharing a store, doing the same thing at the same moment."""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import inspect
from sqlalchemy.exc import OperationalError

from p2pdesk.store.db import current_revision, make_engine
from p2pdesk.store.revision import HEAD_REVISION
from tests.at_once import at_once


def test_desks_starting_at_once_on_an_empty_database_all_open_it(db_url: str) -> None:
    results = at_once(
        "from alembic import command  # imported beforehand: the desks race on the database, not on imports\n"
        "from p2pdesk.services.desk import Desk\n"
        "ready()\n"
        "desk = Desk.open(sys.argv[1])\n"
        "print(len(desk.cases()))\n",
        db_url,
        desks=6,
    )
    assert [(r.returncode, r.stdout, r.stderr) for r in results] == [(0, "0\n", "")] * 6
    engine = make_engine(db_url)
    assert current_revision(engine) == HEAD_REVISION
    assert {"case", "call", "note", "signer", "follow_up"} <= set(inspect(engine).get_table_names())
    engine.dispose()


def test_desks_opening_a_new_sqlite_file_together_all_put_it_in_wal(tmp_path: Path) -> None:
    # SQLite refuses the switch to WAL at once, without waiting, to all but one of the
    # connections asking together; each desk must wait its turn instead of failing to open.
    opened: list[str] = []

    def open_it(url: str, together: threading.Barrier) -> None:
        engine = make_engine(url)
        together.wait(timeout=30)
        try:
            with engine.connect() as conn:
                opened.append(conn.exec_driver_sql("PRAGMA journal_mode").scalar())
        except OperationalError as exc:
            opened.append(f"refused: {exc.orig}")
        engine.dispose()

    for trial in range(150):
        url, together = f"sqlite:///{tmp_path / f'new-{trial}.sqlite3'}", threading.Barrier(8)
        desks = [threading.Thread(target=open_it, args=(url, together)) for _ in range(8)]
        for desk in desks:
            desk.start()
        for desk in desks:
            desk.join(timeout=60)
    assert opened == ["wal"] * 8 * 150
