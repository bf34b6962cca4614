"""Sealing and signing from the window, the preview, the records view and addenda."""

from __future__ import annotations

import keyring
import pytest
from PySide6.QtCore import Qt

from p2pdesk.domain.call import Disposition
from p2pdesk.services.desk import Desk
from tests.gui.keys import press, type_text

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


pytestmark = pytest.mark.usefixtures("memory_keyring")


@pytest.fixture
def ended(open_window, desk: Desk):  # noqa: ANN001, ANN201
    window = open_window(desk, demo=True)
    press(window, Qt.Key.Key_S, CTRL | SHIFT)
    call_id = window.call.id
    desk.set_reviewer(call_id, "Gregory Haines", "MD", "Family Medicine")
    desk.add_note(call_id, "reviewer_claim", "Wants a sulfasalazine trial first")
    desk.set_disposition(call_id, Disposition.UPHELD, stated_reasoning="Policy requires SSZ regardless")
    press(window, Qt.Key.Key_E, CTRL | SHIFT)
    return window


def test_seal_and_sign_from_the_keyboard_then_preview(ended, desk: Desk, qtbot) -> None:  # noqa: ANN001
    window = ended
    assert window.act_seal.isEnabled()
    press(window, Qt.Key.Key_G, CTRL | SHIFT)
    qtbot.waitUntil(lambda: desk.store.records() != [], timeout=20_000)
    qtbot.waitUntil(
        lambda: window.record_desk.preview_dialog is not None and window.record_desk.preview_dialog.isVisible(),
        timeout=20_000,
    )
    (record,) = desk.store.records()
    assert desk.call(record.call_id).sealed_at is not None
    preview = window.record_desk.preview_dialog
    assert preview.document.pageCount() >= 1
    assert preview.verdict.text().startswith("VALID")
    assert "sealed and signed" in window.note_pane.info.text()
    assert not window.act_seal.isEnabled()
    assert "sealed" in window.note_pane.clock.text()
    preview.close()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    press(window, Qt.Key.Key_S, CTRL | SHIFT)  # the next call on the case says nothing of the last one's record
    assert window.call.id != record.call_id and window.call.in_progress
    assert window.note_pane.info.text() == "" and not window.note_pane.info.isVisible()


def test_records_view_shows_each_record_verified(ended, desk: Desk, qtbot) -> None:  # noqa: ANN001
    from p2pdesk.services.records import Records

    record = Records(desk).seal_and_sign(ended.call.id)
    press(ended, Qt.Key.Key_R, CTRL | SHIFT)
    view = ended.record_desk.view
    assert ended.stack.currentWidget() is view
    qtbot.waitUntil(lambda: view.verification(record.id) != "checking…", timeout=20_000)
    assert view.verification(record.id) == "valid"
    assert ended.act_export.isEnabled()
    # Billing tells one record from another by whose it is.
    assert view.tree.topLevelItem(0).text(2) == "Carmen Delgado · Lakeshore Health Plan · J1745"


def test_an_addendum_typed_after_sealing_makes_version_2(ended, desk: Desk, qtbot) -> None:  # noqa: ANN001
    press(ended, Qt.Key.Key_G, CTRL | SHIFT)
    qtbot.waitUntil(lambda: len(desk.store.records()) == 1, timeout=20_000)
    qtbot.waitUntil(lambda: ended.note_pane.entry.isEnabled(), timeout=5_000)
    assert "Addendum" in ended.note_pane.entry.placeholderText()
    type_text(ended.note_pane.entry, "Written denial received 2026-11-26")
    press(ended.note_pane.entry, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(desk.store.records()) == 2, timeout=20_000)
    qtbot.waitUntil(lambda: "version 2 sealed" in ended.note_pane.info.text(), timeout=20_000)
    first, second = desk.store.records()
    assert (first.version, second.version) == (1, 2)
    assert desk.notes(second.call_id)[-1].text == "Written denial received 2026-11-26"
    assert desk.notes(second.call_id)[-1].addendum == 2


def test_a_refused_addendum_stays_in_the_entry_and_a_second_waits_for_the_first(ended, desk: Desk, qtbot) -> None:  # noqa: ANN001
    press(ended, Qt.Key.Key_G, CTRL | SHIFT)
    qtbot.waitUntil(lambda: len(desk.store.records()) == 1, timeout=20_000)
    pane = ended.note_pane
    qtbot.waitUntil(lambda: pane.entry.isEnabled(), timeout=5_000)
    too_long = "Fax from the plan: " + "y" * 10_000
    pane.entry.setText(too_long)
    press(pane.entry, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: pane.status.isVisible() and not pane.entry.isReadOnly(), timeout=20_000)
    assert "split it into several notes" in pane.status.text()
    assert pane.entry.text() == too_long  # refused: nothing lost
    assert len(desk.store.records()) == 1

    pane.entry.clear()
    type_text(pane.entry, "Written denial received 2026-11-26")
    press(pane.entry, Qt.Key.Key_Return)
    assert pane.entry.isReadOnly() and pane.entry.text() == "Written denial received 2026-11-26"  # being signed
    press(pane.entry, Qt.Key.Key_Return)  # Enter again at once: not a second version of the same text
    assert "still being signed" in pane.status.text()
    qtbot.waitUntil(lambda: not pane.entry.isReadOnly(), timeout=20_000)
    assert pane.entry.text() == ""
    type_text(pane.entry, "Peer-to-peer reviewer called back")
    press(pane.entry, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(desk.store.records()) == 3, timeout=20_000)
    assert [r.version for r in desk.store.records()] == [1, 2, 3]
    assert [n.text for n in desk.notes(ended.call.id) if n.addendum] == [
        "Written denial received 2026-11-26",
        "Peer-to-peer reviewer called back",
    ]


def test_an_addendum_stored_without_an_answer_then_added_to_is_not_stored_twice(
    ended,  # noqa: ANN001
    desk: Desk,
    qtbot,  # noqa: ANN001
    monkeypatch,  # noqa: ANN001
) -> None:
    """The addendum is stored and signed, but the window is told the database failed (its check
    of the new version could not be read): the text stays. The physician adds to it and presses
    Enter: the stored one is found and listed, the entry is left as typed and said so, and only
    a further Enter makes the longer text a version of its own."""
    from p2pdesk.domain.errors import StoreUnavailable
    from p2pdesk.services.records import Records

    press(ended, Qt.Key.Key_G, CTRL | SHIFT)
    qtbot.waitUntil(lambda: len(desk.store.records()) == 1, timeout=20_000)
    pane = ended.note_pane
    qtbot.waitUntil(lambda: pane.entry.isEnabled(), timeout=5_000)
    checked = Records.verify_stored

    def unanswered(self, record_id: int):  # noqa: ANN001, ANN202
        monkeypatch.setattr(Records, "verify_stored", checked)
        raise StoreUnavailable("The database cannot be written: the connection was lost")

    monkeypatch.setattr(Records, "verify_stored", unanswered)
    type_text(pane.entry, "Written denial received")
    press(pane.entry, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not pane.entry.isReadOnly(), timeout=20_000)
    assert len(desk.store.records()) == 2 and pane.entry.text() == "Written denial received"
    type_text(pane.entry, " 2026-11-26")
    press(pane.entry, Qt.Key.Key_Return)
    assert len(desk.store.records()) == 2
    assert pane.entry.text() == "Written denial received 2026-11-26"
    assert pane.info.text().startswith("A note sent before was stored after all: it is listed.")
    assert pane.notes.toPlainText().count("Written denial received") == 1
    press(pane.entry, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(desk.store.records()) == 3, timeout=20_000)
    assert [n.text for n in desk.notes(ended.call.id) if n.addendum] == [
        "Written denial received",
        "Written denial received 2026-11-26",
    ]


def test_without_a_secure_keyring_the_window_says_how_to_fix_it(ended, desk: Desk, qtbot) -> None:  # noqa: ANN001
    from keyring.backends import fail

    keyring.set_keyring(fail.Keyring())
    press(ended, Qt.Key.Key_G, CTRL | SHIFT)
    qtbot.waitUntil(lambda: ended.note_pane.status.isVisible(), timeout=20_000)
    assert "No secure keyring is available" in ended.note_pane.status.text()
    assert desk.store.records() == []
    assert desk.call(ended.call.id).sealed_at is None
    assert ended.act_seal.isEnabled()


def test_follow_ups_after_sealing_are_listed_and_marked_done(ended, desk: Desk, qtbot, clock) -> None:  # noqa: ANN001
    from p2pdesk.services.records import Records

    call_id = ended.call.id  # upheld: the written reasoning and the appeal are what follow
    Records(desk).seal_and_sign(call_id)
    items = desk.follow_ups()
    assert [i.what for i in items][:2] == [
        "Specific clinical reasoning received in writing (final adverse determination)",
        "Written internal appeal filed, with this record attached",
    ]
    press(ended, Qt.Key.Key_U, CTRL | SHIFT)
    view = ended.follow_ups_view
    assert ended.stack.currentWidget() is view and view.tree.topLevelItemCount() == 2
    type_text(view.how, "   ")  # only spaces: refused, and said where it can be read
    press(view.how, Qt.Key.Key_Return)
    assert view.problem.isVisible() and "empty" in view.problem.text(), view.problem.text()
    view.how.clear()
    type_text(view.how, "Letter received by fax 2026-11-21")
    press(view.how, Qt.Key.Key_Return)
    assert not view.problem.isVisible()
    done = [i for i in desk.follow_ups(open_only=False) if i.done]
    assert len(done) == 1 and done[0].done_how == "Letter received by fax 2026-11-21" and done[0].done_at == clock.now
    assert view.tree.topLevelItemCount() == 1


def test_appeal_packet_from_the_window(ended, desk: Desk, qtbot, tmp_path) -> None:  # noqa: ANN001
    from pypdf import PdfReader

    from p2pdesk.services.records import Records

    Records(desk).seal_and_sign(ended.call.id)
    ended.open_call(ended.case.id, ended.call.id)
    bad = tmp_path / "records.txt"
    bad.write_text("not a pdf", encoding="utf-8")
    refused = tmp_path / "refused.pdf"
    ended.write_packet(refused, [bad])
    qtbot.waitUntil(lambda: "Packet not written" in ended.note_pane.status.text(), timeout=20_000)
    assert "attachment records.txt: is not a valid PDF" in ended.note_pane.status.text() and not refused.exists()
    out = tmp_path / "packet.pdf"
    ended.write_packet(out, [])
    qtbot.waitUntil(lambda: out.exists() and "Appeal packet written" in ended.note_pane.info.text(), timeout=20_000)
    assert [item.title for item in PdfReader(out).outline][:2] == ["Cover sheet", "Appeal letter and reviewers"]


def test_follow_ups_due_are_listed_on_the_home_view(ended, desk: Desk, clock) -> None:  # noqa: ANN001
    from p2pdesk.domain.call import Disposition
    from p2pdesk.services.records import Records

    call = desk.start_call(ended.case.id)
    desk.set_disposition(call.id, Disposition.REVERSED, authorization_number="AUTH-7")
    desk.end_call(call.id)
    Records(desk).seal_and_sign(call.id)
    clock.advance(3 * 86400)  # past the 24 h and 48 h follow-ups
    ended.show_home()
    shown = ended.home.follow_ups_due.text()
    assert "OVERDUE: Written confirmation of the reversal received" in shown
    assert "OVERDUE: Authorization AUTH-7 visible in the plan's system" in shown


def test_an_addendum_from_the_keyboard_right_after_sealing(ended, desk: Desk, qtbot) -> None:  # noqa: ANN001
    from PySide6.QtWidgets import QApplication

    from tests.gui.keys import type_into_focus

    window = ended
    call_id = window.call.id
    press(window, Qt.Key.Key_L, CTRL)  # ended, not sealed: says what to do first
    assert "seal it (Ctrl+Shift+G), then type dated addenda" in window.note_pane.status.text()
    press(window, Qt.Key.Key_G, CTRL | SHIFT)
    qtbot.waitUntil(lambda: window.record_desk.preview_dialog is not None, timeout=20_000)
    qtbot.waitUntil(lambda: window.call.sealed_at is not None, timeout=20_000)
    assert window.isActiveWindow()  # the preview opened beside the desk, which keeps the keys
    assert not window.note_pane.status.isVisible()  # "seal it first" no longer stands
    press(QApplication.focusWidget() or window, Qt.Key.Key_L, CTRL)
    assert QApplication.focusWidget() is window.note_pane.entry
    press(window, Qt.Key.Key_3, CTRL)  # information requested
    type_into_focus("Fax with the 2019 ED note sent 16:40")
    press(window.note_pane.entry, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(desk.store.records()) == 2, timeout=20_000)
    added = desk.notes(call_id)[-1]
    assert (added.text, added.addendum) == ("Fax with the 2019 ED note sent 16:40", 2)
    qtbot.waitUntil(lambda: "addendum (version 2)" in window.note_pane.note_lines()[-1], timeout=20_000)
    assert "Fax with the 2019 ED note sent 16:40" in window.note_pane.note_lines()[-1]
    qtbot.waitUntil(lambda: "Record version 2 sealed" in window.note_pane.info.text(), timeout=20_000)
    assert QApplication.focusWidget() is window.note_pane.entry  # ready for the next addendum


def test_a_follow_up_done_at_another_desk_leaves_the_list_when_refused(ended, desk: Desk) -> None:  # noqa: ANN001
    from p2pdesk.services.records import Records

    Records(desk).seal_and_sign(ended.call.id)
    press(ended, Qt.Key.Key_U, CTRL | SHIFT)
    view = ended.follow_ups_view
    assert view.tree.topLevelItemCount() == 2
    first = desk.follow_ups()[0]
    desk.complete_follow_up(first.id, "Fax confirmation #111")  # at the front office, meanwhile
    type_text(view.how, "Portal reference 222")
    press(view.how, Qt.Key.Key_Return)
    assert "already marked done" in view.problem.text() and view.problem.isVisible()
    assert view.tree.topLevelItemCount() == 1  # the list no longer offers it
    assert view.problem.text().endswith("What was typed for it, not filed on another: “Portal reference 222”")
    assert view.how.text() == ""  # not offered to the other one
    press(view.how, Qt.Key.Key_Return)
    press(view.tree, Qt.Key.Key_Down)
    press(view.how, Qt.Key.Key_Return)
    done = [i for i in desk.follow_ups(open_only=False) if i.done]
    assert [i.done_how for i in done] == ["Fax confirmation #111"]


def test_an_addendum_typed_but_not_entered_stays_with_its_call(ended, desk: Desk, qtbot, _no_modal_dialogs) -> None:  # noqa: ANN001
    """Typed on one call's record and left for another case, it is not filed on the other's call:
    it is put back when its call is opened again, and quitting names it."""
    import json

    from tests.conftest import DEMO

    sealed = ended.call.id
    press(ended, Qt.Key.Key_G, CTRL | SHIFT)
    qtbot.waitUntil(lambda: ended.note_pane.entry.isEnabled(), timeout=20_000)
    press(ended, Qt.Key.Key_3, CTRL)  # as information requested
    type_text(ended.note_pane.entry, "Written denial received")  # not entered yet
    data = json.loads(DEMO.read_text(encoding="utf-8"))
    data["coverage"]["member_id"] = "M-OTHER"
    other = desk.import_case(json.dumps(data))
    ended.open_case(other)
    assert ended.note_pane.entry.text() == ""
    press(ended, Qt.Key.Key_S, CTRL | SHIFT)  # a call on the other case
    assert ended.call.case_id == other and ended.note_pane.entry.text() == ""
    press(ended.note_pane.entry, Qt.Key.Key_Return)
    assert desk.notes(ended.call.id) == []
    assert ended.note_pane.unsaved_elsewhere() == [f"note typed on call {sealed} (case #1)"]
    press(ended, Qt.Key.Key_Q, CTRL)  # quitting names it (answered No: the window stays)
    assert _no_modal_dialogs[-1][0] == "question"
    assert f"the note typed on call {sealed} (case #1)" in _no_modal_dialogs[-1][1]
    assert ended.note_pane.current_kind().value == "reviewer_claim"  # a call's own first kind, not the addendum's
    type_text(ended.note_pane.entry, "Reviewer will call back")
    press(ended.note_pane.entry, Qt.Key.Key_Return)
    press(ended, Qt.Key.Key_E, CTRL | SHIFT)
    ended.open_call(desk.case(desk.call(sealed).case_id).id, sealed)
    assert ended.note_pane.entry.text() == "Written denial received"
    assert ended.note_pane.current_kind().value == "info_requested"  # as it was typed
    assert [n.text for n in desk.notes(sealed)][-1] != "Written denial received"


def test_a_seal_finishing_while_the_case_is_edited_leaves_the_editor_where_it_is(ended, desk: Desk, qtbot) -> None:  # noqa: ANN001
    from PySide6.QtWidgets import QApplication

    from tests.gui.keys import type_into_focus

    call_id = ended.call.id
    press(ended, Qt.Key.Key_G, CTRL | SHIFT)
    press(ended, Qt.Key.Key_P, CTRL | SHIFT)  # on to the editor while the record is sealed and signed
    editor = ended.stack.currentWidget()
    assert editor is ended._editor
    qtbot.waitUntil(lambda: ended.call.sealed_at is not None, timeout=20_000)  # sealed: the desk was told
    assert ended.stack.currentWidget() is editor
    name = editor.fields["patient_name"]
    assert QApplication.focusWidget() is name
    name.selectAll()
    type_into_focus("Carmen Delgado-Ruiz")
    assert name.text() == "Carmen Delgado-Ruiz"
    assert [n.text for n in desk.notes(call_id) if n.addendum] == []
    assert len(desk.store.records()) == 1


def test_an_addendum_signed_while_another_call_is_shown_touches_only_its_own_call(
    open_window,  # noqa: ANN001
    desk: Desk,
    qtbot,  # noqa: ANN001
) -> None:
    """Enter on call A's addendum, then at once call B (its addendum typed before): B's entry is
    B's own (editable, its text kept); A's, once signed, is not put back anywhere."""
    from p2pdesk.services.records import Records
    from tests.gui.keys import type_into_focus

    case = desk.load_demo()
    a = desk.start_call(case).id
    desk.end_call(a)
    b = desk.start_call(case).id
    desk.end_call(b)
    for call_id in (a, b):
        Records(desk).seal_and_sign(call_id)
    window = open_window(desk, demo=True)
    window.open_call(case, b)
    press(window, Qt.Key.Key_L, CTRL)
    type_into_focus("B: pharmacy faxed the records")  # not entered
    window.open_call(case, a)
    assert window.note_pane.entry.text() == ""
    press(window, Qt.Key.Key_L, CTRL)
    type_into_focus("A: reviewer confirmed by phone")
    press(window.note_pane.entry, Qt.Key.Key_Return)  # signing starts
    window.open_call(case, b)
    entry = window.note_pane.entry
    assert entry.text() == "B: pharmacy faxed the records" and not entry.isReadOnly()
    qtbot.waitUntil(lambda: not window.record_desk.addendum_pending(), timeout=20_000)
    assert entry.text() == "B: pharmacy faxed the records" and not entry.isReadOnly()
    assert [n.text for n in desk.notes(a) if n.addendum] == ["A: reviewer confirmed by phone"]
    assert window.note_pane.unsaved_elsewhere() == []  # A's was signed: nothing of it is kept to put back
    window.open_call(case, a)
    assert window.note_pane.entry.text() == "" and not window.note_pane.entry.isReadOnly()


def test_how_a_follow_up_was_confirmed_stays_with_that_follow_up(ended, desk: Desk, qtbot, clock) -> None:  # noqa: ANN001
    from p2pdesk.services.records import Records

    Records(desk).seal_and_sign(ended.call.id)
    press(ended, Qt.Key.Key_U, CTRL | SHIFT)
    view = ended.follow_ups_view
    first, second = (i.id for i in desk.follow_ups())
    press(view.tree, Qt.Key.Key_Down)  # the second one
    view.how.setFocus()
    type_text(view.how, "Appeal filed on the portal, confirmation 88-1")
    press(view.how, Qt.Key.Key_Escape)  # back to the call, then the list again
    assert ended.stack.currentWidget() is ended.case_desk
    press(ended, Qt.Key.Key_U, CTRL | SHIFT)
    assert view.how.text() == "Appeal filed on the portal, confirmation 88-1"
    press(view.tree, Qt.Key.Key_Up)  # the first one: its own (empty) answer
    assert view.how.text() == ""
    press(view.tree, Qt.Key.Key_Down)
    press(view.how, Qt.Key.Key_Return)
    done = {i.id: i.done_how for i in desk.follow_ups(open_only=False) if i.done}
    assert done == {second: "Appeal filed on the portal, confirmation 88-1"}
    assert [i.id for i in desk.follow_ups()] == [first]


def test_an_export_says_where_it_went_or_why_not_on_the_records_view(
    ended, desk: Desk, qtbot, monkeypatch, tmp_path
) -> None:  # noqa: ANN001
    from PySide6.QtWidgets import QFileDialog

    from p2pdesk.services.records import Records

    Records(desk).seal_and_sign(ended.call.id)
    press(ended, Qt.Key.Key_R, CTRL | SHIFT)
    view = ended.record_desk.view
    (tmp_path / "a-file").write_text("not a folder", encoding="utf-8")
    target = {"path": str(tmp_path / "a-file" / "record.pdf")}
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (target["path"], "")))
    press(ended, Qt.Key.Key_E, CTRL)
    qtbot.waitUntil(lambda: view.message.isVisible(), timeout=20_000)
    assert view.message.text() == f"Record 1 not written to {target['path']}: File exists"
    target["path"] = str(tmp_path / "record.pdf")
    press(ended, Qt.Key.Key_E, CTRL)
    qtbot.waitUntil(lambda: view.message.text().startswith("Record 1 written to"), timeout=20_000)
    assert view.message.text() == f"Record 1 written to {tmp_path / 'record.pdf'}"
    assert (tmp_path / "record.pdf").read_bytes().startswith(b"%PDF")


def test_how_typed_for_a_follow_up_done_elsewhere_is_said_not_filed_on_another(ended, desk: Desk) -> None:  # noqa: ANN001
    from p2pdesk.services.records import Records

    Records(desk).seal_and_sign(ended.call.id)
    press(ended, Qt.Key.Key_U, CTRL | SHIFT)
    view = ended.follow_ups_view
    first, second = (i.id for i in desk.follow_ups())
    view.how.setFocus()
    type_text(view.how, "Portal reference 222")  # for the first
    press(view.how, Qt.Key.Key_Escape)
    desk.complete_follow_up(first, "Fax confirmation #111")  # at the front office, meanwhile
    press(ended, Qt.Key.Key_U, CTRL | SHIFT)
    assert view.how.text() == ""
    assert "“Portal reference 222”" in view.problem.text() and view.problem.isVisible()
    press(view.how, Qt.Key.Key_Return)  # Enter on the second, with nothing typed for it: refused
    assert [i.id for i in desk.follow_ups()] == [second]
