"""The desk for one case: brief, script and notes side by side, or as tabs in a narrow column.

Below ``NARROW_WIDTH`` pixels (a column beside the EHR) the three panes become tabs
(Alt+1, Alt+2, Alt+3); wider, they stand side by side in a splitter.
"""

from __future__ import annotations

from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QSplitter, QStackedLayout, QTabWidget, QWidget

NARROW_WIDTH = 980


class CaseDesk(QWidget):
    """Holds the three panes; owns only their arrangement."""

    def __init__(
        self, brief: QWidget, script: QWidget, notes: QWidget, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._panes = [(brief, "Brief"), (script, "Script"), (notes, "Notes")]
        self._splitter = QSplitter(self)
        self._splitter.setChildrenCollapsible(False)
        self._tabs = QTabWidget(self)
        self._tabs.setObjectName("narrowTabs")
        self._stack = QStackedLayout(self)
        self._stack.addWidget(self._splitter)
        self._stack.addWidget(self._tabs)
        self.narrow: bool | None = None
        self._arrange(False)

    def _arrange(self, narrow: bool) -> None:
        if narrow == self.narrow:
            return
        self.narrow = narrow
        for widget, title in self._panes:
            if narrow:
                self._tabs.addTab(widget, f"{len(self._tabs) + 1} {title}")
            else:
                self._splitter.addWidget(widget)
        if not narrow:
            self._splitter.setStretchFactor(0, 12)
            self._splitter.setStretchFactor(1, 7)
            self._splitter.setStretchFactor(2, 8)
            self._splitter.setSizes([640, 340, 386])
        for widget, _ in self._panes:
            widget.show()
        self._stack.setCurrentWidget(self._tabs if narrow else self._splitter)

    def show_pane(self, index: int) -> None:
        """Bring pane ``index`` (0 brief, 1 script, 2 notes) forward and give it focus."""
        widget = self._panes[index][0]
        if self.narrow:
            self._tabs.setCurrentWidget(widget)
        widget.setFocus()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        self._arrange(event.size().width() < NARROW_WIDTH)
        super().resizeEvent(event)
