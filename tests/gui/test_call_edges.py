"""The call's edges: what is typed but not saved when the call ends, a disposition changed on the
call, a refused educational-only tick, another case asked for during the call."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt

from p2pdesk.domain.call import Disposition, NoteKind
from p2pdesk.services.desk import Desk
from tests.conftest import DEMO
from tests.gui.keys import press, type_text

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


@pytest.fixture
def live(live_call):  # noqa: ANN001, ANN201
    return live_call


def _end(window) -> None:  # noqa: ANN001
    press(window, Qt.Key.Key_E, CTRL | SHIFT)


def test_a_note_typed_but_not_entered_keeps_the_call_open_until_it_is_saved(live, desk: Desk) -> None:  # noqa: ANN001
    pane = live.note_pane
    type_text(pane.entry, "Reviewer will call back with the decision")
    _end(live)
    assert desk.call(live.call.id).in_progress, "the call ended over an unsaved note"
    assert pane.status.text().startswith("Not ended: typed but not saved yet in the note entry.")
    assert pane.entry.isEnabled() and pane.entry.text() == "Reviewer will call back with the decision"
    press(pane.entry, Qt.Key.Key_Return)
    _end(live)
    assert not desk.call(live.call.id).in_progress
    assert [n.text for n in desk.notes(live.call.id)] == ["Reviewer will call back with the decision"]


def test_an_outcome_typed_but_not_entered_keeps_the_call_open_until_it_is_saved(live, desk: Desk) -> None:  # noqa: ANN001
    pane = live.note_pane
    pane.disposition.setCurrentIndex(pane.disposition.findData("reversed"))
    type_text(pane.authorization, "AUTH-55555")
    _end(live)
    assert desk.call(live.call.id).in_progress
    assert "not saved yet in the disposition." in pane.status.text()
    assert pane.authorization.text() == "AUTH-55555" and pane.disposition.currentData() == "reversed"
    press(pane.authorization, Qt.Key.Key_Return)
    _end(live)
    call = desk.call(live.call.id)
    assert not call.in_progress
    assert (call.disposition, call.authorization_number) == (Disposition.REVERSED, "AUTH-55555")


def test_a_reviewer_corrected_but_not_entered_keeps_the_call_open(live, desk: Desk) -> None:  # noqa: ANN001
    pane = live.note_pane
    type_text(pane.reviewer_name, "Gregory  Haines")  # kept with one space: that is not a change
    type_text(pane.reviewer_credentials, "MD")
    press(pane.reviewer_credentials, Qt.Key.Key_Return)
    assert desk.call(live.call.id).reviewer_name == "Gregory Haines"
    pane.reviewer_specialty.setText("Family Medicine")
    _end(live)
    assert desk.call(live.call.id).in_progress
    assert "not saved yet in the reviewer fields." in pane.status.text()
    pane.reviewer_specialty.clear()
    _end(live)
    assert not desk.call(live.call.id).in_progress


def test_a_disposition_changed_on_the_call_keeps_only_its_own_details(live, desk: Desk) -> None:  # noqa: ANN001
    pane = live.note_pane
    pane.disposition.setCurrentIndex(pane.disposition.findData("deferred"))
    type_text(pane.requested, "2019 ED note")
    type_text(pane.requested_by, "next fri")  # not a date, and left behind in the hidden field
    pane.disposition.setCurrentIndex(pane.disposition.findData("reversed"))
    assert not pane.requested_by.isVisible()
    type_text(pane.authorization, "AUTH-1")
    press(pane.authorization, Qt.Key.Key_Return)
    assert not pane.status.isVisible(), pane.status.text()
    call = desk.call(live.call.id)
    assert (call.disposition, call.authorization_number) == (Disposition.REVERSED, "AUTH-1")
    assert (call.information_requested, call.requested_by) == ("", None)
    assert desk.notes(call.id)[-1].text == "Disposition reversed: authorization number AUTH-1"


def test_an_educational_only_tick_that_is_not_recorded_is_taken_back(busy_desk) -> None:  # noqa: ANN001
    desk, window, locked = busy_desk
    with locked():  # another program holds the write lock
        window.note_pane.educational.setChecked(True)
        assert window.note_pane.status.text().startswith("Not saved — the database cannot be written")
        assert not window.note_pane.educational.isChecked()
    assert desk.call(window.call.id).educational_only is False
    window.note_pane.educational.setChecked(True)
    assert desk.call(window.call.id).educational_only is True


def test_another_case_is_not_opened_over_a_call_in_progress(live, desk: Desk) -> None:  # noqa: ANN001
    data = json.loads(DEMO.read_text(encoding="utf-8"))
    data["coverage"]["member_id"] = "M-OTHER"
    data["policy"]["criteria"][0]["patient_fact"] = "Another patient's fact"
    other = desk.import_case(json.dumps(data))
    type_text(live.note_pane.entry, "half a sentence")
    live.open_case(other)
    assert live.case.id == live.call.case_id and live.call.in_progress  # still on the call
    assert f"end it (Ctrl+Shift+E) before opening case #{other}" in live.note_pane.status.text()
    assert live.note_pane.entry.isEnabled() and live.note_pane.entry.text() == "half a sentence"
    assert "●" in live.note_pane.clock.text()
    press(live.note_pane.entry, Qt.Key.Key_Return)
    _end(live)
    live.open_case(other)  # after the call, it opens
    assert live.case.id == other
    # Its check boxes carry its own facts, although the criteria read the same as the first case's.
    assert "Another patient's fact" in live.note_pane.criterion_boxes[0].toolTip()


def test_a_reviewer_without_a_name_is_refused(live, desk: Desk) -> None:  # noqa: ANN001
    pane = live.note_pane
    type_text(pane.reviewer_credentials, "MD")
    press(pane.reviewer_credentials, Qt.Key.Key_Return)
    assert pane.status.text().startswith("reviewer name: is empty")
    assert desk.call(live.call.id).reviewer_credentials == ""
    assert [n.kind for n in desk.notes(live.call.id)] == []
    assert NoteKind.OTHER not in [n.kind for n in desk.notes(live.call.id)]


def test_a_case_that_is_not_on_file_opens_the_list_and_says_so(open_window, desk: Desk) -> None:  # noqa: ANN001
    window = open_window(desk, demo=True, case_id=999)
    assert window.stack.currentWidget() is window.home and window.case is None
    assert window.home.notice.text() == "There is no case #999; the cases on file are listed below."
    assert window.home.notice.isVisible()
    press(window, Qt.Key.Key_H, CTRL)  # the next visit is a plain one
    assert not window.home.notice.isVisible()


def test_the_case_asked_for_opens_even_with_the_demo(open_window, desk: Desk) -> None:  # noqa: ANN001
    data = json.loads(DEMO.read_text(encoding="utf-8"))
    data["coverage"]["member_id"] = "M-FIRST"
    first = desk.import_case(json.dumps(data))
    window = open_window(desk, demo=True, case_id=first)
    assert window.case.id == first and window.case.member_id == "M-FIRST"
    assert len(desk.cases()) == 2  # the demo case was loaded all the same


def test_another_desks_call_opened_from_home_is_offered_to_take_over(
    open_window, db_url: str, clock, monkeypatch
) -> None:  # noqa: ANN001
    from PySide6.QtWidgets import QMessageBox

    from tests.gui.keys import type_into_focus

    elsewhere = Desk.open(db_url, clock=clock, desk_id="desk-whose-folder-was-lost")
    here = Desk.open(db_url, clock=clock, desk_id="desk-exam-room-3")
    try:
        call = elsewhere.start_call(elsewhere.load_demo())
        window = open_window(here)
        assert window.stack.currentWidget() is window.home  # not reopened here as if it were this desk's
        asked: list[str] = []

        def answer(_parent, _title, text, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
            asked.append(text)
            return QMessageBox.StandardButton.Yes

        monkeypatch.setattr(QMessageBox, "question", staticmethod(answer))
        window.open_call(call.case_id, call.id)
        assert asked and "in progress at another desk since" in asked[0]
        assert window.call.id == call.id and window.call.desk == "desk-exam-room-3"
        window.note_pane.entry.setFocus()
        type_into_focus("Reviewer on hold again")
        press(window.note_pane.entry, Qt.Key.Key_Return)
        assert here.notes(call.id)[-1].text == "Reviewer on hold again"
    finally:
        elsewhere.close()


def test_another_desks_call_not_taken_over_is_shown_as_it_stands(
    open_window, db_url: str, clock, _no_modal_dialogs
) -> None:  # noqa: ANN001
    elsewhere = Desk.open(db_url, clock=clock, desk_id="desk-front-office")
    here = Desk.open(db_url, clock=clock, desk_id="desk-exam-room-3")
    try:
        call = elsewhere.start_call(elsewhere.load_demo())
        window = open_window(here)
        window.open_call(call.case_id, call.id)  # asked, and not answered Yes
        pane = window.note_pane
        assert window.call.id == call.id and window.call.desk == "desk-front-office"
        assert not pane.entry.isEnabled() and not window.act_end.isEnabled()
        assert "in progress at another desk and is shown as it stands" in pane.info.text()
        press(window, Qt.Key.Key_E, CTRL | SHIFT)
        assert "being taken at another desk; open it from Home (Ctrl+H) to take it over" in pane.status.text()
        assert elsewhere.call(call.id).in_progress
        asked = len(_no_modal_dialogs)
        press(window, Qt.Key.Key_H, CTRL)
        press(window.home.tree, Qt.Key.Key_Escape)  # back to it as it stands: not a take-over, nothing asked
        assert window.stack.currentWidget() is window.case_desk and len(_no_modal_dialogs) == asked
        assert window.call.desk == "desk-front-office" and not pane.entry.isEnabled()
    finally:
        elsewhere.close()
