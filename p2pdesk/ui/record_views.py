"""The signed record on screen: a preview of its PDF with its verdict, and the list of records.

RecordsView signals:
    previewRequested(record_id: int): Enter on a record.
"""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import QDialog, QLabel, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from p2pdesk.domain.sealed import SealedRecord
from p2pdesk.ui.note_pane import PROBLEM_STYLE, message_line


class RecordPreview(QDialog):
    """A signed record's pages and what verification found. Not modal: the desk stays usable."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("recordPreview")
        self.resize(760, 900)
        layout = QVBoxLayout(self)
        self.verdict = QLabel(self)
        self.verdict.setObjectName("verdict")
        self.verdict.setWordWrap(True)
        layout.addWidget(self.verdict)
        self.document = QPdfDocument(self)
        self.view = QPdfView(self)
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        layout.addWidget(self.view, 1)
        self._buffer: QBuffer | None = None

    def show_record(self, record: SealedRecord, verdict_lines: list[str], *, activate: bool = True) -> None:
        """Show ``record``; with ``activate`` False (just sealed) the desk keeps the keyboard."""
        self.setWindowTitle(f"p2pdesk record {record.id} — call {record.call_id}, version {record.version}")
        self.verdict.setText(
            "\n".join(verdict_lines)
            + "\n(The visible signature block at the top right of page 1 is drawn by PDF readers such as "
            "Adobe Reader; this preview shows the pages without it.)"
        )
        self.document.close()
        self._buffer = QBuffer(self)
        self._buffer.setData(QByteArray(record.pdf))
        self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document.load(self._buffer)
        from PySide6.QtCore import Qt  # late on purpose: see p2pdesk.ui.qt

        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating, not activate)
        self.show()
        self.raise_()
        if activate:
            self.activateWindow()
        elif self.parentWidget() is not None:  # some platforms activate a window shown all the same
            self.parentWidget().activateWindow()


class _RecordTree(QTreeWidget):
    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        from PySide6.QtCore import Qt  # late on purpose: see p2pdesk.ui.qt

        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentItem() is not None:
            self.itemActivated.emit(self.currentItem(), 0)
            return
        super().keyPressEvent(event)


_VERDICT = 6  # the records list's column saying whether the record verifies


class RecordsView(QWidget):
    previewRequested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(
                "<b>Sealed records</b> — Enter previews the selected record · Ctrl+E exports it · Escape goes back",
                self,
            )
        )
        self.tree = _RecordTree(self)
        self.tree.setObjectName("records")
        self.tree.setRootIsDecorated(False)
        self.tree.setHeaderLabels(
            ["Record", "Call", "Patient · payer · service", "Version", "Sealed (local)", "Signed by", "Verification"]
        )
        self.tree.setColumnWidth(2, 300)
        self.tree.setColumnWidth(4, 150)
        self.tree.setColumnWidth(5, 200)
        self.tree.itemActivated.connect(lambda item, _c: self.previewRequested.emit(int(item.text(0))))
        layout.addWidget(self.tree, 1)
        self.message = message_line(self, "recordsMessage", "")  # what an export came to
        layout.addWidget(self.message)
        self._rows: dict[int, QTreeWidgetItem] = {}

    def show_message(self, message: str, *, problem: bool = False) -> None:
        """Say what was done with a record (an export written, or why not); "" hides the line."""
        self.message.setText(message)
        self.message.setStyleSheet(PROBLEM_STYLE if problem else "")
        self.message.setVisible(bool(message))

    def show_records(self, records: list[SealedRecord], about: dict[int, str]) -> None:
        """List ``records``; ``about``: by call id, whose case it is (patient, payer, service)."""
        self.tree.clear()
        self._rows = {}
        for record in records:
            item = QTreeWidgetItem(
                [
                    str(record.id),
                    str(record.call_id),
                    about.get(record.call_id, ""),
                    str(record.version),
                    record.sealed_at.astimezone().strftime("%Y-%m-%d %H:%M"),
                    record.signer_name,
                    "checking…",
                ]
            )
            self.tree.addTopLevelItem(item)
            self._rows[record.id] = item  # type: ignore[index]
        if self.tree.topLevelItemCount():
            self.tree.setCurrentItem(self.tree.topLevelItem(0))

    def set_verdict(self, record_id: int, ok: bool, detail: str) -> None:
        item = self._rows.get(record_id)
        if item is not None:
            item.setText(_VERDICT, ("valid" if ok else "NOT VALID: ") + ("" if ok else detail))
            item.setToolTip(_VERDICT, detail)

    def verification(self, record_id: int) -> str:
        return self._rows[record_id].text(_VERDICT)

    def selected_record_id(self) -> int | None:
        item = self.tree.currentItem()
        return None if item is None else int(item.text(0))

    def focus_list(self) -> None:
        self.tree.setFocus()
