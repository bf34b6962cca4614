"""Measure, in one run, what the physician feels: start-up and note-commit latency.

    .venv/bin/python benchmarks/bench_desk.py [--runs 15] [--notes 1000] [--commits 300]

Start-up: time from process start until the window has been shown and drawn once, for
``p2pdesk --demo`` (demo case loaded, an existing database) against a bare PySide6 window,
alternating the two, each a fresh process. Reported as medians and their ratio (target <= 1.3).

Note commit: with ``--notes`` notes already in a call, the time from Enter in the note entry to
the note being on disk and listed (p50/p99, target p99 <= 10 ms), and the store's part alone.
The machine is shared and noisy: compare the ratio, not absolute figures across runs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: The same window frame, sized alike, reported the same way as ``p2pdesk --quit-when-shown``:
#: once the event loop is back after its first frame was drawn.
BARE = """
import sys
from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import QApplication, QMainWindow
class FirstFrame(QObject):
    def eventFilter(self, watched, event):
        if isinstance(event, QPaintEvent):
            watched.removeEventFilter(self)
            QTimer.singleShot(0, lambda: (print("shown", flush=True), app.quit()))
        return False
app = QApplication(sys.argv)
window = QMainWindow()
window.resize(1366, 740)
first_frame = FirstFrame(window)
window.installEventFilter(first_frame)
window.show()
app.exec()
"""


def _time_process(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    elapsed = time.perf_counter() - start
    proc.wait(timeout=60)
    if line.strip() != "shown" or proc.returncode != 0:
        raise SystemExit(f"{cmd} did not show a window (said {line!r}, exit {proc.returncode})")
    return elapsed


def bench_startup(runs: int, db: str) -> dict[str, float]:
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    # The installed entry point, as a user starts it (falls back to -m from a bare checkout).
    script = Path(sys.executable).with_name("p2pdesk")
    launcher = [str(script)] if script.exists() else [sys.executable, "-m", "p2pdesk"]
    desk_cmd = [*launcher, "--db", db, "--demo", "--quit-when-shown"]
    bare_cmd = [sys.executable, "-c", BARE]
    _time_process(desk_cmd, env)  # first run imports the demo case and writes .pyc files
    _time_process(bare_cmd, env)
    desk, bare = [], []
    for _ in range(runs):
        bare.append(_time_process(bare_cmd, env))
        desk.append(_time_process(desk_cmd, env))
    return {
        "bare_median_s": statistics.median(bare),
        "desk_median_s": statistics.median(desk),
        "ratio": statistics.median(desk) / statistics.median(bare),
    }


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def bench_notes(notes: int, commits: int, db: str) -> dict[str, float]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from p2pdesk.domain.call import NoteKind
    from p2pdesk.services.desk import Desk
    from p2pdesk.ui.app import build_window

    app = QApplication.instance() or QApplication(sys.argv)
    desk = Desk.open(db)
    case_id = desk.load_demo()
    call = desk.start_call(case_id)
    for i in range(notes):
        desk.add_note(call.id, NoteKind.REVIEWER_CLAIM, f"earlier note {i}: reviewer says the criteria are not met")
    window = build_window(desk)
    window.show()
    app.processEvents()
    assert len(window.note_pane.note_lines()) == notes

    through_window = []
    entry = window.note_pane.entry
    for i in range(commits):
        entry.setText(f"note {i}: the reviewer asked for the 2019 emergency department note")
        start = time.perf_counter()
        QTest.keyClick(entry, Qt.Key.Key_Return)
        through_window.append(time.perf_counter() - start)
        app.processEvents()
    assert desk.store.count_notes(call.id) == notes + commits
    assert entry.text() == ""

    store_only = []
    for i in range(commits):
        start = time.perf_counter()
        desk.add_note(call.id, NoteKind.OUR_POINT, f"store-only note {i}")
        store_only.append(time.perf_counter() - start)
    window.close()
    return {
        "window_p50_ms": 1000 * _percentile(through_window, 0.50),
        "window_p99_ms": 1000 * _percentile(through_window, 0.99),
        "store_p50_ms": 1000 * _percentile(store_only, 0.50),
        "store_p99_ms": 1000 * _percentile(store_only, 0.99),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--notes", type=int, default=1000)
    parser.add_argument("--commits", type=int, default=300)
    args = parser.parse_args()
    # An installed p2pdesk has its bytecode compiled (pip does it); do the same for a checkout, so
    # that each fresh process measures start-up, not compiling (PYTHONDONTWRITEBYTECODE may be set).
    import compileall

    compileall.compile_dir(str(ROOT / "p2pdesk"), quiet=1)
    with tempfile.TemporaryDirectory() as tmp:
        startup = bench_startup(args.runs, f"sqlite:///{Path(tmp) / 'startup.sqlite3'}")
        print(
            f"start-up  bare window {startup['bare_median_s'] * 1000:.0f} ms, "
            f"p2pdesk --demo {startup['desk_median_s'] * 1000:.0f} ms, "
            f"ratio {startup['ratio']:.2f} (target <= 1.30; medians of {args.runs})"
        )
        notes = bench_notes(args.notes, args.commits, f"sqlite:///{Path(tmp) / 'notes.sqlite3'}")
        print(
            f"note commit with {args.notes} notes in the call: Enter to on-disk-and-listed "
            f"p50 {notes['window_p50_ms']:.2f} ms, p99 {notes['window_p99_ms']:.2f} ms (target p99 <= 10); "
            f"store alone p50 {notes['store_p50_ms']:.2f} ms, p99 {notes['store_p99_ms']:.2f} ms"
        )


if __name__ == "__main__":
    main()
