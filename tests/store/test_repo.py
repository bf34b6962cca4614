from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, StatementError

from p2pdesk.domain.call import Call, Note, NoteKind
from p2pdesk.domain.case import Case, PlanType, PriorTreatment
from p2pdesk.services.casefile import parse_case
from p2pdesk.services.desk import Desk


def test_a_whole_case_comes_back_as_it_went_in(desk: Desk, demo_text: str) -> None:
    case = parse_case(demo_text)
    case_id = desk.store.add_case(case)
    back = desk.store.get_case(case_id)
    case.id = case_id
    assert back == case
    assert [t.therapy for t in back.prior_treatments] == [
        "Methotrexate",
        "Hydroxychloroquine",
        "Sulfasalazine",
        "Prednisone",
    ]


def test_unicode_names_are_kept_exactly(desk: Desk) -> None:
    case = Case(
        patient_name="Zoë Nguyễn",
        member_id="M1",
        payer="Łukasz Mutual",
        plan_type=PlanType.OTHER,
        diagnosis_code="M05.79",
        service_code="J1745",
        physician_name="李小龙",
        bottom_line="مرحبا <b>&\"'",
        prior_treatments=[PriorTreatment("Méthotrexate", start=date(2026, 1, 2))],
    )
    back = desk.store.get_case(desk.store.add_case(case))
    assert (back.patient_name, back.payer, back.physician_name, back.bottom_line) == (
        "Zoë Nguyễn",
        "Łukasz Mutual",
        "李小龙",
        "مرحبا <b>&\"'",
    )
    assert back.prior_treatments[0].therapy == "Méthotrexate"


def test_instants_are_stored_in_utc_and_come_back_aware(desk: Desk, demo_text: str) -> None:
    case_id = desk.import_case(demo_text)
    start = datetime(2026, 11, 20, 15, 0, 0, 123456, tzinfo=UTC)
    call = desk.store.add_call(Call(case_id=case_id, started_at=start))
    back = desk.store.get_call(call.id)
    assert back.started_at == start and back.started_at.tzinfo is UTC
    with desk.store.engine.connect() as conn:
        raw = conn.execute(text("SELECT started_at FROM call")).scalar()
    assert str(raw).startswith("2026-11-20 15:00:00.123456")


def test_naive_instants_never_reach_the_database(desk: Desk, demo_text: str) -> None:
    case_id = desk.import_case(demo_text)
    with pytest.raises(StatementError, match="naive datetime refused"):
        desk.store.add_call(Call(case_id=case_id, started_at=datetime(2026, 11, 20, 15, 0)))
    assert desk.store.calls_for_case(case_id) == []


def test_notes_come_back_in_the_order_entered(desk: Desk, demo_text: str) -> None:
    case_id = desk.import_case(demo_text)
    call = desk.store.add_call(Call(case_id=case_id, started_at=datetime(2026, 11, 20, 15, 0, tzinfo=UTC)))
    at = datetime(2026, 11, 20, 15, 1, tzinfo=UTC)
    for i in range(5):  # same instant: order is entry order, not time
        desk.store.add_note(Note(call_id=call.id, at=at, kind=NoteKind.OTHER, text=f"n{i}"))
    assert [n.text for n in desk.store.notes(call.id)] == ["n0", "n1", "n2", "n3", "n4"]


def test_a_store_that_can_be_read_but_not_written_says_why(desk: Desk, db_url: str) -> None:
    desk.load_demo()
    assert desk.store.cannot_write() is None
    # The same database, opened read-only for real: a read-only SQLite file connection, or a
    # PostgreSQL session whose transactions are read-only (as on a replica).
    if db_url.startswith("sqlite:///"):
        read_only = f"sqlite:///file:{db_url.removeprefix('sqlite:///')}?mode=ro&uri=true"
    else:
        read_only = f"{db_url}?options=-c%20default_transaction_read_only%3Don"
    viewer = Desk.open(read_only)
    try:
        assert [c.id for c in viewer.cases()] == [c.id for c in desk.cases()]  # it reads
        reason = viewer.store.cannot_write()
        assert reason is not None and ("readonly" in reason or "read-only" in reason), reason
    finally:
        viewer.close()
    if not db_url.startswith("sqlite:///"):  # a role that may insert rows but not draw their numbers
        import uuid

        role = f"p2pdesk_clerk_{uuid.uuid4().hex[:8]}"
        with desk.store.engine.begin() as conn:
            conn.execute(text(f"CREATE ROLE {role} LOGIN"))
            conn.execute(text(f"GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA public TO {role}"))
        clerk = Desk.open(db_url.replace("//postgres@", f"//{role}@", 1))
        try:
            assert clerk.store.cannot_write() == "permission denied for sequence public.call_id_seq"
        finally:
            clerk.close()
            with desk.store.engine.begin() as conn:
                conn.execute(text(f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {role}"))
                conn.execute(text(f"DROP ROLE {role}"))
        with desk.store.engine.connect() as holder:  # another session holding the notes is no reason
            holder.execute(text("LOCK TABLE note IN SHARE MODE"))
            assert desk.store.cannot_write() is None
            holder.rollback()
    if db_url.startswith("sqlite:///"):  # another program writing at that moment is no reason
        import sqlite3

        other = sqlite3.connect(db_url.removeprefix("sqlite:///"), isolation_level=None)
        other.execute("BEGIN EXCLUSIVE")
        try:
            assert desk.store.cannot_write() is None
        finally:
            other.execute("ROLLBACK")
            other.close()
        with desk.store.engine.connect() as conn:  # and the store's own wait for a lock is as it was
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 2000


def test_a_note_held_up_by_another_programs_lock_is_refused_after_the_busy_timeout(db_url: str, demo_text: str) -> None:
    """Another program holds the notes (SQLite's write lock, a PostgreSQL table lock) for longer
    than the store waits: the note is refused saying so, nothing is stored, and the same note is
    stored once the lock is gone."""
    import threading
    import time

    from p2pdesk.domain.errors import StoreUnavailable

    desk = Desk.open(db_url, busy_timeout_ms=300)
    call = desk.start_call(desk.import_case(demo_text))
    if db_url.startswith("sqlite:///"):
        import sqlite3

        other = sqlite3.connect(db_url.removeprefix("sqlite:///"), isolation_level=None, check_same_thread=False)
        other.execute("BEGIN EXCLUSIVE")
        let_go = [lambda: other.execute("ROLLBACK"), other.close]
        said = "database is locked"
    else:
        from sqlalchemy import create_engine

        holder = create_engine(db_url).connect()
        holder.execute(text("LOCK TABLE note IN EXCLUSIVE MODE"))
        let_go = [holder.rollback, holder.close, holder.engine.dispose]
        said = "canceling statement due to lock timeout"
    once = threading.Lock()

    def release() -> None:
        with once:
            while let_go:
                let_go.pop(0)()

    watchdog = threading.Timer(20, release)  # should the store wait for ever, the lock goes after 20 s
    watchdog.start()
    try:
        started = time.monotonic()
        with pytest.raises(StoreUnavailable) as refused:
            desk.add_note(call.id, NoteKind.REVIEWER_CLAIM, "Wants a sulfasalazine trial")
        waited = time.monotonic() - started
    finally:
        watchdog.cancel()
        release()
    assert said in str(refused.value) and waited < 10  # not the server's or the system's own minutes
    assert desk.notes(call.id) == []
    desk.add_note(call.id, NoteKind.REVIEWER_CLAIM, "Wants a sulfasalazine trial")
    assert [n.text for n in desk.notes(call.id)] == ["Wants a sulfasalazine trial"]
    desk.close()


@pytest.mark.parametrize("store_url", ["postgresql"], indirect=True)
def test_postgresql_connections_are_bounded_by_the_desks_timeouts(db_url: str) -> None:
    """On PostgreSQL every connection the desk opens carries its lock timeout and libpq's watch on
    a lost server; a migration's own transaction, and a desk waiting its turn, wait longer; a
    URL's own lock timeout stands."""
    from p2pdesk.store.db import PG_CONNECTION_WATCH, schema_held
    from p2pdesk.store.repo import TURN_WAIT_MS

    desk = Desk.open(db_url, busy_timeout_ms=1500)
    try:
        with desk.store.engine.connect() as conn:
            assert conn.execute(text("SHOW lock_timeout")).scalar() == "1500ms"
            used = conn.connection.dbapi_connection.info.get_parameters()
            assert {k: used.get(k) for k in PG_CONNECTION_WATCH} == {k: str(v) for k, v in PG_CONNECTION_WATCH.items()}
            with schema_held(conn):
                assert conn.execute(text("SHOW lock_timeout")).scalar() == "0"
            conn.rollback()
            assert conn.execute(text("SHOW lock_timeout")).scalar() == "1500ms"
        with desk.store._session(write=True) as s:
            desk.store._one_at_a_time(s, "a turn")
            assert s.execute(text("SHOW lock_timeout")).scalar() == f"{TURN_WAIT_MS // 60_000}min"
    finally:
        desk.close()
    own = Desk.open(db_url + "?options=-c%20lock_timeout%3D7s")
    try:
        with own.store.engine.connect() as conn:
            assert conn.execute(text("SHOW lock_timeout")).scalar() == "7s"
    finally:
        own.close()


def test_a_note_sent_again_with_its_entry_key_is_stored_once(desk: Desk, demo_text: str) -> None:
    call = desk.start_call(desk.import_case(demo_text))
    first = desk.add_note(call.id, NoteKind.REVIEWER_CLAIM, "Wants a sulfasalazine trial", entry_key="k-1")
    again = desk.add_note(call.id, NoteKind.REVIEWER_CLAIM, "Wants a sulfasalazine trial", entry_key="k-1")
    other = desk.add_note(call.id, NoteKind.REVIEWER_CLAIM, "Wants a sulfasalazine trial", entry_key="k-2")
    assert (again.id, again.at) == (first.id, first.at) and other.id != first.id
    assert [n.text for n in desk.notes(call.id)] == ["Wants a sulfasalazine trial"] * 2  # said twice, kept twice
    with pytest.raises(IntegrityError):  # a key is never taken for another note
        desk.add_note(call.id, NoteKind.OUR_POINT, "Something else", entry_key="k-1")


class _LosesTheAnswerToCommit:
    """A TCP relay to the PostgreSQL server that, once armed, passes the client's COMMIT to the
    server, then drops the server's answer and closes the connection: the note is stored, the
    desk is never told so."""

    def __init__(self, port: int) -> None:
        import socket
        import threading

        self.armed = threading.Event()
        self._muted = threading.Event()
        self._listener = socket.socket()
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(16)
        self.port = self._listener.getsockname()[1]
        self._server_port = port
        threading.Thread(target=self._serve, daemon=True).start()

    def _pipe(self, source, sink, upstream: bool, pair) -> None:  # noqa: ANN001
        import time

        try:
            while data := source.recv(65536):
                if not upstream and self._muted.is_set():
                    continue
                if upstream and self.armed.is_set() and b"COMMIT" in data:
                    self._muted.set()
                sink.sendall(data)
                if upstream and self._muted.is_set():
                    time.sleep(0.3)  # the server commits; its answer is lost with the connection
                    for end in pair:
                        end.close()
                    self.armed.clear()
                    self._muted.clear()
                    return
        except OSError:
            pass

    def _serve(self) -> None:
        import socket
        import threading

        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            server = socket.create_connection(("127.0.0.1", self._server_port))
            for args in ((client, server, True), (server, client, False)):
                threading.Thread(target=self._pipe, args=(*args, (client, server)), daemon=True).start()

    def close(self) -> None:
        self._listener.close()


@pytest.mark.parametrize("store_url", ["postgresql"], indirect=True)
def test_a_note_whose_commit_answer_is_lost_is_stored_once_when_sent_again(db_url: str, demo_text: str) -> None:
    """The connection to the shared server breaks after it committed a note, before it said so:
    the desk reports it not saved; sent again with its entry key (as the window does) it is the
    one note stored."""
    from sqlalchemy.engine import make_url

    from p2pdesk.domain.errors import StoreUnavailable

    url = make_url(db_url)
    relay = _LosesTheAnswerToCommit(url.port or 5432)
    desk = Desk.open(url.set(host="127.0.0.1", port=relay.port).render_as_string(hide_password=False))
    try:
        call = desk.start_call(desk.import_case(demo_text))
        relay.armed.set()
        with pytest.raises(StoreUnavailable):
            desk.add_note(call.id, NoteKind.REVIEWER_CLAIM, "Wants a sulfasalazine trial", entry_key="sent-once")
        looking = Desk.open(db_url)
        assert [n.text for n in looking.notes(call.id)] == ["Wants a sulfasalazine trial"]  # stored, not said
        looking.close()
        again = desk.add_note(call.id, NoteKind.REVIEWER_CLAIM, "Wants a sulfasalazine trial", entry_key="sent-once")
        assert [(n.id, n.text) for n in desk.notes(call.id)] == [(again.id, "Wants a sulfasalazine trial")]
    finally:
        desk.close()
        relay.close()


def test_a_criterion_ticked_twice_in_a_call_is_logged_once(desk: Desk, demo_text: str) -> None:
    case_id = desk.import_case(demo_text)
    call = desk.start_call(case_id)
    case = desk.case(case_id)
    first = desk.tick_criterion(call.id, case, 3)
    again = desk.tick_criterion(call.id, case, 3)  # sent again: its answer was lost with the connection
    other = desk.tick_criterion(call.id, case, 2)
    assert again.id == first.id and other.id != first.id
    assert [n.criterion for n in desk.notes(call.id)] == [3, 2]
    later = desk.start_call(case_id) if desk.end_call(call.id) else None
    assert desk.tick_criterion(later.id, case, 3).id != first.id  # another call logs its own
