"""A whole call driven from the keyboard, checked against what the database keeps."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from p2pdesk.domain.call import Disposition, NoteKind
from p2pdesk.services.desk import Desk
from tests.gui.keys import press, type_text

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def _focused():  # noqa: ANN202
    return QApplication.focusWidget()


def test_whole_call_from_the_keyboard(open_window, desk: Desk, clock) -> None:  # noqa: ANN001
    desk.load_demo()
    window = open_window(desk)

    # Home view: the demo case is listed and selected; Enter opens it.
    assert window.stack.currentWidget() is window.home
    assert "Carmen Delgado" in window.home.tree.topLevelItem(0).text(0)
    press(window.home.tree, Qt.Key.Key_Return)
    assert window.stack.currentWidget() is window.case_desk
    assert "M05.79" in window.brief.toPlainText()

    # Start the call: focus lands in the note entry.
    press(window, Qt.Key.Key_S, CTRL | SHIFT)
    call = desk.call_in_progress()
    assert call is not None
    assert _focused() is window.note_pane.entry

    # Reviewer on the record: Ctrl+R, three fields, Enter.
    clock.advance(40)
    press(window, Qt.Key.Key_R, CTRL)
    assert _focused() is window.note_pane.reviewer_name
    type_text(_focused(), "Gregory Haines")
    press(_focused(), Qt.Key.Key_Tab)
    type_text(_focused(), "MD")
    press(_focused(), Qt.Key.Key_Tab)
    type_text(_focused(), "Rheumatology")
    press(_focused(), Qt.Key.Key_Return)
    assert _focused() is window.note_pane.entry

    # Notes of several kinds, each chosen with Ctrl+N and committed with Enter.
    entries = [
        (
            Qt.Key.Key_1,
            NoteKind.REVIEWER_CLAIM,
            "Policy requires a sulfasalazine trial regardless of allergy",
        ),
        (
            Qt.Key.Key_2,
            NoteKind.OUR_POINT,
            "RX-104 accepts a contraindication; angioedema 2019 on allergy list",
        ),
        (Qt.Key.Key_3, NoteKind.INFO_REQUESTED, "Wants the 2019 ED note documenting angioedema"),
        (Qt.Key.Key_4, NoteKind.PROCEDURAL, "Refused to look at the EULAR 2022 recommendation"),
    ]
    for key, kind, text in entries:
        clock.advance(30)
        press(window, key, CTRL)
        assert window.note_pane.current_kind() is kind
        type_text(window.note_pane.entry, text)
        press(window.note_pane.entry, Qt.Key.Key_Return)
        assert window.note_pane.entry.text() == ""

    # Tick criterion 3 from the keyboard: Ctrl+K, Tab twice, Space.
    clock.advance(20)
    boxes = window.note_pane.criterion_boxes
    press(window, Qt.Key.Key_K, CTRL)
    assert _focused() is boxes[0]
    press(_focused(), Qt.Key.Key_Tab)
    press(_focused(), Qt.Key.Key_Tab)
    assert _focused() is boxes[2]
    press(_focused(), Qt.Key.Key_Space)
    assert boxes[2].isChecked()
    assert _focused() is window.note_pane.entry  # the next key is the next note

    # Disposition: Ctrl+D, Down to "Reversed", Tab to the authorization number, Enter.
    clock.advance(60)
    press(window, Qt.Key.Key_D, CTRL)
    assert _focused() is window.note_pane.disposition
    press(window.note_pane.disposition, Qt.Key.Key_Down)
    assert window.note_pane.disposition.currentData() == "reversed"
    press(_focused(), Qt.Key.Key_Tab)
    assert _focused() is window.note_pane.authorization
    type_text(_focused(), "AUTH-88213")
    press(_focused(), Qt.Key.Key_Return)

    # End the call.
    clock.advance(15)
    press(window, Qt.Key.Key_E, CTRL | SHIFT)
    assert desk.call_in_progress() is None
    assert "Call ended" in window.note_pane.clock.text()
    assert not window.note_pane.entry.isEnabled()

    # What the database keeps.
    kept = desk.call(call.id)
    assert (kept.reviewer_name, kept.reviewer_credentials, kept.reviewer_specialty) == (
        "Gregory Haines",
        "MD",
        "Rheumatology",
    )
    assert kept.disposition is Disposition.REVERSED
    assert kept.authorization_number == "AUTH-88213"
    assert kept.ended_at is not None and (kept.ended_at - kept.started_at).total_seconds() == 40 + 4 * 30 + 20 + 60 + 15
    notes = desk.notes(call.id)
    assert [(n.kind, n.text) for n in notes] == [
        (NoteKind.OTHER, "Reviewer on the record: Gregory Haines, MD (Rheumatology)"),
        *[(kind, text) for _, kind, text in entries],
        (
            NoteKind.OUR_POINT,
            "Criterion 3 addressed: Trial of a second conventional DMARD, including "
            "sulfasalazine, unless contraindicated",
        ),
        (NoteKind.OUTCOME, "Disposition reversed: authorization number AUTH-88213"),
    ]
    assert notes[5].criterion == 3
    offsets = [(n.at - kept.started_at).total_seconds() for n in notes]
    assert offsets == [40, 70, 100, 130, 160, 180, 240]

    # The window showed each note with its offset into the call.
    shown = window.note_pane.note_lines()
    assert len(shown) == 7
    assert shown[1].endswith("· +01:10 · Claim: Policy requires a sulfasalazine trial regardless of allergy")


def test_every_action_shows_its_shortcut(open_window, desk: Desk) -> None:  # noqa: ANN001
    window = open_window(desk, demo=True)
    for menu_action in window.menuBar().actions():
        for action in menu_action.menu().actions():
            if action.isSeparator():
                continue
            if action.menu():
                subs = action.menu().actions()
                assert subs and all(not a.shortcut().isEmpty() for a in subs)
                continue
            shortcut = action.shortcut().toString()
            assert shortcut, f"{action.text()} has no shortcut"
            assert shortcut in action.toolTip(), f"{action.text()}: tooltip {action.toolTip()!r} lacks {shortcut}"


def test_always_on_top_toggle(open_window, desk: Desk) -> None:  # noqa: ANN001
    window = open_window(desk, demo=True)
    press(window, Qt.Key.Key_T, CTRL)
    assert window.windowFlags() & Qt.WindowType.WindowStaysOnTopHint
    press(window, Qt.Key.Key_T, CTRL)
    assert not window.windowFlags() & Qt.WindowType.WindowStaysOnTopHint


def test_new_call_from_home_and_back_to_it(open_window, desk: Desk) -> None:  # noqa: ANN001
    case_id = desk.load_demo()
    window = open_window(desk)
    assert window.home.selected_case_id() == case_id
    press(window, Qt.Key.Key_S, CTRL | SHIFT)
    assert window.stack.currentWidget() is window.case_desk
    call = desk.call_in_progress()
    assert call is not None and call.case_id == case_id
    press(window, Qt.Key.Key_H, CTRL)
    assert window.stack.currentWidget() is window.home
    assert "in progress" in window.home.tree.topLevelItem(0).child(0).text(5)
    press(window, Qt.Key.Key_L, CTRL)  # straight back to the note entry of the live call
    assert window.stack.currentWidget() is window.case_desk
    assert _focused() is window.note_pane.entry


def test_home_view_sorts_by_the_next_deadline_and_marks_overdue(open_window, desk: Desk, clock) -> None:  # noqa: ANN001
    import json

    from tests.conftest import DEMO

    data = json.loads(DEMO.read_text(encoding="utf-8"))
    data["coverage"]["member_id"], data["denial"]["date"] = "SOON-1", "2026-11-20"
    soon = desk.import_case(json.dumps(data))
    data["coverage"]["member_id"], data["denial"]["date"] = "OLDER-1", "2026-10-01"
    older = desk.import_case(json.dumps(data))
    demo = desk.load_demo()  # denied 2026-11-18; the desk's clock reads 2026-11-20 15:00 UTC
    window = open_window(desk)
    tree = window.home.tree
    rows = {
        int(tree.topLevelItem(i).text(0).split()[0].lstrip("#")): (i, tree.topLevelItem(i).text(7)) for i in range(3)
    }
    # Soonest first: today's denial's P2P window (24 h), then the two cases whose window has run
    # out, by their next clock, the appeal (the older denial's first).
    assert [case for case, _ in sorted(rows.items(), key=lambda kv: kv[1][0])] == [soon, older, demo]
    assert "Ask for the peer-to-peer review" in rows[soon][1] and not rows[soon][1].startswith("OVERDUE")
    for case in (older, demo):
        # What has run out is read first, then the next clock.
        assert rows[case][1].startswith("OVERDUE · run out: Ask for the peer-to-peer review · next ")
        assert rows[case][1].endswith(" · File the internal appeal")


def test_home_stops_the_clocks_a_held_call_has_answered(open_window, desk: Desk, clock) -> None:  # noqa: ANN001
    """A case whose peer-to-peer was held shows the appeal as next, not the window for asking for
    the call as run out, also when the denial was reversed on the call (until confirmed in writing)."""
    import json

    from p2pdesk.domain.call import Disposition
    from tests.conftest import DEMO

    data = json.loads(DEMO.read_text(encoding="utf-8"))
    data["coverage"]["member_id"] = "UPHELD-1"
    upheld = desk.import_case(json.dumps(data))
    reversed_ = desk.load_demo()
    for case_id, disposition, detail in (
        (upheld, Disposition.UPHELD, {"stated_reasoning": "Policy requires sulfasalazine"}),
        (reversed_, Disposition.REVERSED, {"authorization_number": "AUTH-88213"}),
    ):
        call = desk.start_call(case_id)
        desk.set_disposition(call.id, disposition, **detail)
        desk.end_call(call.id)
    window = open_window(desk)
    tree = window.home.tree
    rows = {int(tree.topLevelItem(i).text(0).split()[0].lstrip("#")): tree.topLevelItem(i).text(7) for i in range(2)}
    for case_id in (upheld, reversed_):
        assert rows[case_id].endswith(" · File the internal appeal") and "OVERDUE" not in rows[case_id]


def test_find_a_case_on_home_by_name_or_claim_number(open_window, desk: Desk) -> None:  # noqa: ANN001
    import json

    from tests.conftest import DEMO
    from tests.gui.keys import type_into_focus

    data = json.loads(DEMO.read_text(encoding="utf-8"))
    data["patient"]["name"], data["coverage"]["member_id"] = "Zoë Nguyễn", "ZN-4411"
    data["coverage"]["claim_number"] = "CLM-7781-Q"
    zoe = desk.import_case(json.dumps(data))
    demo = desk.load_demo()
    window = open_window(desk)
    home = window.home
    press(window, Qt.Key.Key_F, CTRL)
    assert _focused() is home.find

    def shown() -> list[int]:
        tree = home.tree
        return [
            home._ids(tree.topLevelItem(i))[1]
            for i in range(tree.topLevelItemCount())
            if not tree.topLevelItem(i).isHidden()
        ]

    type_into_focus("nguyen")  # typed without the accents
    assert shown() == [zoe]
    assert home.found.text() == "1 of 2 cases"
    assert home.selected_case_id() == zoe
    press(home.find, Qt.Key.Key_A, CTRL)
    type_into_focus("clm-7781")
    assert shown() == [zoe]
    press(home.find, Qt.Key.Key_A, CTRL)
    type_into_focus("delgado lakeshore")  # every word, in any field
    assert shown() == [demo]
    type_into_focus(" J1745")
    assert shown() == [demo]

    press(home.find, Qt.Key.Key_A, CTRL)
    type_into_focus("no such patient")
    assert shown() == []
    assert home.found.text() == "No case holds “no such patient”"
    press(window, Qt.Key.Key_S, CTRL | SHIFT)  # nothing in sight: no call is started on a hidden case
    assert desk.call_in_progress() is None

    press(home.find, Qt.Key.Key_A, CTRL)
    type_into_focus("ZN-4411")
    press(home.find, Qt.Key.Key_Return)  # Enter opens the case found
    assert window.stack.currentWidget() is window.case_desk
    assert window.case.id == zoe


def test_the_first_frame_shows_the_case_then_every_shortcut_works(qtbot, desk: Desk) -> None:  # noqa: ANN001
    from p2pdesk.ui.app import after_first_frame
    from p2pdesk.ui.main_window import MainWindow

    case_id = desk.load_demo()
    window = MainWindow(lambda: desk)
    qtbot.addWidget(window)
    window.open_case(case_id)
    # The first frame: the case, the call buttons and the menu titles; the menus fill after it.
    assert "Carmen Delgado" in window.brief.toPlainText()
    assert [a.text() for a in window.menuBar().actions()] == ["&File", "&Call", "&View"]
    assert all(not a.menu().actions() for a in window.menuBar().actions())
    after_first_frame(window, window.complete)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.waitUntil(lambda: all(a.menu().actions() for a in window.menuBar().actions()))
    assert window.act_start.toolTip() == "Start call (Ctrl+Shift+S)"
    press(window, Qt.Key.Key_S, CTRL | SHIFT)
    live = desk.call_in_progress()
    assert live is not None and window.call is not None and window.call.id == live.id
    assert window.note_pane.entry.hasFocus()


def test_a_window_that_draws_no_frame_is_completed_all_the_same(qtbot, desk: Desk) -> None:  # noqa: ANN001
    from p2pdesk.ui.app import after_first_frame
    from p2pdesk.ui.main_window import MainWindow

    window = MainWindow(lambda: desk)  # never shown, as when started minimized: no frame is drawn
    qtbot.addWidget(window)
    after_first_frame(window, window.complete)
    qtbot.waitUntil(lambda: all(a.menu().actions() for a in window.menuBar().actions()), timeout=5000)
    assert window.act_home.toolTip() == "Home (Ctrl+H)"
