"""A real p2pdesk window in its own process, typed into from the keyboard, for the kill test.

Run as ``python -m tests.gui.live_driver DB_URL``. It opens the demo case, starts a call with
Ctrl+Shift+S, then reads note texts from standard input, one a line: each is typed into the
note entry and committed with Enter, and ``saved N`` is printed once Enter has returned.
The parent kills this process with SIGKILL whenever it likes.
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from p2pdesk.services.desk import Desk  # noqa: E402
from p2pdesk.ui.app import build_window  # noqa: E402


def main(url: str) -> None:
    app = QApplication(sys.argv)
    window = build_window(Desk.open(url), demo=True)
    window.show()
    window.activateWindow()
    while not window.isActiveWindow():
        app.processEvents()
    QTest.keyClick(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    print(f"started {window.call.id}", flush=True)
    count = 0
    for line in sys.stdin:
        text = line.rstrip("\n")
        QTest.keyClicks(window.note_pane.entry, text)
        QTest.keyClick(window.note_pane.entry, Qt.Key.Key_Return)
        count += 1
        print(f"saved {count}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
