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

    def show_items(self, rows: list[tuple[int, str, str, str, str, str]]) -> None:
        """Rows of (id, due text, status, case text, call text, what)."""
        self.tree.clear()
        self._ids = []
        for follow_up_id, due, status, case, call, what in rows:
            item = QTreeWidgetItem([due, status, case, call, what])
            if status in ("overdue", "today"):
                item.setForeground(1, QColor("#b00020"))
            self.tree.addTopLevelItem(item)
            self._ids.append(follow_up_id)
        if self._ids:
            self.tree.setCurrentItem(self.tree.topLevelItem(0))

    def _complete(self) -> None:
        row = self.tree.indexOfTopLevelItem(self.tree.currentItem()) if self.tree.currentItem() else -1
        if row >= 0:
            self.completeRequested.emit(self._ids[row], self.how.text())

    def show_problem(self, message: str) -> None:
        """Say why the follow-up was not marked done ("" hides the line); what was typed stays."""
        self.problem.setText(message)
        self.problem.setVisible(bool(message))

    def focus_list(self) -> None:
        self.tree.setFocus()
