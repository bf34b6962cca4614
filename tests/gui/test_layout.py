"""The desk fits a 1366×768 laptop without scrolling, and works as a narrow column beside the EHR."""

from __future__ import annotations

from PySide6.QtCore import Qt

from p2pdesk.services.desk import Desk
from tests.gui.keys import press, type_text


def test_demo_brief_fits_without_scrolling_on_a_laptop(open_window, desk: Desk) -> None:  # noqa: ANN001
    # 1366×768 less a desktop panel and a title bar leaves about 1366×700 for the window.
    window = open_window(desk, demo=True, size=(1366, 700))
    assert window.case_desk.narrow is False
    assert window.width() == 1366 and window.height() == 700
    hint = window.minimumSizeHint()
    assert hint.width() <= 1366 and hint.height() <= 700
    assert window.brief.verticalScrollBar().maximum() == 0, "the brief needs scrolling"
    assert "If the denial stands" in window.brief.toPlainText()
    for key in window.script.keys:
        window.script.go_to(key)
        page = window.script.browser(window.script.currentIndex())
        assert page.isVisible() and page.verticalScrollBar().maximum() == 0, f"script step {key} needs scrolling"
    boxes = window.note_pane.criterion_boxes
    assert len(boxes) == 5
    for box in boxes:  # the checklist shows every criterion whole
        assert box.visibleRegion().boundingRect().size() == box.size(), f"{box.text()} needs scrolling"


def test_narrow_column_uses_tabs_and_keeps_every_action(open_window, desk: Desk) -> None:  # noqa: ANN001
    window = open_window(desk, demo=True, size=(520, 700))
    assert window.case_desk.narrow is True
    press(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    desk_view = window.case_desk
    assert desk_view.tab_bar.isVisible()
    assert desk_view.current_pane() is window.note_pane
    assert not window.brief.isVisible() and window.note_pane.isVisible()
    type_text(window.note_pane.entry, "typed in the narrow column")
    press(window.note_pane.entry, Qt.Key.Key_Return)
    press(window, Qt.Key.Key_1, Qt.KeyboardModifier.AltModifier)
    assert desk_view.current_pane() is window.brief and window.brief.isVisible()
    press(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert desk_view.current_pane() is window.note_pane
    assert [n.text for n in desk.notes(window.call.id)] == ["typed in the narrow column"]


def _reviewer_on_a_case(open_window, desk: Desk, change, name: str, specialty: str):  # noqa: ANN001, ANN202
    """A window on the demo case as ``change`` makes it (its case file as a dict), a call started
    and this reviewer put on the record from the keyboard."""
    import json

    from tests.conftest import DEMO

    data = json.loads(DEMO.read_text(encoding="utf-8"))
    change(data)
    window = open_window(desk, case_id=desk.import_case(json.dumps(data)))
    window.act_start.trigger()
    window.note_pane.reviewer_name.setText(name)
    window.note_pane.reviewer_specialty.setText(specialty)
    press(window.note_pane.reviewer_specialty, Qt.Key.Key_Return)
    return window


def test_mismatched_reviewer_specialty_opens_the_specialty_prompt(open_window, desk: Desk) -> None:  # noqa: ANN001
    # A District of Columbia state-regulated plan: denials are decided by a physician of the same or
    # a similar specialty.
    from p2pdesk.domain.call import NoteKind

    window = _reviewer_on_a_case(
        open_window,
        desk,
        lambda data: data["coverage"].update(state="DC"),
        "Gregory Haines",
        "Obstetrics and Gynecology",
    )
    assert window.script.keys[window.script.currentIndex()] == "specialty"
    page = window.script.page_text("specialty")
    assert "Reviewer's specialty (Obstetrics and Gynecology) is not the case's (Rheumatology)." in page
    assert "Under D.C. Code § 31-3875.06, this decision is made by a physician in the same" in page
    assert "deferred to a reviewer in Rheumatology" in page
    assert "Rule: D.C. Code § 31-3875.06" in page and "not legal advice" in page
    assert window.script.title("specialty").endswith("⚠")
    procedural = [n for n in desk.notes(window.call.id) if n.kind is NoteKind.PROCEDURAL]
    assert [n.text for n in procedural] == [
        "Reviewer specialty mismatch: the reviewer's specialty (Obstetrics and Gynecology) is not the case's "
        "(Rheumatology); same-specialty review requested under D.C. Code § 31-3875.06"
    ]
    assert "Objection: Reviewer specialty mismatch" in window.note_pane.note_lines()[-1]


def test_where_no_rule_requires_it_the_script_only_requests(open_window, desk: Desk) -> None:  # noqa: ANN001
    window = open_window(desk, demo=True)  # Texas, after the denial: no same-specialty rule at this stage
    window.act_start.trigger()
    window.note_pane.reviewer_specialty.setText("Family Medicine")
    press(window.note_pane.reviewer_specialty, Qt.Key.Key_Return)
    page = window.script.page_text("specialty")
    assert "No rule on file for this plan, state and stage requires a reviewer of the same specialty." in page
    assert "As a request: I ask that a physician in Rheumatology decide this case" in page
    assert "No rule on file for this plan, state and stage." in page


def test_a_pediatrician_reviewing_a_pediatric_gastroenterology_case_opens_the_specialty_prompt(
    open_window, desk: Desk
) -> None:  # noqa: ANN001
    window = _reviewer_on_a_case(
        open_window,
        desk,
        lambda data: data["physician"].update(specialty="Pediatric Gastroenterology"),
        "Dana Whitfield",
        "Pediatrics",
    )
    assert window.script.keys[window.script.currentIndex()] == "specialty"
    assert "ask for Pediatric Gastroenterology" in window.script.page_text("specialty")


def test_home_fits_the_narrow_column_beside_the_ehr(open_window, desk: Desk) -> None:  # noqa: ANN001
    desk.load_demo()
    window = open_window(desk, size=(520, 740))
    assert window.stack.currentWidget() is window.home
    assert window.width() == 520  # its title wraps instead of holding the window at 658 px


def test_prior_treatment_dates_are_muted_and_nothing_in_the_brief_is_italic(open_window, desk: Desk) -> None:  # noqa: ANN001
    # Italics would need a third face of the font for the first frame (see p2pdesk.ui.richtext).
    window = open_window(desk, demo=True, size=(1366, 700))
    dates, italic = [], []
    block = window.brief.document().begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fragment = it.fragment()
            if fragment.charFormat().fontItalic():
                italic.append(fragment.text())
            if "→ ongoing" in fragment.text():
                dates.append((fragment.text(), fragment.charFormat().foreground().color().name()))
            it += 1
        block = block.next()
    assert italic == []
    assert ("(2026-07-29 → ongoing)", "#555555") in dates
