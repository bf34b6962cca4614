"""The home view: every case with its calls. Enter opens the selected case or call.

Signals:
    caseOpenRequested(case_id: int)
    callOpenRequested(case_id: int, call_id: int)
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QColor, QKeyEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from p2pdesk.domain.summary import CaseSummary

_CASE, _CALL = 1, 2


class _CaseTree(QTreeWidget):
    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        from PySide6.QtCore import Qt  # late on purpose: see p2pdesk.ui.qt

        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentItem() is not None:
            self.itemActivated.emit(self.currentItem(), 0)
            return
        super().keyPressEvent(event)


class _FindField(QLineEdit):
    """The find field: Down goes to the list, Enter opens the first case found."""

    def __init__(self, home: HomeView) -> None:
        super().__init__(home)
        self._home = home

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        from PySide6.QtCore import Qt  # late on purpose: see p2pdesk.ui.qt

        if event.key() == Qt.Key.Key_Down:
            self._home.focus_list()
            return
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            item = self._home.tree.currentItem()
            if item is not None and not item.isHidden():
                self._home.tree.itemActivated.emit(item, 0)
            return
        super().keyPressEvent(event)


def _folded(text: str) -> str:
    """``text`` as the find field compares it: without case or accents ("Zoe" finds "Zoë")."""
    import unicodedata

    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).casefold()


def _words_of(case: CaseSummary) -> str:
    """What the find field looks in: the case number, the patient, the plan's identifiers and the codes."""
    return _folded(
        " ".join(
            (
                f"#{case.id}",
                case.patient_name,
                case.member_id,
                case.claim_number,
                case.payer,
                case.service_code,
                case.diagnosis_code,
            )
        )
    )


def _readiness_text(gaps: int | None) -> str:
    if gaps is None:
        return ""
    return "ready" if gaps == 0 else f"{gaps} to fix"


class HomeView(QWidget):
    caseOpenRequested = Signal(int)
    callOpenRequested = Signal(int, int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._cases: list[CaseSummary] = []
        self._words: list[str] = []  # per case, what the find field looks in
        layout = QVBoxLayout(self)
        title = QLabel(
            "<b>Cases</b> — Enter opens the selected case or call · Ctrl+Shift+S starts a call on it"
            " · Ctrl+O imports a case file",
            self,
        )
        title.setWordWrap(True)  # two lines in a narrow column beside the EHR, rather than a wider window
        layout.addWidget(title)
        self.way_back = QLabel("", self)  # the call still going on, and how to get back to it
        self.way_back.setObjectName("wayBack")
        self.way_back.setStyleSheet("color:#b00020;font-weight:700;")
        self.way_back.setWordWrap(True)
        self.way_back.hide()
        layout.addWidget(self.way_back)
        self.follow_ups_due = QLabel("", self)
        self.follow_ups_due.setObjectName("followUpsDue")
        self.follow_ups_due.setStyleSheet("color:#b00020;font-weight:600;")
        self.follow_ups_due.hide()
        layout.addWidget(self.follow_ups_due)
        self.notice = QLabel("", self)  # what the desk could not do when asked, until the next visit
        self.notice.setObjectName("notice")
        self.notice.setWordWrap(True)
        self.notice.hide()
        layout.addWidget(self.notice)
        self.practice_problems = QLabel("", self)
        self.practice_problems.setObjectName("practiceProblems")
        self.practice_problems.setStyleSheet("color:#b00020;")
        self.practice_problems.setWordWrap(True)
        self.practice_problems.hide()
        layout.addWidget(self.practice_problems)
        find_row = QHBoxLayout()
        self.find = _FindField(self)
        self.find.setObjectName("findCase")
        self.find.setPlaceholderText("Find a case: patient, member or claim number, payer, code, #number (Ctrl+F)")
        self.find.setClearButtonEnabled(True)
        self.find.textChanged.connect(self._apply_find)
        find_row.addWidget(self.find, 1)
        self.found = QLabel("", self)
        self.found.setObjectName("found")
        find_row.addWidget(self.found)
        layout.addLayout(find_row)
        self.tree = _CaseTree(self)
        self.tree.setObjectName("cases")
        self.tree.setHeaderLabels(
            ["Case / call", "Payer", "Service", "Diagnosis", "Denied", "Calls / outcome", "Readiness", "Next deadline"]
        )
        self.tree.setAlternatingRowColors(True)
        self.tree.setColumnWidth(0, 260)
        self.tree.setColumnWidth(1, 220)
        self.tree.itemActivated.connect(self._activated)
        layout.addWidget(self.tree, 1)

    def show_cases(
        self,
        cases: list[CaseSummary],
        readiness: dict[int, int] | None = None,
        deadlines: dict[int, tuple[str, str]] | None = None,
    ) -> None:
        """List cases (in the order given: soonest deadline first) with calls, readiness and the
        next deadline as (status, text), status being overdue, today or upcoming."""

        self.tree.clear()
        self._cases = list(cases)
        self._words = [_words_of(case) for case in cases]
        for case in cases:
            denied = case.denial_date.isoformat() if case.denial_date else "—"
            item = QTreeWidgetItem(
                [
                    f"#{case.id}  {case.patient_name}",
                    case.payer,
                    case.service_code,
                    case.diagnosis_code,
                    denied,
                    f"{len(case.calls)} call(s)",
                    _readiness_text((readiness or {}).get(case.id)),
                    "",
                ]
            )
            status, text = (deadlines or {}).get(case.id, ("", ""))
            if text:
                mark = {"overdue": "OVERDUE · ", "today": "TODAY · "}.get(status, "")
                item.setText(7, f"{mark}{text}")
                if mark:
                    item.setForeground(7, QColor("#b00020"))
            for call in case.calls:
                when = call.started_at.astimezone().strftime("%Y-%m-%d %H:%M")
                status = call.disposition or ("in progress" if not call.ended else "ended, no outcome")
                reviewer = f" · {call.reviewer_name}" if call.reviewer_name else ""
                child = QTreeWidgetItem([f"Call {when}{reviewer}", "", "", "", "", status])
                item.addChild(child)
            item.setToolTip(0, f"Member {case.member_id or '—'} · claim {case.claim_number or '—'}")
            for column in range(1, item.columnCount()):
                item.setToolTip(column, item.text(column))  # read whole where the column cuts it
            self.tree.addTopLevelItem(item)
            item.setExpanded(True)
        if self.tree.topLevelItemCount():
            self.tree.setCurrentItem(self.tree.topLevelItem(0))
        self._apply_find(self.find.text())

    def _apply_find(self, text: str) -> None:
        """Show only the cases holding every word typed, with their calls; the first one shown is
        selected, and none when none is shown (nothing can be started on a case not in sight)."""
        words = _folded(text).split()
        shown = 0
        first = None
        for index, haystack in enumerate(self._words):
            item = self.tree.topLevelItem(index)
            hidden = not all(word in haystack for word in words)
            item.setHidden(hidden)
            if not hidden:
                shown += 1
                first = first or item
        if not words:
            self.found.setText("")
        elif shown:
            self.found.setText(f"{shown} of {len(self._words)} cases")
        else:
            self.found.setText(f"No case holds “{text.strip()}”")
        if self.selected_case_id() is None:
            self.tree.setCurrentItem(first)

    def _ids(self, item: QTreeWidgetItem) -> tuple[int, int, int]:
        """(kind, case id, call id) of a row, from its place in the list (no Python objects are
        stored on the items: item data of that kind crashed PySide6 on long lists)."""
        parent = item.parent()
        if parent is None:
            return _CASE, self._cases[self.tree.indexOfTopLevelItem(item)].id, 0
        case = self._cases[self.tree.indexOfTopLevelItem(parent)]
        return _CALL, case.id, case.calls[parent.indexOfChild(item)].id

    def show_follow_ups_due(self, lines: list[str]) -> None:
        """List the follow-ups due today or overdue (Ctrl+Shift+U opens them to mark them done)."""
        shown = lines[:5] + ([f"… and {len(lines) - 5} more"] if len(lines) > 5 else [])
        self.follow_ups_due.setText("Follow-ups due (Ctrl+Shift+U): " + " · ".join(shown) if lines else "")
        self.follow_ups_due.setWordWrap(True)
        self.follow_ups_due.setVisible(bool(lines))

    def show_way_back(self, message: str) -> None:
        """Say what Escape goes back to while it matters, a call going on ("" hides the line)."""
        self.way_back.setText(message)
        self.way_back.setVisible(bool(message))

    def show_notice(self, message: str) -> None:
        """Say why the list is shown instead of what was asked for ("" hides the line)."""
        self.notice.setText(message)
        self.notice.setVisible(bool(message))

    def show_practice_problems(self, message: str) -> None:
        """Name the practice's files that could not be used ("" hides the line)."""
        self.practice_problems.setText(message)
        self.practice_problems.setVisible(bool(message))

    def selected_case_id(self) -> int | None:
        """The case of the selected row (a call row counts for its case)."""
        item = self.tree.currentItem()
        if item is None or (item.parent() or item).isHidden():
            return None

        return self._ids(item)[1]

    def focus_list(self) -> None:
        self.tree.setFocus()

    def focus_find(self) -> None:
        self.find.setFocus()
        self.find.selectAll()

    def _activated(self, item: QTreeWidgetItem, _column: int) -> None:

        kind, case_id, call_id = self._ids(item)
        if kind == _CASE:
            self.caseOpenRequested.emit(case_id)
        else:
            self.callOpenRequested.emit(case_id, call_id)
