"""The store refuses to change sealed rows: a sealed call, its notes, and every record version.

Enforced on every flush of every session the store opens, whatever code asks for the change;
verification checks the hash chain again, for changes made behind the store's back.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from p2pdesk.domain.record import SealedError
from p2pdesk.store.models import CallRow, NoteRow, RecordExportRow, RecordRow


def _sealed_in_db(session: Session, call_id: int) -> bool:
    """Whether the database (not this session's pending state) holds the call as sealed."""
    with session.no_autoflush:
        return session.execute(select(CallRow.sealed_at).where(CallRow.id == call_id)).scalar() is not None


def _check(session: Session, _context: Any, _instances: Any) -> None:
    known: dict[int, bool] = {}

    def sealed(call_id: int) -> bool:
        if call_id not in known:
            known[call_id] = _sealed_in_db(session, call_id)
        return known[call_id]

    for obj in session.dirty:
        if not session.is_modified(obj):
            continue
        if isinstance(obj, (RecordRow, RecordExportRow)):
            raise SealedError(f"record {obj.id} is signed; it cannot be changed")
        if isinstance(obj, CallRow) and sealed(obj.id):
            raise SealedError(f"call {obj.id} is sealed; it cannot be changed (add an addendum instead)")
        if isinstance(obj, NoteRow) and sealed(obj.call_id):
            raise SealedError(f"note {obj.id} belongs to a sealed call; it cannot be changed")
    for obj in session.deleted:
        if isinstance(obj, (RecordRow, RecordExportRow)):
            raise SealedError(f"record {obj.id} is signed; it cannot be deleted")
        if isinstance(obj, CallRow) and sealed(obj.id):
            raise SealedError(f"call {obj.id} is sealed; it cannot be deleted")
        if isinstance(obj, NoteRow) and sealed(obj.call_id):
            raise SealedError(f"note {obj.id} belongs to a sealed call; it cannot be deleted")
    for obj in session.new:
        if isinstance(obj, NoteRow) and obj.addendum == 0 and sealed(obj.call_id):
            raise SealedError(f"call {obj.call_id} is sealed; later additions are addenda")


def guard_sessions(sessions: Any) -> None:
    """Install the check on a sessionmaker."""
    event.listen(sessions, "before_flush", _check)
