"""Start the window."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication, QMessageBox

from p2pdesk.config import resolve_db_url
from p2pdesk.domain.errors import StoreUnavailable
from p2pdesk.services.desk import Desk
from p2pdesk.ui.main_window import MainWindow


def build_window(desk: Desk, *, demo: bool = False, case_id: int | None = None) -> MainWindow:
    window = MainWindow(desk)
    if demo:
        case_id = desk.load_demo()
    window.restore(case_id)
    return window


def run(db: str | None = None, demo: bool = False, case_id: int | None = None) -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("p2pdesk")
    app.setApplicationDisplayName("p2pdesk")
    try:
        desk = Desk.open(resolve_db_url(db))
    except StoreUnavailable as exc:
        QMessageBox.critical(None, "p2pdesk", str(exc))
        return 1
    window = build_window(desk, demo=demo, case_id=case_id)
    window.show()
    return app.exec()
