"""A read-only first look at a SQLite store, for drawing the window before SQLAlchemy has loaded.

Importing SQLAlchemy takes longer than drawing the whole window, and a physician restarting
in the middle of a call should see the call at once. So, for a SQLite file whose schema is at
the newest revision, start-up reads the case (and the call in progress with its notes) through
Python's own ``sqlite3`` in read-only mode. Every write still goes through SQLAlchemy
(``p2pdesk.store.repo``), and a test checks that both readers return the same objects.

Anything unexpected (another database, an older schema, a missing file) returns None, and
start-up takes the ordinary path.
"""

from __future__ import annotations

import dataclasses
import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from p2pdesk.domain.call import Call, Disposition, Note, NoteKind
from p2pdesk.domain.case import CASE_LISTS, Case, PlanType
from p2pdesk.store.revision import HEAD_REVISION

T = TypeVar("T")

#: The table of each list of the case (the row classes in ``p2pdesk.store.models`` name the same
#: tables; a test checks the two agree).
CASE_LIST_TABLES = {
    "comorbidities": "comorbidity",
    "severity_measures": "severity_measure",
    "prior_treatments": "prior_treatment",
    "guidelines": "guideline_citation",
    "criteria": "policy_criterion",
    "objections": "objection",
}


class Snapshot(NamedTuple):
    """What the window needs for its first paint."""

    case: Case
    call: Call | None
    notes: list[Note]


def sqlite_path(url: str) -> Path | None:
    """The file of a plain ``sqlite:///`` URL, or None for anything else."""
    prefix = "sqlite:///"
    if not url.startswith(prefix) or "?" in url:
        return None
    path = url[len(prefix) :]
    if not path or path == ":memory:":
        return None
    return Path(path)


def _instant(value: str) -> datetime:
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


#: How a stored value becomes a field's value, by the field's declared type (the annotations are
#: strings here: ``from __future__ import annotations``). Anything not listed is kept as read.
_CONVERTERS: dict[str, Any] = {
    "datetime": _instant,
    "date": date.fromisoformat,
    "PlanType": PlanType,
    "Disposition": Disposition,
    "NoteKind": NoteKind,
    "bool": bool,
}


def _build(cls: type[T], row: sqlite3.Row, skip: tuple[str, ...] = ()) -> T:
    values: dict[str, Any] = {}
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        if f.name in skip:
            continue
        value = row[f.name]
        convert = _CONVERTERS.get(str(f.type).split(" | ")[0])
        values[f.name] = convert(value) if convert is not None and value is not None else value
    return cls(**values)


def _read_case(db: sqlite3.Connection, case_id: int) -> Case | None:
    row = db.execute('SELECT * FROM "case" WHERE id = ?', (case_id,)).fetchone()
    if row is None:
        return None
    case = _build(Case, row, skip=tuple(CASE_LISTS))
    for attr, cls in CASE_LISTS.items():
        table = CASE_LIST_TABLES[attr]
        rows = db.execute(f"SELECT * FROM {table} WHERE case_id = ? ORDER BY position", (case_id,)).fetchall()
        setattr(case, attr, [r["text"] for r in rows] if cls is None else [_build(cls, r) for r in rows])
    return case


def read_snapshot(
    url: str,
    *,
    desk: str | None = None,
    case_id: int | None = None,
    member_id: str = "",
    claim_number: str = "",
) -> Snapshot | None:
    """The call in progress at ``desk`` (default: this desk, ``p2pdesk.config.desk_id()``), as
    ``Store.call_in_progress`` finds it, with its case and notes; else the case asked for (by id,
    or by member and claim number); else None."""
    path = sqlite_path(url)
    if path is None or not path.is_file():
        return None
    if desk is None:
        from p2pdesk.config import desk_id

        desk = desk_id()
    try:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return None
    try:
        db.row_factory = sqlite3.Row
        version = db.execute("SELECT version_num FROM alembic_version").fetchone()
        if version is None or version[0] != HEAD_REVISION:
            return None
        live = db.execute(
            "SELECT * FROM call WHERE ended_at IS NULL AND desk IN (?, '') ORDER BY started_at DESC LIMIT 1", (desk,)
        ).fetchone()
        if live is not None:
            call = _build(Call, live)
            notes = [
                _build(Note, r) for r in db.execute("SELECT * FROM note WHERE call_id = ? ORDER BY id", (call.id,))
            ]
            case = _read_case(db, call.case_id)
            return None if case is None else Snapshot(case, call, notes)
        if case_id is None and member_id:
            found = db.execute(
                'SELECT id FROM "case" WHERE member_id = ? AND claim_number = ? ORDER BY id LIMIT 1',
                (member_id, claim_number),
            ).fetchone()
            case_id = found[0] if found else None
        if case_id is None:
            return None
        case = _read_case(db, case_id)
        return None if case is None else Snapshot(case, None, [])
    except (sqlite3.Error, ValueError, KeyError, IndexError, TypeError):
        return None
    finally:
        db.close()
