"""The designee's follow-ups after sealed calls, soonest due first; each marked done with how.

Signals:
    completeRequested(follow_up_id: int, how: str): Enter in the "how confirmed" field.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel, QLineEdit, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from p2pdesk.ui.note_pane import PROBLEM_STYLE, message_line


class FollowUpsView(QWidget):
    completeRequested = Signal(int, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(
                "<b>Follow-ups</b> — select one, type how it was confirmed, Enter marks it done · Escape goes back",
                self,
            )
        )
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("followUps")
        self.tree.setRootIsDecorated(False)
        self.tree.setHeaderLabels(["Due (local)", "Status", "Case", "Call", "What"])
        self.tree.setColumnWidth(0, 130)
        self.tree.setColumnWidth(2, 220)
        layout.addWidget(self.tree, 1)
        self.how = QLineEdit(self)
        self.how.setObjectName("followUpHow")
        self.how.setPlaceholderText("How it was confirmed: fax of 11-21, portal screenshot, EOB paid $1,240 on…")
        self.how.returnPressed.connect(self._complete)
        layout.addWidget(self.how)
        # What was refused, in red under the entry (a placeholder is hidden by whatever is typed).
        self.problem = message_line(self, "followUpProblem", PROBLEM_STYLE)
        layout.addWidget(self.problem)
        self._ids: list[int] = []
        # What was typed in "how" is the selected follow-up's: kept with it, by id, while another
        # is selected (and put back when it is selected again), never marked on another one.
        self._selected: int | None = None
        self._typed: dict[int, str] = {}
        self._left = ""  # what was typed for follow-ups no longer listed, as said under the list
        self.tree.currentItemChanged.connect(lambda item, _before: self._select(self._id_of(item)))

    def show_items(self, rows: list[tuple[int, str, str, str, str, str]]) -> None:
        """Rows of (id, due text, status, case text, call text, what). The follow-up selected
        stays selected while it is listed; else the first is."""
        selected = self._selected
        self.tree.clear()
        self._ids = []
        for follow_up_id, due, status, case, call, what in rows:
            item = QTreeWidgetItem([due, status, case, call, what])
            if status in ("overdue", "today"):
                item.setForeground(1, QColor("#b00020"))
            self.tree.addTopLevelItem(item)
            self._ids.append(follow_up_id)
        # Typed for one no longer listed (done at another desk meanwhile): said under the list, with
        # the words typed, and filed on none of the others.
        gone = {key: text for key, text in self._typed.items() if key not in self._ids}
        self._typed = {key: text for key, text in self._typed.items() if key in self._ids}
        self._left = "; ".join(f"“{text.strip()}”" for text in gone.values())
        self.show_problem("A follow-up was marked done elsewhere meanwhile." if self._left else "")
        if self._ids:
            row = self._ids.index(selected) if selected in self._ids else 0
            self.tree.setCurrentItem(self.tree.topLevelItem(row))

    def _id_of(self, item: QTreeWidgetItem | None) -> int | None:
        row = self.tree.indexOfTopLevelItem(item) if item is not None else -1
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def _select(self, follow_up_id: int | None) -> None:
        if follow_up_id == self._selected:
            return
        if self._selected is not None and self.how.text().strip():
            self._typed[self._selected] = self.how.text()
        self._selected = follow_up_id
        self.how.setText(self._typed.pop(follow_up_id, "") if follow_up_id is not None else "")

    def _complete(self) -> None:
        if self._selected is not None:
            self.completeRequested.emit(self._selected, self.how.text())

    def show_problem(self, message: str) -> None:
        """Say why the follow-up was not marked done ("" hides the line); what was typed stays (for
        one no longer listed, its words are said here)."""
        if self._left:
            message = f"{message} What was typed for it, not filed on another: {self._left}".strip()
        self.problem.setText(message)
        self.problem.setVisible(bool(message))

    def focus_list(self) -> None:
        self.tree.setFocus()
