"""Where the window's start-up goes: instructions up to each stage of ``p2pdesk --demo``.

    .venv/bin/python benchmarks/startup_stages.py    # needs valgrind; about two minutes

Each stage is a fresh process that follows the steps ``p2pdesk.cli`` and ``p2pdesk.ui.app.run``
take to the first frame (the same functions, in the same order, with the cycle collector paused
as the command line pauses it) and ends where the stage ends; valgrind's callgrind counts the
instructions it executed. The difference between two stages is what the later one costs; a
module that PySide6 would also import is counted where it is first imported, so the stages
before PySide6 carry some of what importing it would otherwise cost. The
database and cache are in the default user folders, pointed at a temporary folder as
``bench_desk.py`` does. If ``p2pdesk.cli`` changes its steps, change ``STAGES`` with it.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.bench_desk import ROOT, _desk_command, _environment, _time_process, _use_default_folders  # noqa: E402

#: The steps to the first frame, each ending the process when its name is the one asked for.
STAGES = """
import gc, os, sys
stop = sys.argv[1]
def reached(name):
    if name == stop:
        os._exit(0)
import p2pdesk.cli
reached("python and p2pdesk.cli")
gc.disable()
import p2pdesk.playbook.script
reached("domain and script modules")
from p2pdesk.config import resolve_db_url
from p2pdesk.demo import DEMO_CLAIM_NUMBER, DEMO_MEMBER_ID
from p2pdesk.store.snapshot import read_snapshot
snapshot = read_snapshot(resolve_db_url(None), member_id=DEMO_MEMBER_ID, claim_number=DEMO_CLAIM_NUMBER)
reached("database folder and snapshot read")
from p2pdesk.ui.qt import spare_source_reads
spare_source_reads()
import PySide6.QtWidgets
reached("PySide6 imported")
from p2pdesk.ui.app import MainWindow, after_first_frame
reached("p2pdesk.ui modules")
from PySide6.QtWidgets import QApplication
app = QApplication(sys.argv)
reached("QApplication")
window = MainWindow(lambda: None)
reached("window built")
window.show_snapshot(snapshot)
reached("brief, script and notes filled")
after_first_frame(window, lambda: os._exit(0))
window.show()
reached("shown (polish, layout)")
app.exec()
"""

NAMES = [
    "python and p2pdesk.cli",
    "domain and script modules",
    "database folder and snapshot read",
    "PySide6 imported",
    "p2pdesk.ui modules",
    "QApplication",
    "window built",
    "brief, script and notes filled",
    "shown (polish, layout)",
    "first frame drawn",
]


def count(stage: str) -> int:
    result = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, "-c", STAGES, stage],
        cwd=ROOT,
        env=_environment(),
        capture_output=True,
        text=True,
        timeout=600,
    )
    collected = [line for line in result.stderr.splitlines() if "Collected :" in line]
    if result.returncode != 0 or not collected:
        raise SystemExit(f"{stage}: no count (exit {result.returncode}): {result.stderr[-500:]}")
    return int(collected[-1].rsplit(":", 1)[1])


def main() -> None:
    import compileall

    compileall.compile_dir(str(ROOT / "p2pdesk"), quiet=1)  # as bench_desk.py: measure start-up, not compiling
    with tempfile.TemporaryDirectory() as tmp:
        _use_default_folders(Path(tmp))
        _time_process(_desk_command(), _environment())  # the first run imports the demo case
        before = 0
        for name in NAMES:
            total = count(name)
            print(f"{total / 1e6:7.1f} M  {(total - before) / 1e6:+7.1f} M  {name}", flush=True)
            before = total


if __name__ == "__main__":
    main()
