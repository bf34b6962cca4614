"""Draw the desk during a demo call and save a screenshot (for the README).

    .venv/bin/python scripts/screenshot.py OUT.png [WIDTHxHEIGHT]

Runs the real window on a throw-away database, with a clock that moves on as a call would, so
the notes show realistic offsets into the call.
"""

from __future__ import annotations

import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from p2pdesk.domain.call import NoteKind
from p2pdesk.services.desk import Desk
from p2pdesk.ui.app import build_window


class CallClock:
    """Starts at a fixed instant and moves on by a given step each time it is read."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=4)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=23)
        return self.now


NOTES = [
    (NoteKind.REVIEWER_CLAIM, "Policy RX-104 requires a sulfasalazine trial before any biologic"),
    (
        NoteKind.OUR_POINT,
        "RX-104 accepts a contraindication; angioedema to TMP-SMX in 2019 is on her allergy list",
    ),
    (NoteKind.REVIEWER_CLAIM, "Says 14 weeks of methotrexate is 'borderline'"),
    (NoteKind.OUR_POINT, "14 weeks > 3 months; 25 mg SC for the last 8; DAS28-CRP still 5.4"),
    (NoteKind.PROCEDURAL, "Reviewer is family medicine; asked that the decision go to a rheumatologist"),
    (NoteKind.INFO_REQUESTED, "Wants the 2019 ED note documenting the angioedema"),
]


def main(out: str, size: str = "1366x700") -> None:
    width, height = (int(x) for x in size.split("x"))
    app = QApplication.instance() or QApplication(sys.argv)
    with tempfile.TemporaryDirectory() as tmp:
        desk = Desk.open(f"sqlite:///{Path(tmp) / 'shot.sqlite3'}", clock=CallClock())
        window = build_window(desk, demo=True)
        window.resize(width, height)
        window.show()
        window.act_start.trigger()
        pane = window.note_pane
        pane.reviewer_name.setText("Gregory Haines")
        pane.reviewer_credentials.setText("MD")
        pane.reviewer_specialty.setText("Family Medicine")
        QTest.keyClick(pane.reviewer_specialty, Qt.Key.Key_Return)
        for kind, text in NOTES:
            pane.set_kind(kind)
            pane.entry.setText(text)
            QTest.keyClick(pane.entry, Qt.Key.Key_Return)
        pane.criterion_boxes[1].setChecked(True)
        pane.criterion_boxes[2].setChecked(True)
        pane.set_kind(NoteKind.REVIEWER_CLAIM)
        pane.entry.setText("Will review the ED note and")
        for _ in range(5):
            app.processEvents()
        window.grab().save(out)
        window.close()
        desk.store.engine.dispose()


if __name__ == "__main__":
    main(*sys.argv[1:])
