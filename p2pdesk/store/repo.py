"""The repository: domain objects in, domain objects out; sessions and rows stay in here.

Rows and dataclasses share field names, so mapping is by name in both directions. Notes are
append-only: this module has no way to change or delete one.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import Engine, Select, func, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from p2pdesk.domain.call import Call, Note, utc_now
from p2pdesk.domain.case import CASE_LISTS, Case
from p2pdesk.domain.errors import AlreadyOnFile, CallOnCase, InvalidInput, NotFound, Outdated, Problem
from p2pdesk.domain.followup import FollowUpItem
from p2pdesk.domain.record import genesis, instant
from p2pdesk.domain.scheduling import SchedulingAttempt
from p2pdesk.domain.sealed import SealedRecord, SignerIdentity
from p2pdesk.domain.summary import ArchiveRow, CallSummary, CaseSummary
from p2pdesk.store.db import error_reason, is_unique_violation, raise_if_environment
from p2pdesk.store.guard import guard_sessions
from p2pdesk.store.models import (
    CASE_CHILDREN,
    CallRow,
    CaseRow,
    FollowUpRow,
    NoteRow,
    RecordExportRow,
    RecordRow,
    SchedulingAttemptRow,
    SignerRow,
)

T = TypeVar("T")

#: How long a desk waits for another desk doing the same thing at the same moment (PostgreSQL)
#: before saying the database is busy.
TURN_WAIT_MS = 120_000

_CASE_SCALARS = [f.name for f in dataclasses.fields(Case) if f.name not in CASE_LISTS and f.name != "id"]


def _values(obj: Any, *, skip: tuple[str, ...] = ("id",)) -> dict[str, Any]:
    return {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj) if f.name not in skip}


def _from_row(cls: type[T], row: Any) -> T:
    return cls(**{f.name: getattr(row, f.name) for f in dataclasses.fields(cls)})  # type: ignore[arg-type]


def _insert_for_case(s: Session, item: Any, row_cls: type) -> Any:
    """Insert a row that belongs to a case, in ``s``; the item gets its new id."""
    if s.get(CaseRow, item.case_id) is None:
        raise NotFound(f"no case with id {item.case_id}")
    row = row_cls(**_values(item))
    s.add(row)
    s.flush()
    item.id = row.id
    return item


def _insert_case(s: Session, case: Case) -> int:
    """Insert a whole case (its fields and lists), in ``s``; its new id."""
    row = CaseRow(**{name: getattr(case, name) for name in _CASE_SCALARS}, created_at=utc_now())
    s.add(row)
    s.flush()
    for attr, row_cls in CASE_CHILDREN.items():
        for position, item in enumerate(getattr(case, attr)):
            values = {"text": item} if CASE_LISTS[attr] is None else _values(item)
            s.add(row_cls(case_id=row.id, position=position, **values))
    return row.id


def _insert_notes(s: Session, call_id: int, notes: list[Note]) -> None:
    """Append ``notes`` to call ``call_id``, in order, in ``s``; each gets its new id."""
    for note in notes:
        note.call_id = call_id
        row = NoteRow(**_values(note))
        s.add(row)
        s.flush()
        note.id = row.id


def _write_call(s: Session, call: Call) -> None:
    """Set the stored call's own fields (reviewer, disposition, end) to ``call``'s, in ``s``."""
    row = s.get(CallRow, call.id)
    if row is None:
        raise NotFound(f"no call with id {call.id}")
    for name, value in _values(call, skip=("id", "case_id", "started_at", "desk")).items():
        setattr(row, name, value)


def _live_call_on(case_id: int) -> Select[tuple[CallRow]]:
    """The first call on the case started (at any desk) and not ended."""
    return select(CallRow).where(CallRow.case_id == case_id, CallRow.ended_at.is_(None)).order_by(CallRow.id)


def _signer_kept_for(keyring_key: str) -> Select[tuple[SignerRow]]:
    """The identity kept for a keyring entry (the first, should an older database hold more)."""
    return select(SignerRow).where(SignerRow.keyring_key == keyring_key).order_by(SignerRow.id).limit(1)


class Store:
    """All reads and writes of cases, calls and notes.

    Each write is its own transaction and is durable when the method returns.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        guard_sessions(self._sessions)

    @contextmanager
    def _session(self, write: bool = False) -> Iterator[Session]:
        try:
            with self._sessions() as session:
                if write:
                    with session.begin():
                        yield session
                else:
                    yield session
        except Exception as exc:
            raise_if_environment(exc, self.engine)
            raise

    def cannot_write(self) -> str | None:
        """Why the notes cannot be written (the store can be read), or None when they can.

        Tried, not guessed: an insert of no rows into the notes, rolled back. It needs what a note
        needs (a writable file, a read-write transaction, the right to insert notes) and changes
        nothing; on PostgreSQL the right to draw the calls' and notes' numbers is asked too, which
        an insert of no rows does not use. Another program writing at that moment is not a reason:
        a lock is not waited for (SQLite) or only briefly (PostgreSQL), and a lock found counts
        as writable (each note waits its turn)."""
        from sqlalchemy.exc import DBAPIError

        sqlite = self.engine.dialect.name == "sqlite"
        try:
            with self.engine.connect() as conn:
                waited = conn.exec_driver_sql("PRAGMA busy_timeout").scalar() if sqlite else None
                if sqlite:
                    conn.exec_driver_sql("PRAGMA busy_timeout = 0")
                conn.rollback()  # the pragmas' own transaction, before the trial's
                try:
                    with conn.begin() as transaction:
                        if not sqlite:
                            conn.execute(text("SET LOCAL lock_timeout = '250ms'"))
                            for table in ("call", "note"):
                                numbers = conn.execute(
                                    text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": f'"{table}"'}
                                ).scalar()
                                allowed = (
                                    numbers is None
                                    or conn.execute(
                                        text("SELECT has_sequence_privilege(:s, 'USAGE')"), {"s": numbers}
                                    ).scalar()
                                )
                                if not allowed:
                                    return f"permission denied for sequence {numbers}"
                        conn.execute(text("INSERT INTO note SELECT * FROM note WHERE 1 = 0"))
                        transaction.rollback()
                finally:
                    if sqlite:
                        conn.exec_driver_sql(f"PRAGMA busy_timeout = {int(waited or 0)}")
        except DBAPIError as exc:
            reason = error_reason(exc.orig)
            return None if "lock" in reason.lower() else reason
        return None

    # Cases -----------------------------------------------------------------------------------

    def _one_at_a_time(self, s: Session, what: str) -> None:
        """Make another desk doing the same (``what``) at the same moment wait until this
        transaction ends, so that what this one reads next is still so when it writes. On
        PostgreSQL an advisory lock on ``what`` (freed at commit or rollback); on SQLite the file's
        write lock, taken now rather than at the first write (the first statement of the session)."""
        if self.engine.dialect.name == "postgresql":
            key = int.from_bytes(hashlib.sha256(what.encode("utf-8")).digest()[:8], "big", signed=True)
            # Waiting for another desk's turn is meant, and it may be long (its keyring asking to be
            # unlocked, a large record on a slow link): not the lock timeout of a stray lock.
            s.execute(text(f"SET LOCAL lock_timeout = {int(TURN_WAIT_MS)}"))
            s.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
        elif self.engine.dialect.name == "sqlite":
            s.connection().exec_driver_sql("BEGIN IMMEDIATE")

    def _refuse_a_second(self, s: Session, case: Case) -> None:
        """AlreadyOnFile when another case has ``case``'s member ID and claim number (both given),
        checked with the denial held until the transaction ends: desks saving the same denial at
        once make one case, the others are refused."""
        if not case.member_id or not case.claim_number:
            return
        self._one_at_a_time(s, f"case\0{case.member_id}\0{case.claim_number}")
        query = select(CaseRow.id).where(CaseRow.member_id == case.member_id, CaseRow.claim_number == case.claim_number)
        if case.id is not None:
            query = query.where(CaseRow.id != case.id)
        held = s.scalar(query.order_by(CaseRow.id).limit(1))
        if held is not None:
            raise AlreadyOnFile(held)

    def add_case(self, case: Case, *, one_per_denial: bool = False) -> int:
        """Store a whole case in one transaction (all or nothing) and return its id.

        ``one_per_denial``: AlreadyOnFile, storing nothing, when the store holds another case with
        the case's member ID and claim number (also when another desk stores one at this moment)."""
        with self._session(write=True) as s:
            if one_per_denial:
                self._refuse_a_second(s, case)
            return _insert_case(s, case)

    def update_case(self, case: Case, *, one_per_denial: bool = False) -> None:
        """Write a case's fields and lists as they now are, in one transaction (the editor saves
        each change this way). Records already sealed keep their own copy of the case.

        ``one_per_denial``: as for add_case (another case with these numbers: AlreadyOnFile)."""
        with self._session(write=True) as s:
            if one_per_denial:
                self._refuse_a_second(s, case)
            row = s.get(CaseRow, case.id)
            if row is None:
                raise NotFound(f"no case with id {case.id}")
            for name in _CASE_SCALARS:
                setattr(row, name, getattr(case, name))
            for attr, row_cls in CASE_CHILDREN.items():
                for child in s.scalars(select(row_cls).where(row_cls.case_id == case.id)):
                    s.delete(child)
                s.flush()
                for position, item in enumerate(getattr(case, attr)):
                    values = {"text": item} if CASE_LISTS[attr] is None else _values(item)
                    s.add(row_cls(case_id=case.id, position=position, **values))

    def get_case(self, case_id: int) -> Case:
        with self._session() as s:
            row = s.get(CaseRow, case_id)
            if row is None:
                raise NotFound(f"no case with id {case_id}")
            case = Case(id=row.id, **{name: getattr(row, name) for name in _CASE_SCALARS})
            for attr, row_cls in CASE_CHILDREN.items():
                rows = s.scalars(select(row_cls).where(row_cls.case_id == case_id).order_by(row_cls.position)).all()
                cls = CASE_LISTS[attr]
                items = [r.text for r in rows] if cls is None else [_from_row(cls, r) for r in rows]
                setattr(case, attr, items)
            return case

    def find_case(self, *, member_id: str, claim_number: str, other_than: int | None = None) -> int | None:
        """The id of the (first) case with these identifiers, if the store holds one, leaving out
        case ``other_than``."""
        query = select(CaseRow.id).where(CaseRow.member_id == member_id, CaseRow.claim_number == claim_number)
        if other_than is not None:
            query = query.where(CaseRow.id != other_than)
        with self._session() as s:
            return s.scalar(query.order_by(CaseRow.id).limit(1))

    def list_cases(self) -> list[CaseSummary]:
        """Every case, newest first, each with its calls (newest first)."""
        with self._session() as s:
            calls: dict[int, list[CallSummary]] = {}
            for call in s.scalars(select(CallRow).order_by(CallRow.started_at.desc())):
                calls.setdefault(call.case_id, []).append(
                    CallSummary(
                        id=call.id,
                        started_at=call.started_at,
                        ended=call.ended_at is not None,
                        disposition=call.disposition.value if call.disposition else "",
                        reviewer_name=call.reviewer_name,
                    )
                )
            return [
                CaseSummary(
                    id=row.id,
                    patient_name=row.patient_name,
                    payer=row.payer,
                    service_code=row.service_code,
                    diagnosis_code=row.diagnosis_code,
                    denial_date=row.denial_date,
                    calls=tuple(calls.get(row.id, ())),
                    member_id=row.member_id,
                    claim_number=row.claim_number,
                )
                for row in s.scalars(select(CaseRow).order_by(CaseRow.id.desc()))
            ]

    # Calls -----------------------------------------------------------------------------------

    def _add_to_case(self, item: Any, row_cls: type) -> Any:
        """Insert a row that belongs to a case; the item gets its new id."""
        with self._session(write=True) as s:
            return _insert_for_case(s, item, row_cls)

    def add_call(self, call: Call) -> Call:
        """Store a new call; CallOnCase, storing nothing, when a call on its case is in progress
        (also when another desk starts one at this moment: the case is held until this commits)."""
        with self._session(write=True) as s:
            self._one_at_a_time(s, f"case-call\0{call.case_id}")
            live = s.scalar(_live_call_on(call.case_id))
            if live is not None:
                raise CallOnCase(_from_row(Call, live))
            return _insert_for_case(s, call, CallRow)

    def get_call(self, call_id: int) -> Call:
        with self._session() as s:
            row = s.get(CallRow, call_id)
            if row is None:
                raise NotFound(f"no call with id {call_id}")
            return _from_row(Call, row)

    def save_call(self, call: Call) -> None:
        """Write the call's own fields (reviewer, disposition, end)."""
        with self._session(write=True) as s:
            _write_call(s, call)

    def change_call(self, call: Call, notes: list[Note]) -> list[Note]:
        """Write the call's own fields and the ``notes`` that log the change, in one transaction:
        all are kept or none. Sent again with the notes' entry keys (the answer to the first
        sending lost), nothing is written twice: the notes stored the first time are returned."""
        return self._keep_notes(call.id, notes, call)  # type: ignore[arg-type]

    def move_call(self, call_id: int, *, from_desk: str, to_desk: str) -> bool:
        """Make a call in progress at ``from_desk`` ``to_desk``'s, in one statement: False (and
        nothing changed) when it has ended or moved meanwhile."""
        with self._session(write=True) as s:
            moved = s.execute(
                update(CallRow)
                .where(CallRow.id == call_id, CallRow.ended_at.is_(None), CallRow.desk == from_desk)
                .values(desk=to_desk)
            )
            return moved.rowcount == 1

    def calls_for_case(self, case_id: int) -> list[Call]:
        with self._session() as s:
            rows = s.scalars(select(CallRow).where(CallRow.case_id == case_id).order_by(CallRow.started_at))
            return [_from_row(Call, r) for r in rows]

    def all_calls(self) -> list[Call]:
        """Every call, in one query (the practice's history reads them all)."""
        with self._session() as s:
            return [_from_row(Call, r) for r in s.scalars(select(CallRow).order_by(CallRow.started_at))]

    def call_in_progress(self, desks: tuple[str, ...]) -> Call | None:
        """The newest call started at one of ``desks`` and never ended (e.g. after a crash)."""
        with self._session() as s:
            row = s.scalar(
                select(CallRow)
                .where(CallRow.ended_at.is_(None), CallRow.desk.in_(desks))
                .order_by(CallRow.started_at.desc())
                .limit(1)
            )
            return None if row is None else _from_row(Call, row)

    def live_call_on_case(self, case_id: int) -> Call | None:
        """A call on this case started at any desk and not ended."""
        with self._session() as s:
            row = s.scalar(_live_call_on(case_id))
            return None if row is None else _from_row(Call, row)

    # Notes -----------------------------------------------------------------------------------

    def add_note(self, note: Note) -> Note:
        """Append one note; it is on disk when this returns. A note whose entry key is stored
        already (sent again after the answer to its first sending was lost) is not stored again:
        the stored one is returned."""
        return self._keep_notes(note.call_id, [note])[0]

    def _keep_notes(self, call_id: int, notes: list[Note], call: Call | None = None) -> list[Note]:
        """Append ``notes`` to call ``call_id`` (with ``call``'s own fields, when given) in one
        transaction; those sent before with their entry keys are returned as stored instead."""
        try:
            with self._session(write=True) as s:
                if call is not None:
                    _write_call(s, call)
                _insert_notes(s, call_id, notes)
                return notes
        except IntegrityError as exc:
            kept = self._sent_before(notes, exc)
            if kept is None:
                raise
            return kept

    def _sent_before(self, notes: list[Note], refused: IntegrityError) -> list[Note] | None:
        """The ``notes`` as stored when they were sent before with their entry keys (what
        ``refused`` their writing again), or None when ``refused`` is anything else (a key taken
        by another note is a fault, not a sending again)."""
        if not notes or any(n.entry_key is None for n in notes) or not is_unique_violation(refused):
            return None
        kept = [self.note_with_key(n.entry_key) for n in notes]  # type: ignore[arg-type]
        for stored, sent in zip(kept, notes, strict=True):
            if stored is None or (stored.call_id, stored.kind, stored.text) != (sent.call_id, sent.kind, sent.text):
                return None
        return kept  # type: ignore[return-value]

    def note_with_key(self, entry_key: str) -> Note | None:
        """The note sent with ``entry_key``, if it is stored."""
        with self._session() as s:
            row = s.scalar(select(NoteRow).where(NoteRow.entry_key == entry_key))
            return None if row is None else _from_row(Note, row)

    def notes(self, call_id: int) -> list[Note]:
        """The call's notes in the order they were entered."""
        with self._session() as s:
            rows = s.scalars(select(NoteRow).where(NoteRow.call_id == call_id).order_by(NoteRow.id))
            return [_from_row(Note, r) for r in rows]

    def count_notes(self, call_id: int) -> int:
        with self._session() as s:
            return s.scalar(select(func.count()).select_from(NoteRow).where(NoteRow.call_id == call_id)) or 0

    # Sealing and records --------------------------------------------------------------------

    def seal(
        self, call: Call, notes: list[Note], record: SealedRecord, follow_ups: list[FollowUpItem] | None = None
    ) -> SealedRecord:
        """Seal a call in one transaction: its notes' chain hashes, its seal time, its first record,
        and the follow-ups the designee will track. A call sealed meanwhile (another desk sealing it
        at this moment: this one waits for it) raises SealedError, changing nothing."""
        with self._session(write=True) as s:
            self._one_at_a_time(s, f"call\0{call.id}")
            rows = {r.id: r for r in s.scalars(select(NoteRow).where(NoteRow.call_id == call.id))}
            for note in notes:
                row = rows.get(note.id)  # type: ignore[arg-type]
                if row is None:
                    raise NotFound(f"note {note.id} is not in call {call.id}")
                row.chain_hash = note.chain_hash
            s.flush()
            row = s.get(CallRow, call.id)
            if row is None:
                raise NotFound(f"no call with id {call.id}")
            row.sealed_at = call.sealed_at
            s.flush()
            for item in follow_ups or []:
                s.add(FollowUpRow(**_values(item)))
            return self._add_record(s, record)

    def add_addendum(self, note: Note, record: SealedRecord) -> tuple[Note, SealedRecord]:
        """Append an addendum note and the record version that includes it, in one transaction.
        Outdated, storing nothing, when the call has that version already (another desk added it:
        this one waits for it)."""
        try:
            with self._session(write=True) as s:
                self._one_at_a_time(s, f"call\0{note.call_id}")
                latest = s.scalar(select(func.max(RecordRow.version)).where(RecordRow.call_id == record.call_id))
                if latest is not None and latest >= record.version:
                    raise Outdated(f"call {record.call_id} has version {latest} already")
                _insert_notes(s, note.call_id, [note])
                return note, self._add_record(s, record)
        except IntegrityError as exc:  # the same version stored at this moment by a desk that does not wait
            if not is_unique_violation(exc):
                raise
            raise Outdated(f"call {record.call_id} has version {record.version} already") from exc

    @staticmethod
    def _add_record(s: Session, record: SealedRecord) -> SealedRecord:
        row = RecordRow(**_values(record))
        s.add(row)
        s.flush()
        record.id = row.id
        return record

    def records(self, call_id: int | None = None) -> list[SealedRecord]:
        """Every record version (of one call, if given), oldest first."""
        with self._session() as s:
            query = select(RecordRow).order_by(RecordRow.call_id, RecordRow.version)
            if call_id is not None:
                query = query.where(RecordRow.call_id == call_id)
            return [_from_row(SealedRecord, r) for r in s.scalars(query)]

    def record(self, record_id: int) -> SealedRecord:
        with self._session() as s:
            row = s.get(RecordRow, record_id)
            if row is None:
                raise NotFound(f"no record with id {record_id}")
            return _from_row(SealedRecord, row)

    def keep_imported(
        self,
        record: SealedRecord,
        notes: list[Note],
        new_call: Callable[[], tuple[Case, Call]],
        *,
        chain_start: str,
        named: tuple[str, str],
    ) -> SealedRecord:
        """Keep a record version signed on another desk, with the notes it signs (in order, their
        chain hashes set), in one transaction; the version as kept here. ``chain_start``: the
        record's genesis hash (its call's start and its case's member ID and claim number, ``named``,
        as the record holds them), which names the call on any desk.

        The same version held already: that one, nothing stored. Another version of a call held
        here (sealed, with this genesis): the notes it signs that the call lacks and the version,
        under that call (InvalidInput, storing nothing, when its notes part from the call's or the
        call has another version of this number). Otherwise a new case and call as ``new_call()``
        makes them (the call sealed), the notes and the version. Desks importing the same call at
        this moment wait here for one another, so each finds what the first kept."""
        with self._session(write=True) as s:
            self._one_at_a_time(s, "record\0" + chain_start)
            held = s.scalar(select(RecordRow).where(RecordRow.digest == record.digest).limit(1))
            if held is not None:
                return _from_row(SealedRecord, held)
            first = self._sealed_call_from(s, chain_start, named, notes)
            if first is None:
                case, call = new_call()
                sealed_at, call.sealed_at = call.sealed_at, None  # sealed once its notes are in, as a seal here is
                call.case_id = _insert_case(s, case)
                call_id = _insert_for_case(s, call, CallRow).id
                _insert_notes(s, call_id, notes)
                row = s.get(CallRow, call_id)
                row.sealed_at = call.sealed_at = sealed_at
            else:
                call_id = first
                if self.engine.dialect.name == "postgresql":  # SQLite's lock above holds the whole file
                    self._one_at_a_time(s, f"call\0{call_id}")  # as an addendum added here at this moment
                kept_hashes = list(
                    s.scalars(select(NoteRow.chain_hash).where(NoteRow.call_id == call_id).order_by(NoteRow.id))
                )
                shared = min(len(kept_hashes), len(notes))
                if kept_hashes[:shared] != [n.chain_hash for n in notes[:shared]]:
                    raise InvalidInput(Problem("record", f"its notes part from those of call {call_id} held here"))
                versions = s.scalars(select(RecordRow.version).where(RecordRow.call_id == call_id))
                if record.version in set(versions):
                    raise InvalidInput(
                        Problem("record", f"call {call_id} here already has a different version {record.version}")
                    )
                _insert_notes(s, call_id, notes[shared:])  # the addenda the call lacks
            record.call_id = call_id
            return self._add_record(s, record)

    @staticmethod
    def _sealed_call_from(s: Session, chain_start: str, named: tuple[str, str], notes: list[Note]) -> int | None:
        """The sealed call held here that a record names: the one whose chain starts at
        ``chain_start`` (its start instant with the record's member ID and claim number, ``named``,
        as the record holds them: a case imported from it keeps them trimmed), else the one whose
        first note has the record's first chain hash."""
        member_id, claim_number = named
        rows = s.execute(
            select(CallRow.id, CallRow.started_at)
            .join(CaseRow, CaseRow.id == CallRow.case_id)
            .where(
                CaseRow.member_id.in_({member_id, member_id.strip()}),
                CaseRow.claim_number.in_({claim_number, claim_number.strip()}),
                CallRow.sealed_at.is_not(None),
            )
            .order_by(CallRow.id)
        )
        for call_id, started_at in rows:
            if genesis(instant(started_at), member_id, claim_number) == chain_start:
                return call_id
        if not notes:
            return None
        first = select(NoteRow.call_id).where(NoteRow.chain_hash == notes[0].chain_hash).order_by(NoteRow.id)
        return s.scalar(first.limit(1))

    def record_by_digest(self, digest: str) -> SealedRecord | None:
        with self._session() as s:
            row = s.scalar(select(RecordRow).where(RecordRow.digest == digest).limit(1))
            return None if row is None else _from_row(SealedRecord, row)

    def add_export(self, record_id: int, path: str, written_at: datetime) -> None:
        with self._session(write=True) as s:
            s.add(RecordExportRow(record_id=record_id, path=path, written_at=written_at))

    def exports(self, record_id: int) -> list[tuple[str, datetime]]:
        with self._session() as s:
            rows = s.scalars(
                select(RecordExportRow).where(RecordExportRow.record_id == record_id).order_by(RecordExportRow.id)
            )
            return [(r.path, r.written_at) for r in rows]

    # Scheduling ---------------------------------------------------------------------------------

    def add_attempt(self, attempt: SchedulingAttempt) -> SchedulingAttempt:
        return self._add_to_case(attempt, SchedulingAttemptRow)

    def attempts(self, case_id: int) -> list[SchedulingAttempt]:
        with self._session() as s:
            rows = s.scalars(
                select(SchedulingAttemptRow)
                .where(SchedulingAttemptRow.case_id == case_id)
                .order_by(SchedulingAttemptRow.at, SchedulingAttemptRow.id)
            )
            return [_from_row(SchedulingAttempt, r) for r in rows]

    # Archive ------------------------------------------------------------------------------------

    def archive(self) -> list[ArchiveRow]:
        """Every call with its case's identifiers and its latest record version, newest first, in
        one query (the archive opens with 10,000 calls in a fraction of a second)."""
        latest = (
            select(RecordRow.call_id, func.max(RecordRow.version).label("version"))
            .group_by(RecordRow.call_id)
            .subquery()
        )
        query = (
            select(
                CallRow.id,
                CallRow.started_at,
                CallRow.disposition,
                CallRow.reviewer_name,
                CallRow.reviewer_specialty,
                CaseRow.id,
                CaseRow.patient_name,
                CaseRow.payer,
                CaseRow.plan_type,
                CaseRow.service_code,
                CaseRow.physician_name,
                latest.c.version,
            )
            .join(CaseRow, CaseRow.id == CallRow.case_id)
            .outerjoin(latest, latest.c.call_id == CallRow.id)
            .order_by(CallRow.started_at.desc())
        )
        with self._session() as s:
            return [
                ArchiveRow(
                    call_id=r[0],
                    started_at=r[1],
                    disposition=r[2].value if r[2] else "",
                    reviewer=r[3],
                    reviewer_specialty=r[4],
                    case_id=r[5],
                    patient=r[6],
                    payer=r[7],
                    plan_type=r[8].value,
                    service_code=r[9],
                    physician=r[10],
                    record_version=r[11],
                )
                for r in s.execute(query)
            ]

    # Follow-ups ---------------------------------------------------------------------------------

    def follow_ups(self, *, open_only: bool = False) -> list[FollowUpItem]:
        """Follow-ups of every sealed call, soonest due first (those without a date last)."""
        with self._session() as s:
            query = select(FollowUpRow)
            if open_only:
                query = query.where(FollowUpRow.done_at.is_(None))
            rows = [_from_row(FollowUpItem, r) for r in s.scalars(query.order_by(FollowUpRow.id))]
        far = datetime.max.replace(tzinfo=UTC)
        return sorted(rows, key=lambda f: (f.due or far, f.id))

    def complete_follow_up(self, follow_up_id: int, at: datetime, how: str) -> tuple[FollowUpItem, bool]:
        """Mark a follow-up done, unless it already is (on another desk, even at this moment): the
        follow-up as stored, and whether this marked it (a first confirmation is never replaced)."""
        with self._session(write=True) as s:
            marked = s.execute(
                update(FollowUpRow)
                .where(FollowUpRow.id == follow_up_id, FollowUpRow.done_at.is_(None))
                .values(done_at=at, done_how=how)
                .execution_options(synchronize_session=False)
            ).rowcount
            row = s.get(FollowUpRow, follow_up_id)
            if row is None:
                raise NotFound(f"no follow-up with id {follow_up_id}")
            return _from_row(FollowUpItem, row), marked == 1

    # Signers ----------------------------------------------------------------------------------

    def signer(self, keyring_key: str) -> SignerIdentity | None:
        """The identity kept for this keyring entry (one per entry; the first, should an older
        database still hold more)."""
        with self._session() as s:
            row = s.scalar(_signer_kept_for(keyring_key))
            return None if row is None else _from_row(SignerIdentity, row)

    def signer_for_npi(self, npi: str) -> SignerIdentity | None:
        """The identity this desk signs with for the physician with this NPI, if any."""
        with self._session() as s:
            row = s.scalar(select(SignerRow).where(SignerRow.npi == npi).order_by(SignerRow.id.desc()).limit(1))
            return None if row is None else _from_row(SignerIdentity, row)

    def signers_named(self, name: str) -> list[SignerIdentity]:
        """The identities this desk signs with for a physician of this name (with an NPI or without)."""
        with self._session() as s:
            rows = s.scalars(select(SignerRow).where(SignerRow.name == name).order_by(SignerRow.id))
            return [_from_row(SignerIdentity, row) for row in rows]

    def add_signer(self, identity: SignerIdentity, keep_key: Callable[[], None]) -> SignerIdentity:
        """Keep a physician's first signing identity, unless one is kept for its keyring entry
        already (another desk's, made at this moment): the identity kept, either way.

        ``keep_key`` puts the identity's private key into the keyring; it runs only when this
        identity is the one kept, before it is committed (the keyring refusing it keeps nothing),
        so that the keyring's key and the stored certificate agree."""
        with self._session(write=True) as s:
            self._one_at_a_time(s, f"signer\0{identity.keyring_key}")
            row = s.scalar(_signer_kept_for(identity.keyring_key))
            if row is not None:
                return _from_row(SignerIdentity, row)
            row = SignerRow(**_values(identity))
            s.add(row)
            s.flush()
            keep_key()
            identity.id = row.id
            return identity

    def save_signer(self, identity: SignerIdentity) -> SignerIdentity:
        """Keep an identity for its keyring entry, in place of the one kept (if any)."""
        with self._session(write=True) as s:
            self._one_at_a_time(s, f"signer\0{identity.keyring_key}")
            row = s.scalar(_signer_kept_for(identity.keyring_key))
            if row is None:
                row = SignerRow(**_values(identity))
                s.add(row)
            else:
                for name, value in _values(identity).items():
                    setattr(row, name, value)
            s.flush()
            identity.id = row.id
            return identity
