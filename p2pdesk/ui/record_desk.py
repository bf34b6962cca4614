"""The window's part for signed records: sealing, addenda, the records list, preview and export.

Rendering, signing and verifying run on worker threads (``p2pdesk.ui.worker``); this object
hands their results back to the window through its signals.

Signals:
    sealed(record: SealedRecord): a record version was sealed and signed.
    problem(message: str): something could not be done; the message says why.
    info(message: str): progress worth saying ("Sealing and signing…").
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from p2pdesk.domain.call import NoteKind
from p2pdesk.ui.record_views import RecordPreview, RecordsView
from p2pdesk.ui.worker import Task

if TYPE_CHECKING:
    from p2pdesk.services.desk import Desk
    from p2pdesk.services.records import Records


def _message(exc: BaseException) -> str:
    problems = getattr(exc, "problems", None)
    if problems:
        return "\n".join(str(p) for p in problems)
    return str(exc) or type(exc).__name__


class RecordDesk(QObject):
    sealed = Signal(object)
    problem = Signal(str)
    info = Signal(str)

    def __init__(self, desk: Callable[[], Desk], window: QWidget) -> None:
        super().__init__(window)
        self._desk = desk
        self._window = window
        self._records: Records | None = None
        self._tasks: set[Task] = set()
        self._addendum_pending = False
        self.view = RecordsView(window)
        self.view.previewRequested.connect(self.preview)
        self.preview_dialog: RecordPreview | None = None

    @property
    def records(self) -> Records:
        if self._records is None:
            from p2pdesk.services.records import Records  # reportlab and pyHanko load on first use

            self._records = Records(self._desk())
        return self._records

    def busy(self) -> bool:
        return any(task.running() for task in self._tasks)

    def _run(
        self, work: Callable[[], Any], done: Callable[[Any], None], failed: Callable[[], None] | None = None
    ) -> None:
        task = Task(work, self)
        self._tasks.add(task)

        def finish(result: Any) -> None:
            self._tasks.discard(task)
            done(result)

        def fail(exc: Any) -> None:
            self._tasks.discard(task)
            if failed is not None:
                failed()
            self.problem.emit(_message(exc))

        task.finished.connect(finish)
        task.failed.connect(fail)
        task.start()

    # Sealing -----------------------------------------------------------------------------------

    def seal(self, call_id: int) -> None:
        """Seal and sign an ended call, off the GUI thread; then preview the signed record."""
        self.info.emit("Sealing and signing the record…")
        records = self.records
        self._run(lambda: self._sealed_and_checked(records.seal_and_sign(call_id)), self._on_sealed)

    def addendum_pending(self) -> bool:
        """An addendum is being signed (one at a time: each makes the call's next record version)."""
        return self._addendum_pending

    def add_addendum(
        self, call_id: int, kind: NoteKind, text: str, settled: Callable[[bool], None], *, entry_key: str | None = None
    ) -> None:
        """A dated addendum to a sealed call: a new signed version of its record. ``settled(True)``
        once it is stored and signed, ``settled(False)`` if it was not (the problem is emitted).
        ``entry_key``: as for Records.add_addendum (sent again, it is stored once)."""
        self.info.emit("Adding the addendum and signing a new version…")
        records = self.records
        self._addendum_pending = True

        def done(result: tuple[Any, list[str]]) -> None:
            self._addendum_pending = False
            settled(True)
            self._on_sealed(result)

        def failed() -> None:
            self._addendum_pending = False
            settled(False)

        self._run(
            lambda: self._sealed_and_checked(records.add_addendum(call_id, kind, text, entry_key=entry_key)),
            done,
            failed,
        )

    def _sealed_and_checked(self, record: Any) -> tuple[Any, list[str]]:
        return record, self.records.verify_stored(record.id).lines()

    def _on_sealed(self, result: tuple[Any, list[str]]) -> None:
        record, lines = result
        # (the call named: another may be on screen by the time its record is signed)
        self.info.emit(
            f"Record version {record.version} of call {record.call_id} sealed and signed · digest {record.digest[:16]}…"
        )
        self.sealed.emit(record)
        self._show_preview(record, lines, activate=False)  # beside the desk: the keys stay with the notes

    # Records list, preview, export ---------------------------------------------------------------

    def show_records(self, records: list[Any], about: dict[int, str]) -> None:
        """List ``records`` (every record, as read from the store; ``about``: by call id, whose
        case it is), then verify each one off the GUI thread."""
        self.view.show_records(records, about)
        for record in records:
            record_id = record.id

            def done(verdict: Any, record_id: int = record_id) -> None:  # type: ignore[assignment]
                self.view.set_verdict(record_id, verdict.ok, "; ".join(verdict.problems) or "all checks hold")

            self._run(lambda record_id=record_id: self.records.verify_stored(record_id), done)

    def preview(self, record_id: int) -> None:
        self._run(
            lambda: (self.records.store.record(record_id), self.records.verify_stored(record_id).lines()),
            lambda result: self._show_preview(*result),
        )

    def _show_preview(self, record: Any, lines: list[str], *, activate: bool = True) -> None:
        if not self._window.isVisible():  # the window was closed while the work ran
            return
        if self.preview_dialog is None:
            self.preview_dialog = RecordPreview(self._window)
        self.preview_dialog.show_record(record, lines, activate=activate)

    def export(self, record_id: int, path: Path) -> None:
        def done(written: Path) -> None:
            self.info.emit(f"Record {record_id} written to {written}")

        def write() -> Path:
            try:
                return self.records.export(record_id, path)
            except OSError as exc:  # said with what was asked, not only the system's words
                raise OSError(f"Record {record_id} not written to {path}: {exc.strerror or exc}") from exc

        self._run(write, done)

    def close(self) -> None:
        if self.preview_dialog is not None:
            self.preview_dialog.close()
