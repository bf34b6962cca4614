"""What the physician types lands where they see it: the keys that move between panes and fields
never leave the focus on a hidden field, on nothing, or on a check box that logs each space."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from p2pdesk.domain.call import NoteKind
from p2pdesk.services.desk import Desk
from tests.gui.keys import press, type_into_focus

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
ALT = Qt.KeyboardModifier.AltModifier


@pytest.fixture
def live(live_call):  # noqa: ANN001, ANN201
    return live_call


def _key(key: Qt.Key, modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    """A key pressed on whatever has the focus."""
    press(QApplication.focusWidget(), key, modifiers)


def _notes(desk: Desk, window) -> list[str]:  # noqa: ANN001
    return [n.text for n in desk.notes(window.call.id)]


def test_tab_from_the_authorization_number_goes_to_the_alternative_offer(live, desk: Desk) -> None:  # noqa: ANN001
    press(live, Qt.Key.Key_D, CTRL)
    _key(Qt.Key.Key_Down)  # Reversed
    _key(Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is live.note_pane.authorization
    type_into_focus("AUTH-88213")
    _key(Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is live.note_pane.alternative
    type_into_focus("Partial approval for 3 months")
    _key(Qt.Key.Key_Return)
    call = desk.call(live.call.id)
    assert (call.authorization_number, call.alternative_offer) == ("AUTH-88213", "Partial approval for 3 months")
    assert call.educational_only is False
    assert not any("educational" in text.lower() for text in _notes(desk, live))


def test_next_script_step_while_reading_the_script_keeps_the_focus_in_the_script(live, desk: Desk) -> None:  # noqa: ANN001
    live.script.browser(0).setFocus()  # the physician clicked into the open step to read it
    press(live, Qt.Key.Key_PageDown, CTRL)
    assert QApplication.focusWidget() is live.script.browser(1)
    type_into_focus("TB screen negative in October ")  # typed on the script: the start of a note
    assert not any(box.isChecked() for box in live.note_pane.criterion_boxes)
    assert _notes(desk, live) == []
    assert QApplication.focusWidget() is live.note_pane.entry
    assert live.note_pane.entry.text() == "TB screen negative in October "


def test_an_alternative_offer_typed_but_not_saved_keeps_the_call_open(live, desk: Desk) -> None:  # noqa: ANN001
    pane = live.note_pane
    pane.alternative.setFocus()
    type_into_focus("Offered adalimumab instead")
    _key(Qt.Key.Key_Return)  # refused: no outcome chosen yet
    assert pane.status.text().startswith("disposition: choose")
    press(live, Qt.Key.Key_E, CTRL | SHIFT)
    assert desk.call(live.call.id).in_progress, "the call ended over the typed offer"
    assert "typed but not saved yet in the disposition" in pane.status.text()
    assert pane.alternative.text() == "Offered adalimumab instead"


def test_criteria_key_with_every_criterion_ticked_goes_to_the_note_entry(live, desk: Desk) -> None:  # noqa: ANN001
    for number in range(1, len(live.note_pane.criterion_boxes) + 1):
        press(live, Qt.Key.Key_K, CTRL)
        _key(Qt.Key.Key_Space)
        assert live.note_pane.criterion_boxes[number - 1].isChecked()
    press(live, Qt.Key.Key_K, CTRL)
    assert QApplication.focusWidget() is live.note_pane.entry
    assert "Every criterion is ticked" in live.note_pane.info.text()
    type_into_focus("Reviewer conceded all five")
    _key(Qt.Key.Key_Return)
    assert _notes(desk, live)[-1] == "Reviewer conceded all five"


def test_going_narrow_keeps_in_front_the_pane_being_typed_in(live, desk: Desk, qtbot) -> None:  # noqa: ANN001
    press(live, Qt.Key.Key_1, ALT)  # a glance at the brief...
    live.note_pane.entry.setFocus()  # ...then back to typing
    type_into_focus("Reviewer wants the 2019 ED note")
    live.resize(520, 700)  # the window is moved into a column beside the EHR
    qtbot.waitUntil(lambda: live.case_desk.narrow)
    assert live.case_desk.current_pane() is live.note_pane and live.note_pane.entry.isVisible()
    type_into_focus(" and the allergy list")
    _key(Qt.Key.Key_Return)
    assert _notes(desk, live) == ["Reviewer wants the 2019 ED note and the allergy list"]


def test_always_on_top_keeps_the_focus_where_the_physician_was_typing(live, desk: Desk) -> None:  # noqa: ANN001
    type_into_focus("half")
    press(live, Qt.Key.Key_T, CTRL)
    assert live.windowFlags() & Qt.WindowType.WindowStaysOnTopHint
    assert QApplication.focusWidget() is live.note_pane.entry
    type_into_focus(" a sentence")
    _key(Qt.Key.Key_Return)
    assert _notes(desk, live) == ["half a sentence"]


def test_a_note_kind_key_on_home_brings_the_call_to_the_front(live, desk: Desk) -> None:  # noqa: ANN001
    press(live, Qt.Key.Key_H, CTRL)
    assert live.stack.currentWidget() is live.home
    press(live, Qt.Key.Key_2, CTRL)
    assert live.stack.currentWidget() is live.case_desk and live.note_pane.entry.isVisible()
    type_into_focus("Reviewer agrees methotrexate failed")
    _key(Qt.Key.Key_Return)
    (note,) = desk.notes(live.call.id)
    assert (note.kind, note.text) == (NoteKind.OUR_POINT, "Reviewer agrees methotrexate failed")


def test_the_call_line_is_read_whole_at_laptop_width(live, desk: Desk) -> None:  # noqa: ANN001
    press(live, Qt.Key.Key_E, CTRL | SHIFT)
    clock = live.note_pane.clock
    assert "not sealed yet (Ctrl+Shift+G)" in clock.text()
    room = clock.contentsRect()
    needed = clock.fontMetrics().boundingRect(room.x(), 0, room.width(), 10_000, Qt.TextFlag.TextWordWrap, clock.text())
    assert needed.width() <= room.width() and needed.height() <= room.height(), (needed, room)


def test_next_script_step_in_the_narrow_column_shows_the_script(live, qtbot) -> None:  # noqa: ANN001
    live.resize(520, 700)
    qtbot.waitUntil(lambda: live.case_desk.narrow)
    assert live.case_desk.current_pane() is live.note_pane
    press(live, Qt.Key.Key_PageDown, CTRL)
    assert live.case_desk.current_pane() is live.script and live.script.isVisible()
    assert live.script.currentIndex() == 1


def test_a_shortcut_that_cannot_be_used_during_the_call_says_why(live, desk: Desk) -> None:  # noqa: ANN001
    pane = live.note_pane
    pane.entry.setFocus()
    type_into_focus("Reviewer asks for the DAS28 trend")
    _key(Qt.Key.Key_G, CTRL | SHIFT)  # seal, while the call is still going
    assert pane.status.isVisible()
    assert "end the call first (Ctrl+Shift+E)" in pane.status.text()
    _key(Qt.Key.Key_P, CTRL | SHIFT)  # the case editor, during the call
    assert "not during a call" in pane.status.text()
    assert live.stack.currentWidget() is live.case_desk
    assert QApplication.focusWidget() is pane.entry
    assert pane.entry.text() == "Reviewer asks for the DAS28 trend"  # what was typed stays
    assert desk.call(live.call.id).sealed_at is None


def test_a_call_key_before_the_call_says_to_start_one(open_window, desk: Desk) -> None:  # noqa: ANN001
    window = open_window(desk, demo=True)
    window.script.widget(0).setFocus()
    _key(Qt.Key.Key_L, CTRL)  # the note entry: there is no call yet
    assert window.note_pane.status.isVisible()
    assert window.note_pane.status.text() == "Note entry: no call in progress; start one first (Ctrl+Shift+S)"
    assert desk.call_in_progress() is None


def test_ctrl_page_down_in_the_case_editor_goes_tab_to_tab(open_window, desk: Desk) -> None:  # noqa: ANN001
    window = open_window(desk, demo=True)
    press(window, Qt.Key.Key_P, CTRL | SHIFT)
    editor = window.editor
    assert editor.tabs.currentIndex() == 0
    _key(Qt.Key.Key_PageDown, CTRL)
    assert editor.tabs.tabText(editor.tabs.currentIndex()) == "Clinical"
    focused = QApplication.focusWidget()
    assert focused is not None and editor.tabs.currentWidget().isAncestorOf(focused)
    _key(Qt.Key.Key_PageDown, CTRL)  # Treatments: a table, which would take the keys itself
    editor.tables["prior_treatments"].setFocus()
    _key(Qt.Key.Key_PageDown, CTRL)
    assert editor.tabs.tabText(editor.tabs.currentIndex()) == "Evidence"
    _key(Qt.Key.Key_PageUp, CTRL)
    _key(Qt.Key.Key_PageUp, CTRL)
    assert editor.tabs.tabText(editor.tabs.currentIndex()) == "Clinical"


def test_quitting_with_a_note_typed_but_not_saved_asks_first(live, desk: Desk, _no_modal_dialogs, monkeypatch) -> None:  # noqa: ANN001
    from PySide6.QtWidgets import QMessageBox

    pane = live.note_pane
    pane.entry.setFocus()
    type_into_focus("Reviewer will re-review if the fax arrives by 5 pm")
    _key(Qt.Key.Key_Q, CTRL)
    assert live.isVisible()  # asked, and not answered Yes: the window and the text stay
    assert _no_modal_dialogs[-1][0] == "question" and "the note entry" in _no_modal_dialogs[-1][1]
    assert pane.entry.text() == "Reviewer will re-review if the fax arrives by 5 pm"
    _key(Qt.Key.Key_Return)  # saved: quitting needs no question now
    asked = len(_no_modal_dialogs)
    monkeypatch.setattr(QMessageBox, "question", staticmethod(lambda *a, **k: QMessageBox.StandardButton.No))
    _key(Qt.Key.Key_Q, CTRL)
    assert not live.isVisible()
    assert len(_no_modal_dialogs) == asked
    assert [n.text for n in desk.notes(live.call.id)][-1] == "Reviewer will re-review if the fax arrives by 5 pm"


def test_words_typed_on_a_criterion_become_a_note_not_ticks(live, desk: Desk) -> None:  # noqa: ANN001
    pane = live.note_pane
    press(live, Qt.Key.Key_K, CTRL)
    assert QApplication.focusWidget() is pane.criterion_boxes[0]
    type_into_focus("TB test ok now")  # Ctrl+L forgotten
    assert pane.entry.text() == "TB test ok now"
    assert QApplication.focusWidget() is pane.entry
    assert not any(box.isChecked() for box in pane.criterion_boxes)
    _key(Qt.Key.Key_Return)
    assert _notes(desk, live) == ["TB test ok now"]


def test_a_tick_sends_the_next_key_to_the_entry_and_a_logged_tick_stays(live, desk: Desk) -> None:  # noqa: ANN001
    pane = live.note_pane
    press(live, Qt.Key.Key_K, CTRL)
    _key(Qt.Key.Key_Space)
    _key(Qt.Key.Key_Space)  # a second space: into the entry, not a tick of criterion 2
    assert [box.isChecked() for box in pane.criterion_boxes[:2]] == [True, False]
    assert QApplication.focusWidget() is pane.entry
    pane.criterion_boxes[0].setFocus()  # back to it (Shift+Tab), and Space again
    _key(Qt.Key.Key_Space)
    assert pane.criterion_boxes[0].isChecked()
    assert "Criterion 1 is on the record as addressed" in pane.info.text()
    assert _notes(desk, live) == [f"Criterion 1 addressed: {pane.criterion_boxes[0].property('criterion')}"]
    assert not any(box.isChecked() for box in pane.criterion_boxes[1:])


def test_letters_typed_on_a_chosen_outcome_change_nothing_and_say_where_to_type(live, desk: Desk) -> None:  # noqa: ANN001
    pane = live.note_pane
    press(live, Qt.Key.Key_D, CTRL)
    _key(Qt.Key.Key_Down)
    _key(Qt.Key.Key_Down)  # Upheld
    assert pane.disposition.currentData() == "upheld"
    type_into_focus("DA-7731")  # an authorization number, Tab forgotten; or D meant to pick Deferred
    assert pane.disposition.currentData() == "upheld"  # D did not pick Deferred behind the physician's back
    assert pane.reasoning.text() == ""  # nor start the reasoning of the outcome still shown
    assert pane.info.text() == "Outcome: Upheld. Up and Down change it; Tab goes to the reasoning stated."
    _key(Qt.Key.Key_Down)  # Deferred, as the reviewer now agrees
    _key(Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is pane.requested
    type_into_focus("PT notes by Friday")
    _key(Qt.Key.Key_Return)
    call = desk.call(live.call.id)
    assert (call.disposition.value, call.information_requested) == ("deferred", "PT notes by Friday")
    assert not any("upheld" in text.lower() for text in _notes(desk, live))


def test_starting_a_call_right_after_ending_one_unsealed_asks_first(live, desk: Desk, _no_modal_dialogs) -> None:  # noqa: ANN001
    ended = live.call.id
    press(live, Qt.Key.Key_E, CTRL | SHIFT)
    press(live, Qt.Key.Key_S, CTRL | SHIFT)  # a slip: not answered Yes, so no second call
    assert _no_modal_dialogs[-1][0] == "question" and "is not sealed yet" in _no_modal_dialogs[-1][1]
    assert desk.call_in_progress() is None
    assert live.call.id == ended  # the ended call stays on screen, to be sealed
    assert live.act_seal.isEnabled()


def test_a_pasted_excerpt_keeps_its_lines_in_the_list_of_notes(live, desk: Desk) -> None:  # noqa: ANN001
    pane = live.note_pane
    pane.entry.setFocus()
    pane.entry.setText("Labs from the EHR:\n  CRP 2.8 mg/dL (2026-11-03)\n  ESR 41 mm/h")  # as pasted
    _key(Qt.Key.Key_Return)
    assert _notes(desk, live) == ["Labs from the EHR:\n  CRP 2.8 mg/dL (2026-11-03)\n  ESR 41 mm/h"]
    shown = pane.note_lines()[-1]
    assert shown.endswith("Labs from the EHR:\u2028\u00a0\u00a0CRP 2.8 mg/dL (2026-11-03)\u2028\u00a0\u00a0ESR 41 mm/h")


def test_starting_from_home_after_a_call_ended_unsealed_asks_first(live, desk: Desk, _no_modal_dialogs) -> None:  # noqa: ANN001
    ended = live.call.id
    press(live, Qt.Key.Key_E, CTRL | SHIFT)
    press(live, Qt.Key.Key_H, CTRL)
    press(live, Qt.Key.Key_S, CTRL | SHIFT)  # from Home, on the same case: not answered Yes
    assert _no_modal_dialogs[-1][0] == "question" and "is not sealed yet" in _no_modal_dialogs[-1][1]
    assert desk.call_in_progress() is None
    assert [c.id for c in desk.store.calls_for_case(live.case.id)] == [ended]


def test_a_hint_is_taken_back_by_the_next_thing_done(live, desk: Desk) -> None:  # noqa: ANN001
    pane = live.note_pane
    press(live, Qt.Key.Key_D, CTRL)
    _key(Qt.Key.Key_Down)  # Reversed
    type_into_focus("A")  # held, with a hint naming Reversed
    assert pane.info.text().startswith("Outcome: Reversed.")
    _key(Qt.Key.Key_Down)  # Upheld now: the hint about Reversed is gone
    assert not pane.info.isVisible()
    type_into_focus("B")
    assert pane.info.text().startswith("Outcome: Upheld.")
    _key(Qt.Key.Key_Tab)
    type_into_focus("Step therapy required")
    _key(Qt.Key.Key_Return)  # recorded: the hint is gone
    assert not pane.info.isVisible()
    assert desk.call(live.call.id).disposition.value == "upheld"


def test_letters_on_the_note_kind_go_to_the_entry_and_alt_3_lands_in_the_entry(live, desk: Desk) -> None:  # noqa: ANN001
    pane = live.note_pane
    press(live, Qt.Key.Key_2, CTRL)  # Our point
    pane.kind.setFocus()  # Shift+Tab from the entry
    type_into_focus("Our reviewer said")
    assert pane.current_kind() is NoteKind.OUR_POINT  # "O" did not pick another kind
    assert pane.entry.text() == "Our reviewer said"
    live.script.widget(0).setFocus()
    press(live, Qt.Key.Key_3, ALT)  # show the notes: typing goes to the entry
    assert QApplication.focusWidget() is pane.entry


def test_a_call_key_in_the_case_editor_says_where_a_call_is_started(open_window, desk: Desk) -> None:  # noqa: ANN001
    window = open_window(desk, demo=True)
    press(window, Qt.Key.Key_P, CTRL | SHIFT)
    _key(Qt.Key.Key_K, CTRL)  # the criteria: no call, and Ctrl+Shift+S does not start one from the editor
    assert (
        window.editor.status.text()
        == "Criteria checklist: no call in progress; start one first (from the case or Home, Ctrl+Shift+S)"
    )


def test_a_claim_typed_while_the_brief_has_the_focus_is_the_start_of_a_note(live, desk: Desk) -> None:  # noqa: ANN001
    live.brief.setFocus()  # the physician clicked into the brief to read the prior treatments
    type_into_focus("Says 14 weeks is borderline")
    _key(Qt.Key.Key_Return)
    assert _notes(desk, live) == ["Says 14 weeks is borderline"]


def test_a_claim_typed_on_the_brief_in_the_narrow_column_brings_the_notes_forward(live, desk: Desk, qtbot) -> None:  # noqa: ANN001
    live.resize(520, 700)
    qtbot.waitUntil(lambda: live.case_desk.narrow)
    press(live, Qt.Key.Key_1, ALT)
    assert live.case_desk.current_pane() is live.brief
    type_into_focus("Says 14 weeks is borderline")
    assert live.case_desk.current_pane() is live.note_pane and live.note_pane.entry.isVisible()
    _key(Qt.Key.Key_Return)
    assert _notes(desk, live) == ["Says 14 weeks is borderline"]


@pytest.mark.parametrize("number", ["AUTH-5512", "D-44718", "UM-4471", "R"])
def test_an_authorization_number_typed_before_the_outcome_picks_none_and_says_so(live, desk: Desk, number) -> None:  # noqa: ANN001
    pane = live.note_pane
    press(live, Qt.Key.Key_D, CTRL)
    for letter in number:  # one key at a time, however slowly
        type_into_focus(letter)
        QApplication.processEvents()
    assert pane.disposition.currentData() == ""
    assert pane.info.text() == (
        "Outcome: choose it with Up and Down (Reversed, Upheld, Deferred); Tab then goes to its detail."
    )
    assert desk.call(live.call.id).disposition is None


def test_the_newest_note_stays_in_sight_when_the_outcome_makes_the_list_shorter(live, desk: Desk, qtbot) -> None:  # noqa: ANN001
    pane = live.note_pane
    for n in range(1, 25):
        pane.entry.setText(f"Point {n} about the methotrexate trial")
        press(pane.entry, Qt.Key.Key_Return)
    qtbot.wait(100)  # (listed as the window lists them, between one note and the next)
    press(live, Qt.Key.Key_D, CTRL)
    _key(Qt.Key.Key_Down)  # Reversed: its authorization number's row is shown under the list
    qtbot.wait(100)  # (the window lays itself out again)
    bar = pane.notes.verticalScrollBar()
    assert bar.maximum() > 0 and bar.value() == bar.maximum()
    _key(Qt.Key.Key_Tab)
    type_into_focus("AUTH-1")
    _key(Qt.Key.Key_Return)
    qtbot.wait(100)
    pane.entry.setFocus()
    type_into_focus("Another claim")
    _key(Qt.Key.Key_Return)
    qtbot.wait(100)
    assert bar.value() == bar.maximum()
    last = pane.notes.document().lastBlock()
    shown = pane.notes.blockBoundingGeometry(last).translated(pane.notes.contentOffset())
    assert shown.bottom() <= pane.notes.viewport().height() and "Another claim" in last.text()


def test_a_reviewer_put_on_the_record_by_name_alone_asks_for_credentials_and_specialty(live, desk: Desk) -> None:  # noqa: ANN001
    pane = live.note_pane
    press(live, Qt.Key.Key_R, CTRL)
    type_into_focus("Gregory Haines")
    _key(Qt.Key.Key_Return)
    assert desk.call(live.call.id).reviewer_name == "Gregory Haines"
    assert pane.info.text() == (
        "Reviewer on the record without credentials or specialty: ask for them, then Ctrl+R to add them "
        "(the same-specialty check needs the specialty)."
    )
    press(live, Qt.Key.Key_R, CTRL)
    _key(Qt.Key.Key_Tab)
    type_into_focus("MD")
    _key(Qt.Key.Key_Tab)
    type_into_focus("Rheumatology")
    _key(Qt.Key.Key_Return)
    assert (desk.call(live.call.id).reviewer_credentials, desk.call(live.call.id).reviewer_specialty) == (
        "MD",
        "Rheumatology",
    )
    assert "without" not in pane.info.text()


def test_tab_from_a_script_step_opened_later_goes_where_tab_from_the_first_goes(live, desk: Desk) -> None:  # noqa: ANN001
    script = live.script
    script.browser(0).setFocus()
    _key(Qt.Key.Key_Tab)
    after_the_first = QApplication.focusWidget()
    assert after_the_first is not live.brief
    script.go_to("criteria")  # its text view is made now, after the window was shown
    script.browser(script.currentIndex()).setFocus()
    assert QApplication.focusWidget() is script.browser(script.currentIndex())
    _key(Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is after_the_first


def test_a_deferral_recorded_without_a_date_asks_by_when(live, desk: Desk) -> None:  # noqa: ANN001
    pane = live.note_pane
    press(live, Qt.Key.Key_D, CTRL)
    for _ in range(3):
        _key(Qt.Key.Key_Down)  # Deferred
    _key(Qt.Key.Key_Tab)
    type_into_focus("Office notes from 2026-10")
    _key(Qt.Key.Key_Return)
    assert desk.call(live.call.id).information_requested == "Office notes from 2026-10"
    assert pane.info.text() == (
        "Deferred without a date: ask by when the plan needs it, then Ctrl+D, Tab to By, and Enter."
    )
    press(live, Qt.Key.Key_D, CTRL)
    _key(Qt.Key.Key_Tab)
    _key(Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is pane.requested_by
    type_into_focus("2026-12-04")
    _key(Qt.Key.Key_Return)
    assert str(desk.call(live.call.id).requested_by) == "2026-12-04"
    assert "without a date" not in pane.info.text()


def _type_on_the_call_without_entering(live) -> None:  # noqa: ANN001
    """The reviewer's name, the outcome with its authorization number and half a note, none entered yet."""
    press(live, Qt.Key.Key_R, CTRL)
    type_into_focus("Gregory Haines")
    press(live, Qt.Key.Key_D, CTRL)
    _key(Qt.Key.Key_Down)  # Reversed
    _key(Qt.Key.Key_Tab)
    type_into_focus("AUTH-5512")
    press(live, Qt.Key.Key_L, CTRL)
    type_into_focus("Reviewer will")


def _typed(live) -> tuple[str, str, str, str]:  # noqa: ANN001
    pane = live.note_pane
    return pane.reviewer_name.text(), pane.disposition.currentText(), pane.authorization.text(), pane.entry.text()


def test_what_was_typed_on_the_call_is_still_there_after_a_visit_home(live, desk: Desk) -> None:  # noqa: ANN001
    _type_on_the_call_without_entering(live)
    press(live, Qt.Key.Key_H, CTRL)
    assert live.stack.currentWidget() is live.home
    _key(Qt.Key.Key_Return)  # the case, selected: back to its call
    assert live.stack.currentWidget() is live.case_desk
    assert _typed(live) == ("Gregory Haines", "Reversed", "AUTH-5512", "Reviewer will")
    assert desk.call(live.call.id).reviewer_name == ""  # typed, not entered: nothing logged
    press(live, Qt.Key.Key_R, CTRL)
    _key(Qt.Key.Key_Return)
    assert desk.call(live.call.id).reviewer_name == "Gregory Haines"


def test_home_during_a_call_says_so_and_escape_goes_back_to_it(live, desk: Desk) -> None:  # noqa: ANN001
    _type_on_the_call_without_entering(live)
    press(live, Qt.Key.Key_F, CTRL)  # find, by habit, in the middle of the call
    assert live.stack.currentWidget() is live.home
    way_back = live.home.way_back
    assert way_back.isVisible() and way_back.text().startswith("A call is in progress on case #1 (Carmen Delgado)")
    assert "Escape goes back to it" in way_back.text()
    type_into_focus("sulfa")
    _key(Qt.Key.Key_Escape)
    assert live.stack.currentWidget() is live.case_desk and live.windowTitle() == "p2pdesk — case #1"
    assert QApplication.focusWidget() is live.note_pane.entry
    assert _typed(live) == ("Gregory Haines", "Reversed", "AUTH-5512", "Reviewer will")
    type_into_focus(" send the decision by fax")
    _key(Qt.Key.Key_Return)
    assert _notes(desk, live) == ["Reviewer will send the decision by fax"]


def test_escape_on_home_goes_back_to_the_case_and_home_says_nothing_of_a_call_when_none_goes_on(
    open_window,  # noqa: ANN001
    desk: Desk,
) -> None:
    window = open_window(desk, demo=True)
    press(window, Qt.Key.Key_H, CTRL)
    assert window.stack.currentWidget() is window.home and not window.home.way_back.isVisible()
    _key(Qt.Key.Key_Escape)
    assert window.stack.currentWidget() is window.case_desk and window.windowTitle() == "p2pdesk — case #1"
    assert "Carmen Delgado" in window.brief.toPlainText()


def test_escape_from_the_records_and_the_follow_ups_goes_back_to_the_call(live, desk: Desk) -> None:  # noqa: ANN001
    _type_on_the_call_without_entering(live)
    for keys in (Qt.Key.Key_R, Qt.Key.Key_U):  # the sealed records, the follow-ups
        press(live, keys, CTRL | SHIFT)
        assert live.stack.currentWidget() not in (live.case_desk, live.home)
        _key(Qt.Key.Key_Escape)
        assert live.stack.currentWidget() is live.case_desk
        assert QApplication.focusWidget() is live.note_pane.entry
        assert _typed(live) == ("Gregory Haines", "Reversed", "AUTH-5512", "Reviewer will")
