"""The archive: filter as you type, by outcome, sorted by a column; Enter opens the call."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt

from p2pdesk.domain.call import Disposition
from p2pdesk.services.desk import Desk
from tests.conftest import DEMO
from tests.gui.keys import press, type_text

CTRL, SHIFT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier


def _call(desk: Desk, case_id: int, reviewer: str, disposition: Disposition, **facts: str) -> int:
    call = desk.start_call(case_id)
    desk.set_reviewer(call.id, reviewer, "MD", "Rheumatology")
    desk.set_disposition(call.id, disposition, **facts)
    desk.end_call(call.id)
    return call.id


def test_filter_the_archive_and_open_a_call(open_window, desk: Desk, clock) -> None:  # noqa: ANN001
    demo = desk.load_demo()
    data = json.loads(DEMO.read_text(encoding="utf-8"))
    data["patient"]["name"], data["coverage"]["payer"], data["coverage"]["member_id"] = (
        "Ana Ruiz",
        "Prairie Mutual",
        "P-1",
    )
    other = desk.import_case(json.dumps(data))
    first = _call(desk, demo, "Gregory Haines", Disposition.UPHELD, stated_reasoning="Needs SSZ")
    clock.advance(86400)
    second = _call(desk, other, "Priya Raman", Disposition.REVERSED, authorization_number="A-9")
    clock.advance(86400)
    third = _call(desk, demo, "Priya Raman", Disposition.DEFERRED, information_requested="ED note")

    window = open_window(desk)
    press(window, Qt.Key.Key_A, CTRL | SHIFT)
    view = window.archive_view
    assert window.stack.currentWidget() is view
    assert [r.call_id for r in view.visible_rows()] == [third, second, first]  # newest first
    type_text(view.search, "priya")
    assert [r.call_id for r in view.visible_rows()] == [third, second]
    view.disposition.setCurrentIndex(view.disposition.findData("reversed"))
    assert [r.call_id for r in view.visible_rows()] == [second]
    assert view.count.text() == "1 of 3 calls"
    view.disposition.setCurrentIndex(0)
    view.search.clear()
    type_text(view.search, "carmen upheld")
    assert [r.call_id for r in view.visible_rows()] == [first]
    view.search.clear()
    view.table.sortByColumn(1, Qt.SortOrder.AscendingOrder)  # by patient
    assert [r.patient for r in view.visible_rows()] == ["Ana Ruiz", "Carmen Delgado", "Carmen Delgado"]
    view.table.setFocus()
    view.table.selectRow(0)
    press(view.table, Qt.Key.Key_Return)
    assert window.stack.currentWidget() is window.case_desk and window.call.id == second


def test_practice_history_charts_and_csv(open_window, desk: Desk, clock, tmp_path, qtbot) -> None:  # noqa: ANN001
    demo = desk.load_demo()
    _call(desk, demo, "Gregory Haines", Disposition.REVERSED, authorization_number="A-1")
    _call(desk, demo, "Priya Raman", Disposition.UPHELD, stated_reasoning="Needs SSZ")
    window = open_window(desk)
    press(window, Qt.Key.Key_Y, CTRL | SHIFT)
    view = window.history_view
    assert window.stack.currentWidget() is view
    qtbot.waitUntil(lambda: view.tabs.count() == 4, timeout=10_000)
    (series,) = view.charts["payer"].series()
    (bars,) = series.barSets()
    assert [bars.at(i) for i in range(bars.count())] == [50.0]  # one payer, 1 of 2 reversed
    out = tmp_path / "history.csv"
    window.write_history_csv(out)
    assert "payer,Lakeshore Health Plan,2,1,0.5000," in out.read_text(encoding="utf-8")


def test_the_date_filter_finds_an_evening_call_by_the_day_shown(open_window, desk: Desk, clock) -> None:  # noqa: ANN001
    import os
    import time

    demo = desk.load_demo()
    clock.advance(9.5 * 3600)  # 2026-11-21 00:30 UTC: the evening of the 20th in Chicago
    evening = _call(desk, demo, "Gregory Haines", Disposition.UPHELD, stated_reasoning="Needs SSZ")
    os.environ["TZ"] = "America/Chicago"
    time.tzset()
    try:
        window = open_window(desk)
        press(window, Qt.Key.Key_A, CTRL | SHIFT)
        view = window.archive_view
        assert view.table.model().index(0, 0).data().startswith("2026-11-20 18:30")
        type_text(view.search, "2026-11-20")
        assert [r.call_id for r in view.visible_rows()] == [evening]
        view.search.clear()
        type_text(view.search, "2026-11-21")
        assert view.visible_rows() == []
    finally:
        os.environ["TZ"] = "UTC"
        time.tzset()
