"""Kill the desk with SIGKILL in the middle of a call; the call reopens with every note."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from p2pdesk.domain.call import NoteKind
from p2pdesk.services.desk import Desk
from p2pdesk.ui.app import build_window

ROOT = Path(__file__).resolve().parents[2]

NOTES = [
    "Reviewer says the policy needs 3 months of MTX",
    "Told him 14 weeks, 25 mg SC for the last 8",
    "He says sulfasalazine trial is mandatory",
    "Allergy: angioedema to TMP-SMX in 2019, on the list since",
    "He asks for the ED note from 2019",
]


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_notes_survive_sigkill_and_the_call_reopens(qtbot, db_url: str) -> None:  # noqa: ANN001
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.gui.live_driver", db_url],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout.readline().startswith("started ")
        for n, note in enumerate(NOTES, start=1):
            proc.stdin.write(note + "\n")
            proc.stdin.flush()
            assert proc.stdout.readline().strip() == f"saved {n}"
        proc.send_signal(signal.SIGKILL)
        assert proc.wait(timeout=30) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()

    # Start again: the call still in progress opens by itself, with every note in order.
    desk = Desk.open(db_url)
    window = build_window(desk)
    qtbot.addWidget(window)
    window.show()
    assert window.call is not None and window.call.in_progress
    kept = desk.notes(window.call.id)
    assert [n.text for n in kept] == NOTES
    assert all(n.kind is NoteKind.REVIEWER_CLAIM for n in kept)
    shown = window.note_pane.note_lines()
    assert [s.split(": ", 1)[1] for s in shown] == NOTES
    assert window.note_pane.entry.isEnabled()

    # ... and the physician goes on.
    window.note_pane.entry.setText("Back after the crash: reviewer still on the line")
    window.note_pane.entry.returnPressed.emit()
    assert [n.text for n in desk.notes(window.call.id)][-1] == "Back after the crash: reviewer still on the line"
    desk.store.engine.dispose()
