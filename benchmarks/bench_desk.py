"""Measure, in one run, what the physician feels: start-up and note-commit latency.

    .venv/bin/python benchmarks/bench_desk.py [--runs 15] [--notes 1000] [--commits 300]
    .venv/bin/python benchmarks/bench_desk.py --instructions    # needs valgrind

Start-up: time from process start until the window's first frame has been drawn, for
``p2pdesk --demo`` (demo case loaded, an existing database in the default place, found as a
physician's desk finds it: here the user data folder is a temporary one) against a bare PySide6 window,
each a fresh process that ends as its first frame is drawn, the windows in a new random order each
round. Reported as medians and their ratio (target <= 1.3), with the processor time each spent
in its own code and in the kernel (files, memory), which the wall clock includes and
``--instructions`` does not. A third process, the same bare window drawing only the demo brief's
rich text in one text view, shows how much of the ratio any window that draws text pays (fonts,
text layout, painting).

``--instructions`` counts, instead of timing, the instructions each of the three executes up to
its first frame, under valgrind's callgrind: the same figures on a busy machine as on an idle one.

Note commit: with ``--notes`` notes already in a call, the time from Enter in the note entry to
the note being on disk and listed (p50/p99, target p99 <= 10 ms), and the store's part alone.
The machine is shared and noisy: compare the ratio, not absolute figures across runs.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: The same window frame, sized alike, reported the same way as ``p2pdesk --quit-when-shown``:
#: once the event loop is back after its first frame was drawn. With a file of rich text as its
#: argument, the window shows it in a text view, styled as the desk's brief.
BARE = """
import os, sys
from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import QApplication, QMainWindow
def shown():
    print("shown", flush=True)
    if os.environ.get("BENCH_EXIT_WHEN_SHOWN"):
        os._exit(0)
    app.quit()
class FirstFrame(QObject):
    def eventFilter(self, watched, event):
        if isinstance(event, QPaintEvent):
            watched.removeEventFilter(self)
            QTimer.singleShot(0, shown)
        return False
app = QApplication(sys.argv)
window = QMainWindow()
window.resize(1366, 740)
if len(sys.argv) > 1:
    from PySide6.QtWidgets import QTextBrowser
    view = QTextBrowser(window)
    view.setHtml(open(sys.argv[1], encoding="utf-8").read())
    window.setCentralWidget(view)
first_frame = FirstFrame(window)
window.installEventFilter(first_frame)
window.show()
app.exec()
"""

#: Run as ``p2pdesk`` is, but ending the process as it says "shown" after its first frame
#: (nothing of p2pdesk is imported before it would be).
DESK_EXIT_WHEN_SHOWN = """
import builtins, os, sys
say = builtins.print
def say_then_exit(*args, **kwargs):
    say(*args, **kwargs)
    if args == ("shown",):
        os._exit(0)
builtins.print = say_then_exit
from p2pdesk.cli import main
main(sys.argv[1:])
"""


def _time_process(cmd: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """Seconds from start to "shown" on its standard output; the processor seconds the process
    spent in its own code and in the kernel (all of them, when it ends as it says "shown")."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)  # this process's children, ended and waited for
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    elapsed = time.perf_counter() - start
    proc.wait(timeout=60)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if line.strip() != "shown" or proc.returncode != 0:
        raise SystemExit(f"{cmd} did not show a window (said {line!r}, exit {proc.returncode})")
    return elapsed, after.ru_utime - before.ru_utime, after.ru_stime - before.ru_stime


def _environment() -> dict[str, str]:
    return {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}


def _use_default_folders(folder: Path) -> str:
    """Point the user data and cache folders at ``folder`` (this process and the ones it starts),
    so that p2pdesk finds its database where it would by default; the URL of that database.

    On Linux the XDG variables move the folders; elsewhere P2PDESK_DB names the file instead."""
    os.environ.pop("P2PDESK_DB", None)
    if sys.platform.startswith("linux"):
        os.environ["XDG_DATA_HOME"] = str(folder / "data")
        os.environ["XDG_CACHE_HOME"] = str(folder / "cache")
        os.environ["XDG_CONFIG_HOME"] = str(folder / "config")
    else:
        os.environ["P2PDESK_DB"] = str(folder / "p2pdesk.sqlite3")
    from p2pdesk.config import resolve_db_url

    return resolve_db_url()


def _write_brief_text(db: str, folder: Path) -> Path:
    """The demo brief's page (its rich text, styles in its head), as the desk draws it, for the text-only window."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from p2pdesk.demo import DEMO_CLAIM_NUMBER, DEMO_MEMBER_ID
    from p2pdesk.store.snapshot import read_snapshot
    from p2pdesk.ui.brief_view import brief_html
    from p2pdesk.ui.richtext import page

    snapshot = read_snapshot(db, member_id=DEMO_MEMBER_ID, claim_number=DEMO_CLAIM_NUMBER)
    assert snapshot is not None, "the demo case is loaded by the first p2pdesk run"
    path = folder / "brief.txt"
    path.write_text(page(brief_html(snapshot.case)), encoding="utf-8")
    return path


def _desk_command() -> list[str]:
    # The installed entry point, as a user starts it (falls back to -m from a bare checkout).
    script = Path(sys.executable).with_name("p2pdesk")
    launcher = [str(script)] if script.exists() else [sys.executable, "-m", "p2pdesk"]
    return [*launcher, "--demo", "--quit-when-shown"]


def _commands(db: str, folder: Path) -> dict[str, list[str]]:
    """The three windows; the first p2pdesk run imports the demo case, whose brief the text window shows."""
    _time_process(_desk_command(), _environment())
    brief = _write_brief_text(db, folder)
    return {
        "bare": [sys.executable, "-c", BARE],
        "text": [sys.executable, "-c", BARE, str(brief)],
        "desk": _desk_command(),
    }


def _ending_at_first_frame(db: str, folder: Path) -> tuple[dict[str, list[str]], dict[str, str]]:
    """The three windows, each ending its process as it says "shown", and their environment."""
    commands = _commands(db, folder)
    commands["desk"] = [sys.executable, "-c", DESK_EXIT_WHEN_SHOWN, *commands["desk"][-2:]]
    return commands, {**_environment(), "BENCH_EXIT_WHEN_SHOWN": "1"}


def bench_startup(runs: int, db: str, folder: Path) -> dict[str, dict[str, float]]:
    """Medians of wall, user and system seconds to the first frame, by window."""
    commands, env = _ending_at_first_frame(db, folder)
    for cmd in commands.values():
        _time_process(cmd, env)  # warm the page cache
    order = random.Random(2026)  # the same orders each time the benchmark runs
    samples: dict[str, list[tuple[float, float, float]]] = {name: [] for name in commands}
    for _ in range(runs):
        for name in order.sample(list(commands), len(commands)):
            samples[name].append(_time_process(commands[name], env))
    return {
        name: {kind: statistics.median(s[i] for s in values) for i, kind in enumerate(("wall", "user", "system"))}
        for name, values in samples.items()
    }


def count_instructions(db: str, folder: Path) -> dict[str, int]:
    """Instructions executed up to the first frame, for the three windows (valgrind's callgrind)."""
    commands, env = _ending_at_first_frame(db, folder)
    counts = {}
    for name, cmd in commands.items():
        result = subprocess.run(
            ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *cmd],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        collected = [line for line in result.stderr.splitlines() if "Collected :" in line]
        if result.stdout.split() != ["shown"] or not collected:
            raise SystemExit(f"{name}: no count (exit {result.returncode}): {result.stderr[-500:]}")
        counts[name] = int(collected[-1].rsplit(":", 1)[1])
    return counts


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
    parser.add_argument("--instructions", action="store_true", help="count instructions to the first frame instead")
    args = parser.parse_args()
    # An installed p2pdesk has its bytecode compiled (pip does it); do the same for a checkout, so
    # that each fresh process measures start-up, not compiling (PYTHONDONTWRITEBYTECODE may be set).
    import compileall

    compileall.compile_dir(str(ROOT / "p2pdesk"), quiet=1)
    with tempfile.TemporaryDirectory() as tmp:
        db = _use_default_folders(Path(tmp))
        if args.instructions:
            counts = count_instructions(db, Path(tmp))
            bare = counts["bare"]
            print(
                "instructions to the first frame: "
                + ", ".join(f"{name} {count / 1e6:.1f} M ({count / bare:.3f}x bare)" for name, count in counts.items())
            )
            return
        startup = bench_startup(args.runs, db, Path(tmp))
        bare = startup["bare"]["wall"]
        print(
            f"start-up  bare window {bare * 1000:.0f} ms, "
            f"p2pdesk --demo {startup['desk']['wall'] * 1000:.0f} ms, "
            f"ratio {startup['desk']['wall'] / bare:.2f} (target <= 1.30; medians of {args.runs}); "
            f"the bare window drawing only the brief's rich text {startup['text']['wall'] * 1000:.0f} ms, "
            f"ratio {startup['text']['wall'] / bare:.2f}"
        )
        print(
            "processor ms to the first frame, own code + kernel: "
            + ", ".join(f"{name} {t['user'] * 1000:.0f} + {t['system'] * 1000:.0f}" for name, t in startup.items())
        )
        notes = bench_notes(args.notes, args.commits, f"sqlite:///{Path(tmp) / 'notes.sqlite3'}")
        print(
            f"note commit with {args.notes} notes in the call: Enter to on-disk-and-listed "
            f"p50 {notes['window_p50_ms']:.2f} ms, p99 {notes['window_p99_ms']:.2f} ms (target p99 <= 10); "
            f"store alone p50 {notes['store_p50_ms']:.2f} ms, p99 {notes['store_p99_ms']:.2f} ms"
        )


if __name__ == "__main__":
    main()
