"""Start the window: drawn first, the store opened right after.

When the database is a SQLite file already at the newest schema, the window is drawn from a
read-only snapshot (``p2pdesk.store.snapshot``, read by ``p2pdesk.cli`` before Qt loads) and
SQLAlchemy loads once it is on screen. Anything a physician asks for before that waits for the
store; nothing is lost.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import QApplication, QWidget

from p2pdesk.domain.errors import StoreUnavailable
from p2pdesk.ui.main_window import MainWindow

TYPE_CHECKING = False  # not typing's: see p2pdesk.ui.qt
if TYPE_CHECKING:
    from p2pdesk.services.desk import Desk
    from p2pdesk.store.snapshot import Snapshot


def build_window(desk: Desk, *, demo: bool = False, case_id: int | None = None) -> MainWindow:
    """A window on an open desk, showing what ``restore`` picks (used by tests and tools)."""
    window = MainWindow(lambda: desk)
    window.complete()
    window.restore(_case_to_open(desk, demo=demo, case_id=case_id))
    return window


#: How long to wait for a first frame that may never come (a window started minimized is not
#: painted) before going on without it.
FIRST_FRAME_PATIENCE_MS = 1000


class _FirstFrame(QObject):
    def __init__(self, window: QWidget, then: Callable[[], None]) -> None:
        super().__init__(window)
        self._then: Callable[[], None] | None = then
        window.installEventFilter(self)
        patience = QTimer(self)
        patience.setSingleShot(True)
        patience.timeout.connect(self._run)
        patience.start(FIRST_FRAME_PATIENCE_MS)

    def eventFilter(self, watched: QObject, event: object) -> bool:  # noqa: N802 - Qt's name
        if isinstance(event, QPaintEvent):
            watched.removeEventFilter(self)
            QTimer.singleShot(0, self._run)
        return False

    def _run(self) -> None:
        then, self._then = self._then, None
        if then is not None:
            then()


def after_first_frame(window: QWidget, then: Callable[[], None]) -> None:
    """Call ``then`` once, when the event loop is back after the window's first frame was drawn
    (the whole window paints in one pass, its children right after it), or after
    ``FIRST_FRAME_PATIENCE_MS`` if no frame is drawn by then."""
    _FirstFrame(window, then)


def resume_collector() -> None:
    """Resume Python's cycle collector, paused for the start-up by ``p2pdesk.cli``.

    What start-up left as garbage is collected first (a few milliseconds, after the first frame);
    what it keeps (Qt's wrappers and enums, the modules) is then moved out of the collector's
    sight (``gc.freeze``): it lives as long as the process, and leaving it in would make every
    full collection during a call walk all of it again.
    """
    gc.collect()
    gc.freeze()
    gc.enable()


def _case_to_open(desk: Desk, *, demo: bool, case_id: int | None) -> int | None:
    """The case asked for (--case), else the demo case when asked for (--demo), loaded once."""
    if demo:
        demo_id = desk.load_demo()
        return demo_id if case_id is None else case_id
    return case_id


def _open_desk(url: str, *, demo: bool = False) -> Desk:
    """The store at ``url``, with the demo case loaded (once) when asked for."""
    from p2pdesk.services.desk import Desk

    desk = Desk.open(url)
    if demo:
        desk.load_demo()
    return desk


def run(
    url: str,
    snapshot: Snapshot | None,
    *,
    demo: bool = False,
    case_id: int | None = None,
    quit_when_shown: bool = False,
) -> int:
    """The window on the store at ``url``, drawn from ``snapshot`` when there is one (see
    ``p2pdesk.store.snapshot``; the command line reads it before Qt loads), else from the store."""
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("p2pdesk")
    app.setApplicationDisplayName("p2pdesk")
    # Drawn from a snapshot, the demo case is loaded when the store opens behind the window;
    # otherwise just below, before the window is drawn.
    window = MainWindow(lambda: _open_desk(url, demo=demo and snapshot is not None))
    if snapshot is not None:
        window.show_snapshot(snapshot)
    else:
        try:
            case_id = _case_to_open(window.desk, demo=demo, case_id=case_id)
        except StoreUnavailable as exc:
            if quit_when_shown:  # no one to close a dialog: said on standard error instead
                print(f"p2pdesk: {exc}", file=sys.stderr)
                return 1
            from PySide6.QtWidgets import QMessageBox

            QMessageBox.critical(None, "p2pdesk", str(exc))
            return 1
        window.restore(case_id)

    def shown() -> None:
        if quit_when_shown:
            print("shown", flush=True)
        resume_collector()
        window.complete()
        window.open_desk_in_background()
        window.load_desk_when_open()
        if quit_when_shown:
            QTimer.singleShot(0, store_ready)

    def store_ready() -> None:
        ready = window.load_desk()
        print("ready" if ready else "store unavailable", flush=True)
        app.exit(0 if ready else 1)

    after_first_frame(window, shown)
    window.show()
    status = app.exec()
    window.close_store()
    return status
