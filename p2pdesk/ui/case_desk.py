"""The desk for one case: brief, script and notes side by side, or one at a time in a narrow column.

Below ``NARROW_WIDTH`` pixels (a column beside the EHR) a tab bar appears and only the chosen
pane shows (Alt+1, Alt+2, Alt+3); wider, the three stand side by side. The panes never change
parent, so nothing typed in them is disturbed by a resize.
"""

from __future__ import annotations

from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QSplitter, QVBoxLayout, QWidget

TYPE_CHECKING = False  # not typing's: see p2pdesk.ui.qt
if TYPE_CHECKING:
    from PySide6.QtWidgets import QTabBar

NARROW_WIDTH = 980


class CaseDesk(QWidget):
    """Holds the three panes; owns only their arrangement."""

    def __init__(self, brief: QWidget, script: QWidget, notes: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._panes = [brief, script, notes]
        self._current = 0
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(0)
        self.tab_bar: QTabBar | None = None  # made the first time the desk is narrow: the first frame is wide
        self.splitter = QSplitter(parent=self)  # positional parent: see p2pdesk.ui.qt
        self.splitter.setChildrenCollapsible(False)
        for pane, stretch in zip(self._panes, (12, 7, 8), strict=True):
            self.splitter.addWidget(pane)
            self.splitter.setStretchFactor(self.splitter.indexOf(pane), stretch)
        self.splitter.setSizes([640, 340, 386])
        self._layout.addWidget(self.splitter, 1)
        self.narrow: bool | None = None
        self._arrange(False)

    def _arrange(self, narrow: bool) -> None:
        if narrow == self.narrow:
            return
        self.narrow = narrow
        if narrow and self.tab_bar is None:
            from PySide6.QtWidgets import QTabBar

            self.tab_bar = QTabBar(self)
            self.tab_bar.setObjectName("narrowTabs")
            for n, title in enumerate(("Brief", "Script", "Notes"), start=1):
                self.tab_bar.addTab(f"{title} (Alt+{n})")
            self.tab_bar.setCurrentIndex(self._current)
            self.tab_bar.currentChanged.connect(self._show_only)
            self._layout.insertWidget(0, self.tab_bar)
        if self.tab_bar is not None:
            self.tab_bar.setVisible(narrow)
        if narrow:
            # The pane the physician is typing in stays in front.
            from p2pdesk.ui.qt import focus_within

            for index, pane in enumerate(self._panes):
                if focus_within(pane) is not None:
                    self._current = index
                    if self.tab_bar is not None:
                        self.tab_bar.setCurrentIndex(index)
            self._show_only(self._current)
        else:
            for pane in self._panes:
                pane.show()

    def _show_only(self, index: int) -> None:
        self._current = index
        if not self.narrow:
            return
        for i, pane in enumerate(self._panes):
            pane.setVisible(i == index)

    def current_pane(self) -> QWidget:
        """The pane in front: in a narrow column, the one showing."""
        return self._panes[self._current]

    def show_pane(self, index: int) -> None:
        """Bring pane ``index`` (0 brief, 1 script, 2 notes) forward and give it focus."""
        if self.tab_bar is not None:
            self.tab_bar.setCurrentIndex(index)  # shows it, through _show_only
        self._show_only(index)
        self._panes[index].setFocus()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        self._arrange(event.size().width() < NARROW_WIDTH)
        super().resizeEvent(event)
