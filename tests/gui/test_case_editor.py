"""The case editor, driven from the keyboard, checked against what the database keeps."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from p2pdesk.services.desk import Desk
from tests.conftest import DEMO
from tests.gui.keys import press, type_into_focus, type_text

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def _editor(open_window, desk: Desk, case_id: int | None = None):  # noqa: ANN001, ANN202
    window = open_window(desk, case_id=case_id or desk.load_demo())
    press(window, Qt.Key.Key_P, CTRL | SHIFT)
    assert window.stack.currentWidget() is window.editor
    return window, window.editor


def _retype(widget, text: str) -> None:  # noqa: ANN001
    widget.window().editor.jump_to(widget.objectName())  # its tab to the front, the focus in it
    assert QApplication.focusWidget() is widget
    press(widget, Qt.Key.Key_A, CTRL)
    type_text(widget, text)
    press(widget, Qt.Key.Key_Return)


def test_edit_fields_and_a_table_row_from_the_keyboard(open_window, desk: Desk) -> None:  # noqa: ANN001
    window, editor = _editor(open_window, desk)
    case_id = window.case.id
    assert QApplication.focusWidget() is editor.fields["patient_name"]
    _retype(editor.fields["member_id"], "LHP-000-NEW")
    _retype(editor.fields["physician_specialty"], "Pediatric Rheumatology")
    assert desk.case(case_id).member_id == "LHP-000-NEW"
    assert desk.case(case_id).physician_specialty == "Pediatric Rheumatology"
    assert editor.status.text() == "All changes saved"

    # A new prior treatment, typed into the table: Ctrl+Return adds a row, Tab moves between cells.
    table = editor.tables["prior_treatments"]
    editor.tabs.setCurrentIndex(2)
    table.setFocus()
    press(table, Qt.Key.Key_Return, CTRL)
    assert table.rowCount() == 5 and table.currentRow() == 4
    for text in ("Leflunomide", "20 mg daily", "2026-01-05", "2026-03-01", "Hepatotoxicity (ALT 4x ULN)"):
        type_into_focus(text)
        press(QApplication.focusWidget(), Qt.Key.Key_Tab)
    treatments = desk.case(case_id).prior_treatments
    assert len(treatments) == 5
    added = treatments[-1]
    assert (added.therapy, added.dose, str(added.start), str(added.end), added.outcome) == (
        "Leflunomide",
        "20 mg daily",
        "2026-01-05",
        "2026-03-01",
        "Hepatotoxicity (ALT 4x ULN)",
    )
    # The window's brief shows the edit at once.
    assert "Leflunomide" in window.brief.toPlainText()


def test_undo_and_redo_are_saved_too(open_window, desk: Desk) -> None:  # noqa: ANN001
    window, editor = _editor(open_window, desk)
    case_id = window.case.id
    _retype(editor.fields["group_number"], "G-99999")
    assert desk.case(case_id).group_number == "G-99999"
    editor.fields["group_number"].clearFocus()
    editor.setFocus()
    press(editor, Qt.Key.Key_Z, CTRL)
    assert desk.case(case_id).group_number == "G-77120"
    assert editor.fields["group_number"].text() == "G-77120"
    press(editor, Qt.Key.Key_Z, CTRL | SHIFT)
    assert desk.case(case_id).group_number == "G-99999"


def test_bad_values_are_flagged_at_the_field_and_kept_unsaved(open_window, desk: Desk) -> None:  # noqa: ANN001
    window, editor = _editor(open_window, desk)
    case_id = window.case.id
    _retype(editor.fields["denial_date"], "2026-02-30")
    flag = editor.flags["denial_date"]
    assert flag.isVisibleTo(editor) and "is not a real date" in flag.text()
    assert editor.fields["denial_date"].text() == "2026-02-30"  # not dropped
    assert str(desk.case(case_id).denial_date) == "2026-11-18"  # not saved either

    bottom = editor.fields["bottom_line"]
    editor.jump_to("bottom_line")
    bottom.setPlainText(bottom.toPlainText() + " A fourth sentence is one too many.")
    assert editor.sentence_count.text() == "4/3 sentences"
    editor.fields["member_id"].setFocus()  # leaving the field commits it (a draft may be imperfect)
    assert desk.case(case_id).bottom_line.endswith("one too many.")
    assert "has 4 sentences" in editor.flags["bottom_line"].text()
    assert any("has 4 sentences" in editor.readiness_list.item(i).text() for i in range(editor.readiness_list.count()))
    # The refused date is still there, flagged, after other fields were edited and saved.
    _retype(editor.fields["group_number"], "G-55555")
    assert desk.case(case_id).group_number == "G-55555"
    assert editor.fields["denial_date"].text() == "2026-02-30"
    assert "is not a real date" in flag.text() and not flag.isHidden()  # (on a tab not in front now)
    _retype(editor.fields["denial_date"], "2026-11-17")
    assert str(desk.case(case_id).denial_date) == "2026-11-17" and flag.isHidden()


def test_readiness_lists_gaps_and_jumps_to_them(open_window, desk: Desk, qtbot) -> None:  # noqa: ANN001
    data = json.loads(DEMO.read_text(encoding="utf-8"))
    data["policy"]["criteria"][1].pop("patient_fact")
    data["diagnosis"]["code"] = "M05.7"
    case_id = desk.import_case(json.dumps(data))
    window, editor = _editor(open_window, desk, case_id)
    qtbot.waitUntil(lambda: "header code" in editor.flags["diagnosis_code"].text(), timeout=30_000)
    assert not editor.flags["diagnosis_code"].isHidden()
    fields = [item.field for item in editor.readiness_items()]
    assert fields == ["criteria[2].patient_fact", "diagnosis_code"]
    editor.tabs.setCurrentWidget(editor.readiness_list)
    editor.readiness_list.setCurrentRow(0)
    press(editor.readiness_list, Qt.Key.Key_Return)
    table = editor.tables["criteria"]
    assert QApplication.focusWidget() is table
    assert (table.currentRow(), table.currentColumn()) == (1, 1)


def test_home_view_shows_each_cases_readiness(open_window, desk: Desk) -> None:  # noqa: ANN001
    desk.load_demo()
    data = json.loads(DEMO.read_text(encoding="utf-8"))
    del data["consequence_of_denial"], data["guidelines"]
    data["coverage"]["claim_number"] += "-2"  # another denial of the same member
    desk.import_case(json.dumps(data))
    window = open_window(desk)
    tree = window.home.tree
    shown = {tree.topLevelItem(i).text(0).split()[0]: tree.topLevelItem(i).text(6) for i in range(2)}
    assert shown == {"#1": "ready", "#2": "2 to fix"}


def test_scheduling_log_and_the_demand_after_two_failures(open_window, desk: Desk, tmp_path) -> None:  # noqa: ANN001
    window, editor = _editor(open_window, desk)
    case_id = window.case.id
    editor.tabs.setCurrentIndex([editor.tabs.tabText(i) for i in range(editor.tabs.count())].index("Scheduling"))
    for reference in ("REF-1", "REF-2"):
        editor.attempt_reference.setFocus()
        type_text(editor.attempt_reference, reference)
        type_text(editor.attempt_hold, "40")
        press(editor.attempt_reference, Qt.Key.Key_Return)
    assert [a.reference for a in desk.attempts(case_id)] == ["REF-1", "REF-2"]
    assert [a.hold_minutes for a in desk.attempts(case_id)] == [40, 40]
    assert editor.attempts.rowCount() == 2 and editor.demand_button.isEnabled()
    out = tmp_path / "demand.pdf"
    window.write_demand(out)
    assert out.read_bytes().startswith(b"%PDF")
    assert "REF-2, on hold 40 min" in out.with_suffix(".txt").read_text(encoding="utf-8")
    type_text(editor.attempt_hold, "forty")
    press(editor.attempt_hold, Qt.Key.Key_Return)
    assert "hold time: 'forty' is not a number of minutes" in editor.status.text()
    assert len(desk.attempts(case_id)) == 2


def test_an_urgent_request_is_marked_from_the_keyboard_and_shown_on_the_brief(open_window, desk: Desk) -> None:  # noqa: ANN001
    window, editor = _editor(open_window, desk)
    case_id = window.case.id
    box = editor.fields["urgent"]
    editor.jump_to("urgent")
    assert QApplication.focusWidget() is box and not box.isChecked()
    # The desk's clock reads Friday 2026-11-20 15:00 UTC: the next two business days end Tuesday.
    assert "on or before Tue 2026-11-24 (the next two business days" in editor.offer_hint.text()
    assert "Urgent" not in editor.offer_hint.text()
    press(box, Qt.Key.Key_Space)
    assert desk.case(case_id).urgent is True
    assert "URGENT request: expedited clock" in window.brief.toPlainText()
    assert "Urgent request: one of them before Sat 2026-11-21" in editor.offer_hint.text()
    editor.setFocus()
    press(editor, Qt.Key.Key_Z, CTRL)
    assert desk.case(case_id).urgent is False and not box.isChecked()
    assert "URGENT" not in window.brief.toPlainText() and "Urgent" not in editor.offer_hint.text()
    exported = json.loads(desk.export_case(case_id))
    assert "urgent" not in exported["service"]


def test_the_appeal_date_moves_the_case_to_the_appeal_stage(open_window, desk: Desk) -> None:  # noqa: ANN001
    window, editor = _editor(open_window, desk)
    case_id = window.case.id
    _retype(editor.fields["appeal_filed_on"], "2026-11-24")
    assert str(desk.case(case_id).appeal_filed_on) == "2026-11-24"
    assert "appeal filed 2026-11-24" in window.brief.toPlainText()
    # The demo is a Texas state-regulated plan: on appeal, the script cites the Texas appeal rule.
    assert "Tex. Ins. Code § 4201.356(b)" in window.script.page_text("specialty")
    # Before the denial: kept as typed (a draft may be imperfect) and listed as a gap to fix.
    _retype(editor.fields["appeal_filed_on"], "2026-11-01")
    gaps = [editor.readiness_list.item(i) for i in range(editor.readiness_list.count())]
    (gap,) = [g for g in gaps if "before the denial it appeals" in g.text()]
    assert gap.text() == "Missing: appeal filed on: 2026-11-01 is before the denial it appeals (2026-11-18)"
    editor.jump_to(gap.data(Qt.ItemDataRole.UserRole))
    assert QApplication.focusWidget() is editor.fields["appeal_filed_on"]


def test_an_external_review_request_stops_its_clock_and_shows_on_the_brief(open_window, desk: Desk) -> None:  # noqa: ANN001
    window, editor = _editor(open_window, desk)
    case_id = window.case.id

    def next_clock() -> str:  # the home view's "next deadline" for the case
        window.show_home()
        tree = window.home.tree
        (row,) = [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())]  # the demo case alone
        assert row.text(0).startswith(f"#{case_id}")
        return row.text(7)

    _retype(editor.fields["appeal_filed_on"], "2026-11-24")
    _retype(editor.fields["final_denial_date"], "2026-11-25")
    assert next_clock() == "2027-03-25 23:59 · Request external review"  # 4 months after the final denial
    window.open_case(case_id)
    press(window, Qt.Key.Key_P, CTRL | SHIFT)
    _retype(window.editor.fields["external_review_requested_on"], "2026-11-25")
    assert str(desk.case(case_id).external_review_requested_on) == "2026-11-25"
    assert "external review requested 2026-11-25" in window.brief.toPlainText()
    assert "external review" not in next_clock()


def test_the_offer_window_follows_the_day_and_goes_once_the_case_is_past_the_p2p(
    open_window,
    desk: Desk,
    clock,  # noqa: ANN001
) -> None:
    window, editor = _editor(open_window, desk)
    scheduling = [editor.tabs.tabText(i) for i in range(editor.tabs.count())].index("Scheduling")
    editor.tabs.setCurrentIndex(scheduling)
    assert "on or before Tue 2026-11-24" in editor.offer_hint.text()  # from Friday 2026-11-20
    clock.advance(4 * 24 * 3600)  # the editor stays open over the weekend: Tuesday 2026-11-24
    editor.tabs.setCurrentIndex(0)
    editor.tabs.setCurrentIndex(scheduling)
    assert "on or before Fri 2026-11-27" in editor.offer_hint.text()  # Thanksgiving skipped
    _retype(editor.fields["appeal_filed_on"], "2026-11-24")
    assert editor.offer_hint.text() == "" and editor.offer_hint.isHidden()


def test_codes_and_the_state_are_kept_in_capitals(open_window, desk: Desk) -> None:  # noqa: ANN001
    window, editor = _editor(open_window, desk)
    case_id = window.case.id
    _retype(editor.fields["diagnosis_code"], "m05.79")
    _retype(editor.fields["state"], "oh")
    case = desk.case(case_id)
    assert (case.diagnosis_code, case.state) == ("M05.79", "OH")  # as an imported case file has them
    assert editor.fields["state"].text() == "OH"


def test_a_refused_table_cell_stays_as_typed_while_other_fields_are_saved(open_window, desk: Desk) -> None:  # noqa: ANN001
    window, editor = _editor(open_window, desk)
    case_id = window.case.id
    table = editor.tables["prior_treatments"]
    start = table.property("columns").index("start")
    editor.tabs.setCurrentIndex(2)
    saved = desk.case(case_id).prior_treatments[0].start
    table.item(0, start).setText("2026-02-30")  # as if typed into the cell
    assert "not a real date" in editor.status.text()
    assert desk.case(case_id).prior_treatments[0].start == saved  # refused: what was stored stays
    # Another field edited and saved: the refused cell keeps what was typed.
    _retype(editor.fields["group_number"], "G-55555")
    assert desk.case(case_id).group_number == "G-55555"
    assert table.item(0, start).text() == "2026-02-30"
    assert desk.case(case_id).prior_treatments[0].start == saved
    # Corrected, it is saved.
    table.item(0, start).setText("2026-02-28")
    assert str(desk.case(case_id).prior_treatments[0].start) == "2026-02-28"
    assert editor.status.text() == "All changes saved"


def test_a_value_the_store_refuses_stays_flagged_and_later_edits_are_saved(open_window, desk: Desk) -> None:  # noqa: ANN001
    window, editor = _editor(open_window, desk)
    case_id = window.case.id
    _retype(editor.fields["state"], "TEXAS")  # not a two-letter state: the store refuses the save
    assert "Not saved" in editor.status.text() and "state" in editor.status.text()
    assert desk.case(case_id).state == "TX"
    _retype(editor.fields["group_number"], "G-55555")  # another field: saved, although the state is still wrong
    _retype(editor.fields["payer"], "Lakeshore Health")
    kept = desk.case(case_id)
    assert (kept.group_number, kept.payer, kept.state) == ("G-55555", "Lakeshore Health", "TX")
    assert editor.fields["state"].text() == "TEXAS" and not editor.flags["state"].isHidden()  # as typed, flagged
    _retype(editor.fields["state"], "TX")  # put back: nothing refused any more
    assert editor.flags["state"].isHidden()


def test_the_editor_key_on_home_opens_the_case_chosen_there(open_window, desk: Desk) -> None:  # noqa: ANN001
    first = desk.load_demo()
    data = json.loads(DEMO.read_text(encoding="utf-8"))
    data["patient"]["name"], data["coverage"]["member_id"] = "Ana Ruiz", "LHP-2"
    second = desk.import_case(json.dumps(data))
    window = open_window(desk, case_id=first)
    press(window, Qt.Key.Key_H, CTRL)
    window.home.focus_list()
    for _ in range(6):  # down the list to the second case
        if window.home.selected_case_id() == second:
            break
        press(window.home.tree, Qt.Key.Key_Down)
    assert window.home.selected_case_id() == second
    press(window, Qt.Key.Key_P, CTRL | SHIFT)
    assert window.stack.currentWidget() is window.editor
    assert window.editor.case.id == second and window.editor.fields["patient_name"].text() == "Ana Ruiz"
    assert window.case.id == second  # the window's case too: the brief, letters and log are this case's


def test_leaving_the_editor_mid_edit_shows_the_new_value_on_home(open_window, desk: Desk) -> None:  # noqa: ANN001
    window, editor = _editor(open_window, desk)
    name = editor.fields["patient_name"]
    editor.jump_to("patient_name")
    press(name, Qt.Key.Key_A, CTRL)
    type_text(name, "Carmen Delgado-Ruiz")  # no Enter: straight to Home
    press(window, Qt.Key.Key_H, CTRL)
    assert desk.case(window.case.id).patient_name == "Carmen Delgado-Ruiz"
    assert "Delgado-Ruiz" in window.home.tree.topLevelItem(0).text(0), window.home.tree.topLevelItem(0).text(0)


def test_a_table_cell_the_store_refuses_is_still_said_after_other_saves(open_window, desk: Desk) -> None:  # noqa: ANN001
    window, editor = _editor(open_window, desk)
    case_id = window.case.id
    table = editor.tables["guidelines"]
    year = table.property("columns").index("year")
    kept = desk.case(case_id).guidelines[0].year
    table.item(0, year).setText("2200")  # a whole number, but past what a case file holds: the store refuses
    assert desk.case(case_id).guidelines[0].year == kept
    assert "Guidelines row 1, Year" in editor.status.text(), editor.status.text()  # rows counted as shown
    _retype(editor.fields["payer"], "Lakeshore Health")
    assert desk.case(case_id).payer == "Lakeshore Health"
    assert editor.status.text() == "Other changes saved; not saved until corrected: Guidelines"
    assert table.item(0, year).text() == "2200"
    table.item(0, year).setText("2021")
    assert desk.case(case_id).guidelines[0].year == 2021 and editor.status.text() == "All changes saved"


def test_leaving_with_a_refused_value_on_screen_asks_first(open_window, desk: Desk, monkeypatch) -> None:  # noqa: ANN001
    from PySide6.QtWidgets import QMessageBox

    window, editor = _editor(open_window, desk)
    _retype(editor.fields["state"], "TEXAS")  # refused by the store: on screen, not saved
    asked: list[str] = []

    def answer(reply: QMessageBox.StandardButton):  # noqa: ANN202
        def question(_parent, _title, text, *_args, **_kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
            asked.append(text)
            return reply

        return staticmethod(question)

    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.No))
    press(window, Qt.Key.Key_H, CTRL)
    assert window.stack.currentWidget() is editor and editor.fields["state"].text() == "TEXAS"
    assert asked and "Not saved, and lost if you leave the editor: State (two letters)" in asked[0]
    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.Yes))
    press(window, Qt.Key.Key_H, CTRL)
    assert window.stack.currentWidget() is window.home


def test_the_editor_key_in_the_editor_keeps_what_is_typed_and_what_was_refused(open_window, desk: Desk) -> None:  # noqa: ANN001
    window, editor = _editor(open_window, desk)
    case_id = window.case.id
    _retype(editor.fields["denial_date"], "2026-02-30")  # refused, flagged, kept as typed
    name = editor.fields["patient_name"]
    editor.jump_to("patient_name")
    press(name, Qt.Key.Key_A, CTRL)
    type_text(name, "Carmen Delgado-Ruiz")  # not yet left nor entered
    press(window, Qt.Key.Key_P, CTRL | SHIFT)
    assert window.stack.currentWidget() is editor
    assert name.text() == "Carmen Delgado-Ruiz"
    assert editor.fields["denial_date"].text() == "2026-02-30"
    assert "is not a real date" in editor.flags["denial_date"].text()
    press(name, Qt.Key.Key_Return)
    assert desk.case(case_id).patient_name == "Carmen Delgado-Ruiz"


def test_enter_on_an_empty_attempt_logs_nothing_and_says_what_is_missing(open_window, desk: Desk) -> None:  # noqa: ANN001
    window, editor = _editor(open_window, desk)
    case_id = window.case.id
    editor.tabs.setCurrentIndex([editor.tabs.tabText(i) for i in range(editor.tabs.count())].index("Scheduling"))
    editor.attempt_whom.setFocus()
    press(editor.attempt_whom, Qt.Key.Key_Return)
    press(editor.attempt_whom, Qt.Key.Key_Return)
    assert desk.attempts(case_id) == [] and not editor.demand_button.isEnabled()
    assert "attempt: says nothing yet; give whom you reached" in editor.status.text()
    type_text(editor.attempt_hold, "5²")  # a digit to str.isdigit, not to int()
    press(editor.attempt_hold, Qt.Key.Key_Return)
    assert "hold time: '5²' is not a number of minutes" in editor.status.text()
    assert desk.attempts(case_id) == []


def test_a_year_or_a_date_not_written_as_asked_is_flagged_not_saved(open_window, desk: Desk) -> None:  # noqa: ANN001
    window, editor = _editor(open_window, desk)
    case_id = window.case.id
    _retype(editor.fields["denial_date"], "2026-W47")  # an ISO week Python would read as 2026-11-16
    assert "'2026-W47' is not a real date as YYYY-MM-DD" in editor.flags["denial_date"].text()
    assert str(desk.case(case_id).denial_date) == "2026-11-18"
    table = editor.tables["guidelines"]
    year = table.property("columns").index("year")
    table.item(0, year).setText("2021²")  # as if typed into the cell
    assert "'2021²' is not a year" in editor.status.text()
    assert desk.case(case_id).guidelines[0].year == 2021


def test_importing_from_the_editor_with_a_refused_value_asks_first_and_no_imports_nothing(
    open_window,  # noqa: ANN001
    desk: Desk,
    monkeypatch,  # noqa: ANN001
    tmp_path,  # noqa: ANN001
) -> None:
    import json

    from PySide6.QtWidgets import QFileDialog, QMessageBox

    from tests.conftest import DEMO

    window, editor = _editor(open_window, desk)
    _retype(editor.fields["patient_dob"], "1978-02-30")  # refused: on screen, not saved
    data = json.loads(DEMO.read_text(encoding="utf-8"))
    data["coverage"]["member_id"] = "M-OTHER"
    other = tmp_path / "other.case.json"
    other.write_text(json.dumps(data), encoding="utf-8")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(other), "")))
    asked: list[str] = []

    def reply(answer: QMessageBox.StandardButton):  # noqa: ANN202
        return staticmethod(lambda _parent, _title, text, *a, **k: asked.append(text) or answer)

    monkeypatch.setattr(QMessageBox, "question", reply(QMessageBox.StandardButton.No))
    press(window, Qt.Key.Key_O, CTRL)
    assert asked == ["Not saved, and lost if you leave the editor: Date of birth.\n\nLeave anyway?"]
    assert len(desk.cases()) == 1 and window.stack.currentWidget() is editor
    assert editor.fields["patient_dob"].text() == "1978-02-30"
    monkeypatch.setattr(QMessageBox, "question", reply(QMessageBox.StandardButton.Yes))
    press(window, Qt.Key.Key_O, CTRL)
    assert len(asked) == 2  # asked once more, not twice
    assert len(desk.cases()) == 2 and window.case.member_id == "M-OTHER"
    assert window.stack.currentWidget() is window.case_desk


def test_the_demand_asks_before_replacing_a_text_file_and_says_when_it_cannot_be_written(
    open_window,  # noqa: ANN001
    desk: Desk,
    monkeypatch,  # noqa: ANN001
    tmp_path,  # noqa: ANN001
) -> None:
    from PySide6.QtWidgets import QMessageBox

    window, editor = _editor(open_window, desk)
    for reference in ("REF-1", "REF-2"):
        desk.log_attempt(window.case.id, "failed", reference=reference)
    notes = tmp_path / "letter.txt"
    notes.write_text("MY OWN NOTES", encoding="utf-8")
    monkeypatch.setattr(QMessageBox, "question", staticmethod(lambda *a, **k: QMessageBox.StandardButton.No))
    window.write_demand(tmp_path / "letter.pdf")
    assert (tmp_path / "letter.pdf").read_bytes().startswith(b"%PDF")
    assert notes.read_text(encoding="utf-8") == "MY OWN NOTES"
    assert "its text not written: letter.txt kept as it was" in editor.status.text()
    window.write_demand(tmp_path / "no-such-folder" / "letter.pdf")
    assert (
        editor.status.text().startswith("Demand not written: ") and "No such file or directory" in editor.status.text()
    )


def test_the_brief_pdf_written_from_the_editor_says_so_there(open_window, desk: Desk, qtbot, tmp_path) -> None:  # noqa: ANN001
    window, editor = _editor(open_window, desk)
    window.write_brief(tmp_path / "brief.pdf")
    qtbot.waitUntil(lambda: "Brief written to" in editor.status.text(), timeout=20_000)
    assert (tmp_path / "brief.pdf").read_bytes().startswith(b"%PDF")


def test_a_row_without_its_required_cell_is_named_as_the_editor_shows_it(open_window, desk: Desk) -> None:  # noqa: ANN001
    window, editor = _editor(open_window, desk)
    case_id = window.case.id
    table = editor.tables["prior_treatments"]
    editor.tabs.setCurrentIndex(2)
    table.setFocus()
    press(table, Qt.Key.Key_Return, CTRL)  # a new row (the fifth)
    press(QApplication.focusWidget(), Qt.Key.Key_Tab)  # past Therapy, left empty
    type_into_focus("20 mg daily")
    press(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert "Prior treatments row 5, Therapy: " in editor.status.text(), editor.status.text()
    assert len(desk.case(case_id).prior_treatments) == 4


def test_undoing_another_cell_of_a_table_keeps_its_refused_cell_as_typed(open_window, desk: Desk) -> None:  # noqa: ANN001
    window, editor = _editor(open_window, desk)
    case_id = window.case.id
    table = editor.tables["guidelines"]
    title, year = (table.property("columns").index(c) for c in ("title", "year"))
    stored_title = desk.case(case_id).guidelines[0].title
    table.item(0, title).setText("ACR guideline, 2021 update")  # saved
    assert desk.case(case_id).guidelines[0].title == "ACR guideline, 2021 update"
    table.item(1, year).setText("2O22")  # a letter O: refused, flagged, kept as typed
    assert "not a year" in editor.status.text()
    editor.setFocus()
    press(editor, Qt.Key.Key_Z, CTRL)  # meant for the title
    assert desk.case(case_id).guidelines[0].title == stored_title
    assert table.item(0, title).text() == stored_title
    assert table.item(1, year).text() == "2O22" and "not a year" in table.item(1, year).toolTip()
    assert editor.unsaved_fields() == ["Guidelines"]
    assert desk.case(case_id).guidelines[1].year == 2022
