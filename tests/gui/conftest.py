"""GUI fixtures: no modal dialog can hang a run, and no window outlives its test."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox


@pytest.fixture(autouse=True)
def _no_modal_dialogs(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Message boxes are recorded instead of shown; file dialogs answer 'cancel'."""
    shown: list[tuple[str, str]] = []

    def record(kind: str):  # noqa: ANN202
        def _box(_parent, title, text, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
            shown.append((kind, f"{title}: {text}"))
            return QMessageBox.StandardButton.Ok

        return _box

    for kind in ("warning", "critical", "information", "question"):
        monkeypatch.setattr(QMessageBox, kind, staticmethod(record(kind)))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: ("", "")))
    return shown


@pytest.fixture(autouse=True)
def _no_leftover_windows(qapp: QApplication) -> Iterator[None]:
    yield
    QApplication.processEvents()
    leftovers = [w for w in QApplication.topLevelWidgets() if w.isVisible() and w.objectName() != "qt_keep"]
    for widget in leftovers:
        widget.close()
    assert not [w for w in leftovers if w.windowTitle().startswith("p2pdesk")], "a p2pdesk window was left open"


@pytest.fixture
def open_window(qtbot, monkeypatch):  # noqa: ANN001, ANN201
    """Build, show and activate the desk's window (shortcuts only reach the active window).
    At the end of the test it is closed, answering Yes if it asks about text left unsaved."""
    from p2pdesk.ui.app import build_window

    opened = []

    def _open(desk, *, size=(1366, 700), **kwargs):  # noqa: ANN001, ANN202
        window = build_window(desk, **kwargs)
        qtbot.addWidget(window)
        opened.append(window)
        window.resize(*size)
        window.show()
        qtbot.waitExposed(window)
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow)
        return window

    yield _open
    monkeypatch.setattr(QMessageBox, "question", staticmethod(lambda *a, **k: QMessageBox.StandardButton.Yes))
    for window in opened:
        window.close()


@pytest.fixture
def live_call(open_window, desk):  # noqa: ANN001, ANN201
    """A window on the demo case with a call started from the keyboard (Ctrl+Shift+S)."""
    from PySide6.QtCore import Qt

    from tests.gui.keys import press

    window = open_window(desk, demo=True)
    press(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert window.call is not None and window.call.in_progress
    return window


@pytest.fixture
def busy_desk(open_window, db_url: str):  # noqa: ANN001, ANN201
    """A window on the demo case with a call started, on a store that gives up on a lock after
    0.1 s; and ``locked()``, a context in which another program holds the database's write lock."""
    from p2pdesk.services.desk import Desk

    desk = Desk.open(db_url, busy_timeout_ms=100)
    window = open_window(desk, demo=True)
    window.act_start.trigger()

    @contextmanager
    def locked() -> Iterator[None]:
        other = sqlite3.connect(db_url.removeprefix("sqlite:///"))
        other.execute("BEGIN EXCLUSIVE")
        try:
            yield
        finally:
            other.rollback()
            other.close()

    yield desk, window, locked
    desk.close()
