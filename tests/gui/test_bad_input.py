"""Bad input in the window: a clear message where it was typed, and nothing typed or stored is lost."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from p2pdesk.domain.call import NoteKind
from p2pdesk.services.desk import Desk
from tests.conftest import DEMO
from tests.gui.keys import press, type_text


@pytest.fixture
def live(open_window, desk: Desk):  # noqa: ANN001, ANN201
    window = open_window(desk, demo=True)
    window.act_start.trigger()
    return window


def test_pasted_100k_note_is_refused_and_stays_in_the_entry(live, desk: Desk) -> None:  # noqa: ANN001
    pane = live.note_pane
    type_text(pane.entry, "kept before")
    press(pane.entry, Qt.Key.Key_Return)
    pasted = "z" * 100_000
    pane.entry.setMaxLength(200_000)
    pane.entry.setText(pasted)  # a paste
    press(pane.entry, Qt.Key.Key_Return)
    assert pane.status.isVisible()
    assert "note: is 100,000 characters" in pane.status.text()
    assert pane.entry.text() == pasted
    assert [n.text for n in desk.notes(live.call.id)] == ["kept before"]


def test_markup_quotes_rtl_and_cjk_are_kept_and_shown_as_typed(live, desk: Desk) -> None:  # noqa: ANN001
    pane = live.note_pane
    texts = ['<b>not bold</b> & "quoted"', "Zoë Nguyễn and Łukasz", "مرحبا 审查医生 שלום"]
    for text in texts:
        type_text(pane.entry, text)
        press(pane.entry, Qt.Key.Key_Return)
    assert [n.text for n in desk.notes(live.call.id)] == texts
    shown = pane.note_lines()
    assert [s.split(": ", 1)[1] for s in shown] == texts  # literal text, not rendered markup


def test_bad_disposition_date_names_the_field_and_keeps_the_fields(live, desk: Desk) -> None:  # noqa: ANN001
    pane = live.note_pane
    pane.disposition.setCurrentIndex(pane.disposition.findData("deferred"))
    pane.requested.setText("ED note from 2019")
    pane.requested_by.setText("2026-13-40")
    press(pane.requested_by, Qt.Key.Key_Return)
    assert "requested by: '2026-13-40' is not a real date written as YYYY-MM-DD" in pane.status.text()
    assert (pane.requested.text(), pane.requested_by.text()) == ("ED note from 2019", "2026-13-40")
    assert desk.call(live.call.id).disposition is None
    assert desk.notes(live.call.id) == []


def test_reversal_without_an_authorization_number_is_refused(live, desk: Desk) -> None:  # noqa: ANN001
    pane = live.note_pane
    pane.disposition.setCurrentIndex(pane.disposition.findData("reversed"))
    press(pane.authorization, Qt.Key.Key_Return)
    assert pane.status.text().startswith("authorization number: a reversal needs the authorization number")
    assert desk.call(live.call.id).disposition is None


def test_locked_database_is_said_plainly_and_the_note_stays(busy_desk) -> None:  # noqa: ANN001
    desk, window, locked = busy_desk
    with locked():  # another program holds the write lock
        type_text(window.note_pane.entry, "said while the disk was busy")
        press(window.note_pane.entry, Qt.Key.Key_Return)
        assert window.note_pane.status.text().startswith("Not saved — the database cannot be written")
        assert window.note_pane.entry.text() == "said while the disk was busy"
    press(window.note_pane.entry, Qt.Key.Key_Return)  # the physician presses Enter again
    assert [n.text for n in desk.notes(window.call.id)] == ["said while the disk was busy"]
    assert not window.note_pane.status.isVisible()


def test_invalid_case_file_from_the_menu_imports_nothing(
    open_window,
    desk: Desk,
    tmp_path: Path,
    monkeypatch,
    _no_modal_dialogs,  # noqa: ANN001
) -> None:
    data = json.loads(DEMO.read_text(encoding="utf-8"))
    data["denial"]["date"] = "2026-02-30"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(bad), "")))
    window = open_window(desk)
    window.act_import.trigger()
    assert desk.cases() == []
    kind, text = _no_modal_dialogs[-1]
    assert kind == "warning" and "denial.date: '2026-02-30' is not a real calendar date" in text


def test_missing_facts_are_shown_as_missing(open_window, desk: Desk) -> None:  # noqa: ANN001
    data = json.loads(DEMO.read_text(encoding="utf-8"))
    del data["denial"]["date"], data["guidelines"], data["consequence_of_denial"]
    data["policy"]["criteria"][1].pop("patient_fact")
    case_id = desk.import_case(json.dumps(data))
    window = open_window(desk, case_id=case_id)
    brief = window.brief.toPlainText()
    for marker in (
        "[denial date missing]",
        "[guideline citations missing]",
        "[consequence of denial missing]",
        "[patient fact missing]",
    ):
        assert marker in brief
    window.script.go_to("criteria")
    assert "[patient fact for criterion 2 missing]" in window.script.page_text("criteria")
    assert "[guideline missing]" in window.script.page_text("close")
    assert "[" not in window.script.page_text("reviewer").replace("[not yet on record]", "")


def test_note_kind_from_the_keyboard_sticks_until_changed(live) -> None:  # noqa: ANN001
    press(live, Qt.Key.Key_5, Qt.KeyboardModifier.ControlModifier)
    assert live.note_pane.current_kind() is NoteKind.OUTCOME
    type_text(live.note_pane.entry, "x")
    press(live.note_pane.entry, Qt.Key.Key_Return)
    assert live.note_pane.current_kind() is NoteKind.OUTCOME


def test_a_note_typed_while_the_store_opens_waits_for_it(qtbot, db_url: str) -> None:  # noqa: ANN001
    """Started from a snapshot, the window opens the store behind itself (and checks every 50 ms
    whether it is open, as start-up does); Enter pressed meanwhile waits for that open, the store
    is opened once (not again on the GUI thread), and the note is stored."""
    import threading
    import time

    from p2pdesk.store.snapshot import read_snapshot
    from p2pdesk.ui.main_window import MainWindow

    seed = Desk.open(db_url)
    seed.start_call(seed.load_demo())
    seed.store.engine.dispose()
    opened: list[str] = []

    def slow_open() -> Desk:
        opened.append(threading.current_thread().name)
        time.sleep(0.3)  # a slow disk: the window is already up from the snapshot
        return Desk.open(db_url)

    window = MainWindow(slow_open)
    qtbot.addWidget(window)
    window.show_snapshot(read_snapshot(db_url))
    window.show()
    window.complete()
    window.open_desk_in_background()
    window.load_desk_when_open()
    type_text(window.note_pane.entry, "typed before the store was open")
    press(window.note_pane.entry, Qt.Key.Key_Return)
    assert window.note_pane.entry.text() == ""
    assert [n.text for n in window.desk.notes(window.call.id)] == ["typed before the store was open"]
    qtbot.waitUntil(lambda: window._store_ready is not None)  # the start-up check has run its course
    assert len(opened) == 1, opened
    window.desk.store.engine.dispose()


def test_educational_only_ticked_from_the_keyboard_is_logged(live, desk: Desk) -> None:  # noqa: ANN001
    box = live.note_pane.educational
    box.setFocus()
    press(box, Qt.Key.Key_Space)
    assert desk.call(live.call.id).educational_only is True
    assert "educational only" in live.note_pane.note_lines()[-1]


def test_a_broken_practice_rules_file_is_named_and_the_call_goes_on(
    open_window,
    desk: Desk,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,  # noqa: ANN001
) -> None:
    rules = tmp_path / "practice-rules"
    rules.mkdir()
    broken = rules / "ours.toml"
    broken.write_text("[[rule]\n", encoding="utf-8")  # a typo: no closing bracket
    monkeypatch.setenv("P2PDESK_RULES_DIR", str(rules))
    window = open_window(desk, demo=True)
    pane = window.note_pane
    assert pane.status.text().startswith(f"practice file {broken}: is not valid TOML: ")
    assert "p2pdesk's own rules and script words are used in its place" in pane.status.text()
    assert "Reviewer on the record" in window.script.title("reviewer")  # the script is whole
    window.act_start.trigger()
    pane.reviewer_name.setText("Gregory Haines")
    pane.reviewer_specialty.setText("Family Medicine")
    press(pane.reviewer_specialty, Qt.Key.Key_Return)
    kinds = [(n.kind, n.text) for n in desk.notes(window.call.id)]
    assert kinds[-1][0] is NoteKind.PROCEDURAL and kinds[-1][1].startswith("Reviewer specialty mismatch")
    window.show_home()
    assert window.home.practice_problems.isVisible()
    assert str(broken) in window.home.practice_problems.text()
    # The written demand would not cite what the practice set: refused, naming the file.
    window.open_case(window.case.id)
    window.edit_case()
    out = tmp_path / "demand.pdf"
    window.write_demand(out)
    assert not out.exists() and str(broken) in window.editor.status.text()


def test_fixing_the_practice_file_clears_its_message(
    open_window,
    desk: Desk,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,  # noqa: ANN001
) -> None:
    scripts = tmp_path / "practice-scripts"
    scripts.mkdir()
    (scripts / "prompts.toml").write_text('[close]\nlines = ["Will you authorize {service_code today?"]\n', "utf-8")
    monkeypatch.setenv("P2PDESK_SCRIPTS_DIR", str(scripts))
    window = open_window(desk, demo=True)
    assert "close.lines[1]: expected '}' before end of string" in window.note_pane.status.text()
    assert window.script.page_text("close").startswith("Carmen Delgado meets each of the 5 criteria")  # p2pdesk's words
    window.show_home()
    assert "prompts.toml" in window.home.practice_problems.text()
    (scripts / "prompts.toml").write_text('[close]\nlines = ["Will you authorize {service_code} today?"]\n', "utf-8")
    window.show_home()
    assert window.home.practice_problems.isHidden()
    window.open_case(window.case.id if window.case else 1)
    assert window.note_pane.status.text() == ""
    assert window.script.page_text("close") == "Will you authorize J1745 today?"


def test_a_store_that_cannot_be_opened_after_the_first_frame_is_said_once(qtbot, tmp_path: Path) -> None:  # noqa: ANN001
    from p2pdesk.ui.app import _open_desk
    from p2pdesk.ui.main_window import MainWindow

    folder = tmp_path / "desk.sqlite3"
    folder.mkdir()  # where the database file should be
    window = MainWindow(lambda: _open_desk(f"sqlite:///{folder}"))
    qtbot.addWidget(window)
    assert window.load_desk() is False
    said = window.note_pane.status.text()
    assert said.startswith(f"The database at sqlite:///{folder} cannot be used")
    assert said.endswith("Nothing can be saved until it can be opened; restart p2pdesk then.")
    assert "Your text is kept" not in said  # nothing was typed


def test_a_database_that_can_be_read_but_not_written_is_said_before_anything_is_typed(qtbot, db_url: str) -> None:  # noqa: ANN001
    from p2pdesk.store.snapshot import read_snapshot
    from p2pdesk.ui.main_window import MainWindow

    seed = Desk.open(db_url)
    case_id = seed.load_demo()
    seed.close()
    read_only = f"sqlite:///file:{db_url.removeprefix('sqlite:///')}?mode=ro&uri=true"  # as a file without write access
    window = MainWindow(lambda: Desk.open(read_only))
    qtbot.addWidget(window)
    window.show_snapshot(read_snapshot(db_url, case_id=case_id))
    window.show()
    window.complete()
    window.open_desk_in_background()
    window.load_desk_when_open()  # as p2pdesk does after its first frame
    status = window.note_pane.status
    qtbot.waitUntil(lambda: "can be read but not written" in status.text(), timeout=10_000)
    assert "attempt to write a readonly database" in status.text()
    # Starting a call is refused, and the warning stays said.
    window.act_start.trigger()
    assert window.call is None
    assert "Not saved" in status.text()
    window.load_rules()  # anything else that goes well shows what stands: the warning again
    assert "can be read but not written" in status.text()
    window.close_store()
