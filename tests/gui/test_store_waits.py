"""A database that does not answer at once (another program holding its lock, a shared server that
hangs) keeps the window drawn and its clock running; the wait is said, and what was asked is done
once it answers."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from p2pdesk.services.desk import Desk
from tests.gui.keys import press, type_text

WAITING = re.compile(
    r"Waiting for the database to answer \(\d+ s so far\)\. What you type is kept and entered once it answers\."
)


def _during_the_wait(at_ms: int, then: Callable[[], None], seen: dict[str, object]) -> None:
    """At ``at_ms`` (the window waiting for the store), note what the window shows; then ``then``."""

    def look() -> None:
        window = seen["window"]
        seen["status"] = window.note_pane.status.text()
        seen["entry"] = window.note_pane.entry.text()
        seen["listed"] = window.note_pane.notes.toPlainText()
        seen["drawn"] = not window.grab().isNull()
        then()

    QTimer.singleShot(at_ms, look)


def test_a_note_waiting_for_a_locked_file_keeps_the_window_running_and_is_stored_once_free(
    open_window, db_url: str
) -> None:  # noqa: ANN001
    desk = Desk.open(db_url, busy_timeout_ms=10_000)  # waits up to 10 s for another program's lock
    window = open_window(desk, demo=True)
    window.act_start.trigger()
    other = sqlite3.connect(db_url.removeprefix("sqlite:///"))
    other.execute("BEGIN EXCLUSIVE")  # another program holds the write lock ...
    seen: dict[str, object] = {"window": window}
    _during_the_wait(1500, other.rollback, seen)  # ... for a second and a half
    type_text(window.note_pane.entry, "Reviewer asks for the 2019 ED note")
    press(window.note_pane.entry, Qt.Key.Key_Return)
    other.close()
    assert "status" in seen, "the window froze: its timers did not run while it waited"
    # While it waited, the window ran its timers and drew itself, and said why it was waiting.
    assert WAITING.fullmatch(seen["status"]), seen["status"]
    assert (seen["entry"], seen["drawn"]) == ("Reviewer asks for the 2019 ED note", True)
    assert "Reviewer asks for the 2019 ED note" not in seen["listed"]
    # Once free, the note is stored, listed and the entry cleared; the wait is no longer said.
    assert [n.text for n in desk.notes(window.call.id)][-1] == "Reviewer asks for the 2019 ED note"
    assert "Reviewer asks for the 2019 ED note" in window.note_pane.notes.toPlainText()
    assert window.note_pane.entry.text() == ""
    assert not window.note_pane.status.isVisible()
    desk.close()


def test_closing_while_the_database_keeps_the_window_waiting_closes_once_it_answers(open_window, db_url: str) -> None:  # noqa: ANN001
    desk = Desk.open(db_url, busy_timeout_ms=10_000)
    window = open_window(desk, demo=True)
    window.act_start.trigger()
    other = sqlite3.connect(db_url.removeprefix("sqlite:///"))
    other.execute("BEGIN EXCLUSIVE")
    seen: dict[str, object] = {"window": window}

    def close_then_free() -> None:
        seen["closed"] = window.close()
        seen["said"] = window.note_pane.status.text()
        seen["visible"] = window.isVisible()
        other.rollback()

    QTimer.singleShot(800, close_then_free)
    type_text(window.note_pane.entry, "Upheld; appeal to follow")
    press(window.note_pane.entry, Qt.Key.Key_Return)
    other.close()
    assert (seen["closed"], seen["visible"]) == (False, True)  # not while the note was on its way
    assert seen["said"].startswith("p2pdesk closes as soon as the database answers, keeping what it stores")
    assert [n.text for n in desk.notes(window.call.id)][-1] == "Upheld; appeal to follow"
    from PySide6.QtWidgets import QApplication

    QApplication.processEvents()  # the close asked for, now that the note is stored
    assert not window.isVisible()
    desk.close()


@pytest.mark.parametrize("store_url", ["postgresql"], indirect=True)
def test_a_shared_server_that_stops_answering_mid_call_keeps_the_window_running(open_window, store_url: str) -> None:  # noqa: ANN001
    """The practice's PostgreSQL server stops answering (its processes for this desk are stopped)
    as the physician presses Enter: the window keeps drawing and says it waits; when the server
    answers again the note is stored once and listed."""
    from sqlalchemy import create_engine, text

    desk = Desk.open(store_url)
    window = open_window(desk, demo=True)
    window.act_start.trigger()
    admin = create_engine(store_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        pids = list(
            conn.execute(
                text("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
            ).scalars()
        )
    try:
        for pid in pids:
            os.kill(pid, signal.SIGSTOP)
    except (ProcessLookupError, PermissionError):
        pytest.skip("the PostgreSQL server is not on this machine or not ours to signal")
    assert pids, "the desk holds a connection"

    def answer_again() -> None:
        for pid in pids:
            os.kill(pid, signal.SIGCONT)

    seen: dict[str, object] = {"window": window}
    # Should the window freeze after all (its timers then never run), the server answers after 15 s.
    watchdog = threading.Timer(15, answer_again)
    watchdog.start()
    try:
        _during_the_wait(2500, answer_again, seen)
        type_text(window.note_pane.entry, "Medical director: Dr. Haines, family medicine")
        press(window.note_pane.entry, Qt.Key.Key_Return)
    finally:
        watchdog.cancel()
        answer_again()
    assert "status" in seen, "the window froze: its timers did not run while it waited"
    assert WAITING.fullmatch(seen["status"]), seen["status"]
    assert seen["entry"] == "Medical director: Dr. Haines, family medicine"
    assert "Medical director: Dr. Haines" not in seen["listed"]
    texts = [n.text for n in desk.notes(window.call.id)]
    assert texts.count("Medical director: Dr. Haines, family medicine") == 1
    assert window.note_pane.notes.toPlainText().count("Medical director: Dr. Haines, family medicine") == 1
    assert window.note_pane.entry.text() == ""
    desk.close()
    admin.dispose()


def _note(window) -> None:  # noqa: ANN001
    type_text(window.note_pane.entry, "Peer reviewer: Dr. Haines")
    press(window.note_pane.entry, Qt.Key.Key_Return)


def _sent_while_held(open_window, db_url: str, monkeypatch, *, give_up_s: float, busy_timeout_ms: int, send=_note):  # noqa: ANN001, ANN202
    """A call on which ``send`` (by default the note "Peer reviewer: Dr. Haines") is done while
    another program holds the database (the window stopping its wait after ``give_up_s``, the
    store after ``busy_timeout_ms``): (desk, window, the other program's connection, holding its lock)."""
    import p2pdesk.ui.worker

    monkeypatch.setattr(p2pdesk.ui.worker, "GIVE_UP_S", give_up_s)
    desk = Desk.open(db_url, busy_timeout_ms=busy_timeout_ms)
    window = open_window(desk, demo=True)
    window.act_start.trigger()
    other = sqlite3.connect(db_url.removeprefix("sqlite:///"))
    other.execute("BEGIN EXCLUSIVE")
    send(window)
    return desk, window, other


def _until_done_untold(window) -> None:  # noqa: ANN001
    """Wait (the window's events not run) until the store has done what the window stopped waiting
    for: stored, the window not told yet."""
    deadline = time.monotonic() + 30
    while window.store_line.unanswered() and time.monotonic() < deadline:
        time.sleep(0.02)


def _until_answered(window) -> None:  # noqa: ANN001
    """Run the window until it says the database has answered what it stopped waiting for."""
    deadline = time.monotonic() + 30
    while "has answered" not in window.note_pane.status.text() and time.monotonic() < deadline:
        QApplication.processEvents()
        time.sleep(0.02)


@pytest.fixture
def given_up(open_window, db_url: str, monkeypatch):  # noqa: ANN001, ANN201
    """The note sent while held, not answered within the window's patience (1 s here): (desk,
    window, free), ``free()`` letting the database go on (it then stores the note) and waiting for
    the window to hear of it (``wait=False``: not waiting)."""
    desk, window, other = _sent_while_held(open_window, db_url, monkeypatch, give_up_s=1.0, busy_timeout_ms=30_000)

    def free(wait: bool = True) -> None:
        other.rollback()
        other.close()
        if wait:
            _until_answered(window)

    try:
        yield desk, window, free
    finally:
        other.close()  # (closing twice is harmless)
        desk.close()


def _said(desk: Desk, window) -> list[str]:  # noqa: ANN001
    return [n.text for n in desk.notes(window.call.id) if not n.text.startswith("Reviewer on the record")]


def test_a_wait_given_up_leaves_the_note_typed_and_lists_it_when_the_database_stores_it(given_up) -> None:  # noqa: ANN001
    """The window stops waiting: the keyboard and its close are the physician's again, the note stays
    typed and is said not saved. When the database does store it later, it is listed and leaves the entry."""
    desk, window, free = given_up
    pane = window.note_pane
    assert not window.store_line.waiting()
    assert pane.status.text() == (
        "Not saved — the database cannot be written (it has not answered in 1 s). Your text is kept here; "
        "press Enter again to save it once the database can be written."
    )
    assert pane.entry.text() == "Peer reviewer: Dr. Haines"
    assert "Peer reviewer: Dr. Haines" not in pane.notes.toPlainText()
    free()
    assert pane.status.text() == (
        "The database has answered: what it stored while the window had stopped waiting is listed."
    )
    assert pane.notes.toPlainText().count("Peer reviewer: Dr. Haines") == 1
    assert pane.entry.text() == ""
    assert _said(desk, window) == ["Peer reviewer: Dr. Haines"]


def test_enter_again_on_a_note_the_database_stored_meanwhile_does_not_store_it_twice(given_up) -> None:  # noqa: ANN001
    """The database stores the note and the physician presses Enter again before the window has
    heard so: the note is found stored, listed once, and not stored twice."""
    desk, window, free = given_up
    pane = window.note_pane
    free(wait=False)
    _until_done_untold(window)
    press(pane.entry, Qt.Key.Key_Return)  # sent again as it was
    assert _said(desk, window) == ["Peer reviewer: Dr. Haines"]
    assert pane.notes.toPlainText().count("Peer reviewer: Dr. Haines") == 1
    assert pane.entry.text() == ""
    assert pane.info.text() == "That note was stored after all: it is listed, and was not stored twice."


def test_text_added_to_a_note_that_waited_stays_as_typed_and_is_stored_as_a_note_of_its_own(given_up) -> None:  # noqa: ANN001
    """The physician adds to the note said not saved (or keys typed during the wait arrive after
    it); the database then stores the note as first sent: it is listed, the entry is left as
    typed and said so, and Enter stores it as a note of its own, nothing cut out of it."""
    desk, window, free = given_up
    pane = window.note_pane
    type_text(pane.entry, ", internal medicine")
    free()
    assert pane.entry.text() == "Peer reviewer: Dr. Haines, internal medicine"
    assert pane.info.text() == (
        "A note sent before was stored after all: it is listed. The entry is as you left it; press "
        "Enter to store it as a note of its own."
    )
    press(pane.entry, Qt.Key.Key_Return)
    assert _said(desk, window) == ["Peer reviewer: Dr. Haines", "Peer reviewer: Dr. Haines, internal medicine"]


def test_a_note_the_database_never_stored_is_not_said_stored(open_window, db_url: str, monkeypatch) -> None:  # noqa: ANN001
    """The window stops waiting, and the database then refuses the note (another program kept its
    lock past the store's own patience): the window says it was not stored, an empty Enter is an
    empty note, and the note sent again is stored once."""
    desk, window, other = _sent_while_held(open_window, db_url, monkeypatch, give_up_s=0.5, busy_timeout_ms=1500)
    pane = window.note_pane
    try:
        _until_answered(window)  # given up after 0.5 s; refused by the store at 1.5 s
    finally:
        other.rollback()
        other.close()
    assert pane.status.text() == (
        "The database has answered: what was sent while the window had stopped waiting was not stored."
    )
    assert pane.entry.text() == "Peer reviewer: Dr. Haines" and _said(desk, window) == []
    pane.entry.clear()
    press(pane.entry, Qt.Key.Key_Return)
    assert pane.status.text().startswith("note: is empty") and pane.info.text() == ""
    type_text(pane.entry, "Peer reviewer: Dr. Haines")
    press(pane.entry, Qt.Key.Key_Return)
    assert _said(desk, window) == ["Peer reviewer: Dr. Haines"]
    desk.close()


def test_the_same_words_typed_again_after_clearing_the_entry_are_a_second_note(given_up) -> None:  # noqa: ANN001
    """The physician gave up on the unsent note (cleared the entry), the database stored it later,
    and the reviewer says the same thing again: it is a note of its own."""
    desk, window, free = given_up
    pane = window.note_pane
    pane.entry.clear()
    free()
    type_text(pane.entry, "Peer reviewer: Dr. Haines")
    press(pane.entry, Qt.Key.Key_Return)
    assert _said(desk, window) == ["Peer reviewer: Dr. Haines", "Peer reviewer: Dr. Haines"]
    assert pane.notes.toPlainText().count("Peer reviewer: Dr. Haines") == 2


@contextmanager
def _stored_untold(open_window, db_url: str, monkeypatch, send):  # noqa: ANN001, ANN202
    """``send`` done while the database is held: the window stops waiting (after 1 s) and says it
    is not saved; the database then stores it, the window not yet told: (desk, window)."""
    desk, window, other = _sent_while_held(
        open_window, db_url, monkeypatch, give_up_s=1.0, busy_timeout_ms=30_000, send=send
    )
    try:
        assert window.note_pane.status.text().startswith("Not saved — the database cannot be written")
        other.rollback()
        other.close()
        _until_done_untold(window)
        yield desk, window
    finally:
        other.close()
        desk.close()


def _reviewer(window) -> None:  # noqa: ANN001
    """Put a family physician on the record for the rheumatology case (a specialty mismatch)."""
    pane = window.note_pane
    pane.reviewer_name.setText("Gregory Haines")
    pane.reviewer_credentials.setText("MD")
    pane.reviewer_specialty.setText("Family Medicine")
    press(pane.reviewer_specialty, Qt.Key.Key_Return)


def _reversed(window) -> None:  # noqa: ANN001
    pane = window.note_pane
    press(window, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    press(pane.disposition, Qt.Key.Key_Down)
    press(pane.disposition, Qt.Key.Key_Tab)
    type_text(pane.authorization, "AUTH-88213")
    press(pane.authorization, Qt.Key.Key_Return)


@pytest.mark.parametrize(
    ("send", "field", "logged"),
    [
        (_reviewer, "reviewer_specialty", ["Reviewer on the record", "Reviewer specialty mismatch"]),
        (_reversed, "authorization", ["Disposition reversed"]),
    ],
)
def test_a_change_to_the_call_made_again_after_the_database_stored_it_meanwhile_is_logged_once(
    open_window,  # noqa: ANN001
    db_url: str,
    monkeypatch,  # noqa: ANN001
    send,  # noqa: ANN001
    field: str,
    logged: list[str],
) -> None:
    """The reviewer put on the record (or the disposition set) while the database is held, the
    window stops waiting, the database then stores it, and the physician presses Enter on it again
    (its fields as they were left) before the window has heard: it is on the record once, with
    what it logs, and listed once."""
    with _stored_untold(open_window, db_url, monkeypatch, send) as (desk, window):
        press(getattr(window.note_pane, field), Qt.Key.Key_Return)
        said = [n.text.split(":")[0] for n in desk.notes(window.call.id)]
        assert said == logged
        listed = window.note_pane.notes.toPlainText()
        assert [listed.count(f"{what}:") for what in logged] == [1] * len(logged)
        _until_answered(window)
        assert [n.text.split(":")[0] for n in desk.notes(window.call.id)] == logged
        assert window.note_pane.notes.toPlainText().count(f"{logged[0]}:") == 1


def test_a_note_typed_after_a_reviewer_the_database_stored_meanwhile_is_stored_and_the_reviewer_shown(
    open_window,  # noqa: ANN001
    db_url: str,
    monkeypatch,  # noqa: ANN001
) -> None:
    """The reviewer put on the record while the database is held, the window stops waiting, the
    database then stores it, and the physician types the reviewer's first claim: the claim is
    stored, and the reviewer is listed and on the window's call, once."""
    with _stored_untold(open_window, db_url, monkeypatch, _reviewer) as (desk, window):
        type_text(window.note_pane.entry, "Wants a sulfasalazine trial")
        press(window.note_pane.entry, Qt.Key.Key_Return)
        said = [n.text.split(":")[0] for n in desk.notes(window.call.id)]
        assert said == ["Reviewer on the record", "Reviewer specialty mismatch", "Wants a sulfasalazine trial"]
        listed = window.note_pane.notes.toPlainText()
        assert [listed.count(what) for what in said] == [1, 1, 1]
        assert window.note_pane.entry.text() == ""
        assert window.call.reviewer_name == "Gregory Haines"
        assert "Reviewer's specialty (Family Medicine) is not the case's" in window.script.page_text("specialty")


def test_while_the_database_has_not_answered_what_was_given_up_the_next_enter_is_refused_at_once(given_up) -> None:  # noqa: ANN001
    """The store still holds what the window stopped waiting for: the next note is not queued
    behind it (a second wait of the window's whole patience), but refused at once and said so,
    its text kept; once the store has answered, it is stored."""
    desk, window, free = given_up
    pane = window.note_pane
    pane.entry.clear()
    type_text(pane.entry, "Wants a sulfasalazine trial")
    press(pane.entry, Qt.Key.Key_Return)
    assert not window.store_line.waiting()
    assert re.fullmatch(
        r"Not saved — the database cannot be written \(it has still not answered what was sent \d+ s ago\)\. "
        r"Your text is kept here; press Enter again to save it once the database can be written\.",
        pane.status.text(),
    ), pane.status.text()
    assert pane.entry.text() == "Wants a sulfasalazine trial" and _said(desk, window) == []
    free()
    assert pane.entry.text() == "Wants a sulfasalazine trial"
    press(pane.entry, Qt.Key.Key_Return)
    assert _said(desk, window) == ["Peer reviewer: Dr. Haines", "Wants a sulfasalazine trial"]
    assert pane.entry.text() == ""


def test_enter_again_read_slowly_does_not_store_a_note_the_database_stored_meanwhile(given_up, monkeypatch) -> None:  # noqa: ANN001
    """As above, the database being slow to read the call's notes for the Enter (the window waits
    for it, and hears meanwhile that the note was stored): still stored once, listed once."""
    desk, window, free = given_up
    pane = window.note_pane
    free(wait=False)
    _until_done_untold(window)
    read = desk.notes

    def slowly(call_id: int):  # noqa: ANN202
        time.sleep(0.3)  # longer than the window waits without drawing (QUICK_S)
        return read(call_id)

    monkeypatch.setattr(desk, "notes", slowly)
    press(pane.entry, Qt.Key.Key_Return)
    _until_answered(window)
    assert _said(desk, window) == ["Peer reviewer: Dr. Haines"]
    assert pane.notes.toPlainText().count("Peer reviewer: Dr. Haines") == 1
    assert pane.entry.text() == ""


def _educational(window) -> None:  # noqa: ANN001
    window.note_pane.educational.setChecked(True)


def test_the_educational_only_box_stored_after_the_window_stopped_waiting_shows_it(
    open_window,  # noqa: ANN001
    db_url: str,
    monkeypatch,  # noqa: ANN001
) -> None:
    """Ticked while the database is held: the window stops waiting and unticks it (not on
    record); the database then stores it: the box is ticked again, as the record says."""
    desk, window, other = _sent_while_held(
        open_window, db_url, monkeypatch, give_up_s=1.0, busy_timeout_ms=30_000, send=_educational
    )
    try:
        assert not window.note_pane.educational.isChecked()
        other.rollback()
        other.close()
        _until_answered(window)
        assert desk.call(window.call.id).educational_only
        assert window.note_pane.educational.isChecked()
        assert [n.text for n in desk.notes(window.call.id)] == [
            "The plan says this peer-to-peer is educational only: it cannot reverse the denial"
        ]
    finally:
        other.close()
        desk.close()


def test_a_reviewer_put_back_after_another_is_logged_again(open_window, db_url: str, monkeypatch) -> None:  # noqa: ANN001
    """Reviewer A is sent while the database is held and stored after the window stopped waiting;
    reviewer B is put on the record, then A again: the log says A, B, A, and the call holds A."""
    with _stored_untold(open_window, db_url, monkeypatch, _reviewer) as (desk, window):
        pane = window.note_pane
        pane.reviewer_name.setText("Dana Whitfield")
        pane.reviewer_specialty.setText("Rheumatology")
        press(pane.reviewer_specialty, Qt.Key.Key_Return)
        pane.reviewer_name.setText("Gregory Haines")
        pane.reviewer_specialty.setText("Family Medicine")
        press(pane.reviewer_specialty, Qt.Key.Key_Return)
        on_record = [n.text for n in desk.notes(window.call.id) if n.text.startswith("Reviewer on the record")]
        assert on_record == [
            "Reviewer on the record: Gregory Haines, MD (Family Medicine)",
            "Reviewer on the record: Dana Whitfield, MD (Rheumatology)",
            "Reviewer on the record: Gregory Haines, MD (Family Medicine)",
        ]
        assert desk.call(window.call.id).reviewer_name == "Gregory Haines"
        assert window.note_pane.notes.toPlainText().count("Reviewer on the record") == 3


def test_an_end_the_database_stores_late_leaves_the_window_on_home(open_window, db_url: str, monkeypatch) -> None:  # noqa: ANN001
    """End call given up on, then Home: when the database does end the call, the desk is brought up
    to date behind Home (which says so), not brought forward over it."""
    desk, window, other = _sent_while_held(
        open_window, db_url, monkeypatch, give_up_s=1.0, busy_timeout_ms=30_000, send=lambda w: w.act_end.trigger()
    )
    try:
        assert window.call.in_progress  # not told yet
        press(window, Qt.Key.Key_H, Qt.KeyboardModifier.ControlModifier)
        assert window.stack.currentWidget() is window.home
        other.rollback()
        other.close()
        deadline = time.monotonic() + 30
        while "has answered" not in window.home.notice.text() and time.monotonic() < deadline:
            QApplication.processEvents()
            time.sleep(0.02)
        assert "has answered" in window.home.notice.text()
        assert window.stack.currentWidget() is window.home
        assert not window.call.in_progress and not window.note_pane.entry.isEnabled()  # the desk behind is up to date
    finally:
        other.close()
        desk.close()
