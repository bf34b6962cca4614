"""Work off the GUI thread: slow work (rendering and signing a record, verifying it) as a Task
whose result arrives as a signal, and the store's reads and writes on a StoreLine, waited for
without freezing the window."""

from __future__ import annotations

import math
import queue
import threading
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEventLoop, QObject, QTimer, Signal

from p2pdesk.domain.errors import StoreUnavailable


class Task(QObject):
    """One piece of work on its own thread; its signals arrive on the thread that made it.

    Signals:
        finished(result: object): on the GUI thread, with what the work returned.
        failed(error: object): on the GUI thread, with the exception it raised.
    """

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


#: How long the window waits for the store as a plain call (a note on a local file takes a few
#: milliseconds) before it waits with the window drawn, its clock running and the wait said.
QUICK_S = 0.05
#: How long the store may take before the physician is told the window is waiting for it.
SAY_AFTER_MS = 500
#: How long the window waits for one answer before it stops waiting: the piece of work is then
#: refused as not answered (the text it was asked for stays where it was typed), and the keyboard
#: and the window's close are the physician's again. The store may still do it later (``late``);
#: until it has, what else is asked of it is refused at once (it would only queue behind), said so.
GIVE_UP_S = 20.0


class StoreGone(StoreUnavailable):
    """The window was closed while the store had not answered: what was sent may or may not be kept."""


class _Job:
    def __init__(self, work: Callable[[], Any], number: int) -> None:
        self.work = work
        self.number = number  # the line runs them in this order
        self.done = threading.Event()
        self.result: Any = None
        self.error: BaseException | None = None
        self.given_up = False  # the window stopped waiting for it
        self.settled = threading.Lock()  # done and given_up change under it


class StoreLine(QObject):
    """The store's work, run in the order asked on a thread of its own, so that a database that
    does not answer (a shared server that hangs, a file another program holds) never freezes the
    window.

    ``run`` returns what the work returns, as a plain call would. A store that answers at once is
    simply waited for; one that does not is waited for with the window still drawn (its clock
    running, a signing finishing) while the keyboard and mouse wait: what is typed meanwhile is
    kept by the window system and arrives, in order, once the store has answered, as it would in
    a window that had frozen. After SAY_AFTER_MS, ``say`` is told how long it has waited, each
    second; it is told "" when a wait that was not simple ends. After GIVE_UP_S the window stops
    waiting: ``run`` raises StoreUnavailable, and if the store finishes that work later, ``late``
    is emitted; until then, ``run`` raises StoreUnavailable at once, without queueing its work
    (it could only wait behind the work not answered: the physician would lose GIVE_UP_S on each
    Enter).

    Signals:
        answered(): on the GUI thread, each time a piece of work has finished.
        late(): on the GUI thread, when work the window had stopped waiting for has finished.
    """

    answered = Signal()
    late = Signal()

    def __init__(self, say: Callable[[str], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._say = say
        self._jobs: queue.SimpleQueue[_Job] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._waiting_since: float | None = None
        self._queued = 0
        self._unanswered: tuple[_Job, float] | None = None  # work given up and not yet done; since when

    def waiting(self) -> bool:
        """Whether the window is waiting for the store now."""
        return self._waiting_since is not None

    def unanswered(self) -> bool:
        """Whether work the window stopped waiting for is still not done (the line is held by it)."""
        return self._unanswered is not None and not self._unanswered[0].done.is_set()

    def run(self, work: Callable[[], Any]) -> Any:
        """What ``work`` returns (or raises), run on the store's thread; StoreUnavailable when the
        store has not answered in GIVE_UP_S, StoreGone when the window is closed before it has."""
        if self._thread is None:
            # A daemon: a store that never answers must not keep the process from ending.
            self._thread = threading.Thread(target=self._serve, name="p2pdesk-store-line", daemon=True)
            self._thread.start()
        if self.unanswered():
            waited = math.ceil(time.monotonic() - self._unanswered[1])  # type: ignore[index]
            raise StoreUnavailable(f"it has still not answered what was sent {waited} s ago")
        self._queued += 1
        job = _Job(work, self._queued)
        self._jobs.put(job)
        if not job.done.wait(QUICK_S):
            sent = time.monotonic()
            gave_up = self._wait_drawn(job)
            with job.settled:
                if not job.done.is_set():
                    job.given_up = True
                    if self._unanswered is None or self._unanswered[0].number < job.number:
                        self._unanswered = (job, sent)  # the last one queued: when it is done, all are
                    if gave_up:
                        raise StoreUnavailable(f"it has not answered in {GIVE_UP_S:.0f} s")
                    raise StoreGone("the window closed before the database answered")
        if job.error is not None:
            raise job.error
        return job.result

    def _serve(self) -> None:
        while True:
            job = self._jobs.get()
            try:
                result, error = job.work(), None
            except BaseException as exc:  # noqa: BLE001 - raised again on the GUI thread, by run()
                result, error = None, exc
            with job.settled:
                job.result, job.error = result, error
                job.done.set()
                late = job.given_up
            self.answered.emit()
            if late:
                self.late.emit()

    def _wait_drawn(self, job: _Job) -> bool:
        """Wait for ``job`` with the window drawn; whether the wait was given up (GIVE_UP_S)."""
        outer = self._waiting_since
        self._waiting_since = started = outer if outer is not None else time.monotonic()
        loop = QEventLoop()
        self.answered.connect(loop.quit)
        ticker = QTimer()
        gave_up = QTimer()
        gave_up.setSingleShot(True)
        gave_up.timeout.connect(loop.quit)
        gave_up.start(int(GIVE_UP_S * 1000))

        def tick() -> None:
            ticker.setInterval(1000)
            self._say_waited(started)

        ticker.timeout.connect(tick)
        ticker.start(max(SAY_AFTER_MS - int((time.monotonic() - started) * 1000), 0))
        try:
            while not job.done.is_set() and gave_up.isActive():
                if loop.exec(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents) != 0:
                    break  # the application is quitting
            return not job.done.is_set() and not gave_up.isActive()
        finally:
            ticker.stop()
            gave_up.stop()
            self.answered.disconnect(loop.quit)
            self._waiting_since = outer
            if outer is None:
                self._say("")

    def _say_waited(self, started: float) -> None:
        seconds = math.ceil(time.monotonic() - started)
        self._say(
            f"Waiting for the database to answer ({seconds} s so far). What you type is kept and entered "
            "once it answers."
        )
