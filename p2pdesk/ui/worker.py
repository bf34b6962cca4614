"""Run slow work (rendering and signing a record, verifying it) off the GUI thread.

Signals:
    finished(result: object): on the GUI thread, with what the work returned.
    failed(error: object): on the GUI thread, with the exception it raised.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal


class Task(QObject):
    """One piece of work on its own thread; its signals arrive on the thread that made it."""

    finished = Signal(object)
    failed = Signal(object)

    def __init__(self, work: Callable[[], Any], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._work = work
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="p2pdesk-task", daemon=True)
        self._thread.start()

    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _run(self) -> None:
        try:
            result = self._work()
        except Exception as exc:  # noqa: BLE001 - handed to the GUI thread, which says what went wrong
            self.failed.emit(exc)
        else:
            self.finished.emit(result)
