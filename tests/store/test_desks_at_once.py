"""Desks of one practice sharing a store, doing the same thing at the same moment."""

from __future__ import annotations

from sqlalchemy import inspect

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
