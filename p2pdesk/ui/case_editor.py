"""The case editor: every field of the brief, tables edited in place, each change saved as made.

Each committed change (Enter or leaving a field; a table cell) is one undoable step (Ctrl+Z,
Ctrl+Shift+Z) and is saved at once. A value that breaks a rule is flagged at its field with the
reason; a date that is not a real date stays in its field, flagged, and is not saved until
corrected. The readiness tab lists what the brief still lacks; Enter on an item jumps to it.

Signals:
    saveRequested(case: Case): a change was made; the window saves it and calls saved() or failed().
    briefRequested(): the one-page brief PDF was asked for.
    attemptLogged(outcome, whom, reference, hold_minutes, detail): a scheduling attempt to log.
    demandRequested(): the written demand (after two failed attempts) was asked for.
    schedulingShown(): the scheduling tab came to the front (the window brings its hint up to date).
"""

from __future__ import annotations

import copy
import dataclasses
import re
from datetime import date, datetime
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence, QUndoCommand, QUndoStack
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from p2pdesk.domain.call import written_date
from p2pdesk.domain.case import (
    CASE_LISTS,
    Case,
    PlanType,
)
from p2pdesk.domain.validation import MAX_BOTTOM_LINE_SENTENCES, bottom_line_problems, sentences
from p2pdesk.playbook.readiness import ReadinessItem, readiness

#: (field, label, kind) per tab; kind is text, para, date, plan or flag (a check box).
FORM: dict[str, list[tuple[str, str, str]]] = {
    "Case": [
        ("patient_name", "Patient name", "text"),
        ("patient_dob", "Date of birth", "date"),
        ("patient_mrn", "MRN", "text"),
        ("payer", "Payer", "text"),
        ("plan_name", "Plan", "text"),
        ("plan_type", "Plan type", "plan"),
        ("state", "State (two letters)", "upper"),
        ("member_id", "Member ID", "text"),
        ("group_number", "Group number", "text"),
        ("claim_number", "Claim / PA number", "text"),
        ("authorization_number", "Authorization number", "text"),
        ("physician_name", "Physician", "text"),
        ("physician_credentials", "Credentials", "text"),
        ("physician_specialty", "Specialty (as precise as the reviewer should be)", "text"),
        ("physician_npi", "NPI", "text"),
    ],
    "Clinical": [
        ("diagnosis_code", "Diagnosis (ICD-10-CM)", "upper"),
        ("diagnosis_description", "Diagnosis description", "text"),
        ("service_code", "Service (CPT/HCPCS)", "upper"),
        ("service_description", "Service description", "text"),
        ("service_start", "Service from", "date"),
        ("service_end", "Service to", "date"),
        ("requested_on", "Request made on", "date"),
        ("urgent", "Urgent (expedited) request", "flag"),
        ("denial_date", "Denial date", "date"),
        ("appeal_filed_on", "Internal appeal filed on (if any)", "date"),
        ("final_denial_date", "Final internal denial (if any)", "date"),
        ("external_review_requested_on", "External review requested on (if any)", "date"),
        ("denial_code", "Denial code", "text"),
        ("denial_reason", "Denial reason (as the letter states it)", "para"),
        ("bottom_line", "Clinical bottom line", "para"),
        ("consequence", "If the denial stands", "para"),
    ],
    "Policy": [("policy_name", "Policy name", "text"), ("policy_number", "Policy number", "text")],
}

#: (attribute, label, kind) per column of each table; kind is text, date or int.
TABLES: dict[str, tuple[str, list[tuple[str, str, str]]]] = {
    "severity_measures": (
        "Clinical",
        [
            ("name", "Measure", "text"),
            ("value", "Value", "text"),
            ("unit", "Unit", "text"),
            ("measured_on", "Date", "date"),
        ],
    ),
    "comorbidities": ("Clinical", [("text", "Comorbidity", "text")]),
    "prior_treatments": (
        "Treatments",
        [
            ("therapy", "Therapy", "text"),
            ("dose", "Dose", "text"),
            ("start", "Start", "date"),
            ("end", "End", "date"),
            ("outcome", "Outcome", "text"),
            ("why_stopped", "Why stopped / contraindicated", "text"),
        ],
    ),
    "guidelines": (
        "Evidence",
        [
            ("organization", "Organisation", "text"),
            ("title", "Title", "text"),
            ("year", "Year", "int"),
            ("recommendation", "Recommendation category", "text"),
            ("pmid", "PubMed ID", "text"),
        ],
    ),
    "criteria": (
        "Policy",
        [
            ("text", "Criterion", "text"),
            ("patient_fact", "Patient's fact", "text"),
            ("evidence", "Where documented", "text"),
        ],
    ),
    "objections": ("Objections", [("objection", "Objection", "text"), ("answer", "Prepared answer", "text")]),
}


#: Each field's label, by the case's attribute.
_FIELD_LABELS = {key: label for entries in FORM.values() for key, label, _ in entries}


def _table_title(attr: str) -> str:
    """A table's title, as the editor shows it over the table ("Prior treatments")."""
    return attr.replace("_", " ").capitalize()


def _cell_value(attr: str, item: Any, column: str) -> Any:
    """The value of ``column`` in one row of table ``attr`` (a one-column table's rows are the values)."""
    return item if CASE_LISTS[attr] is None else getattr(item, column)


def _as_labelled(message: str) -> str:
    """A message from the store, with the editor's words for the table cells it names:
    "guidelines[1].year" (the case file's paths count rows from 0) is "Guidelines row 2, Year"."""

    def cell(match: re.Match[str]) -> str:
        table, row, column = match.group(1), int(match.group(2)) + 1, match.group(3)
        labels = {key: label for key, label, _ in TABLES[table][1]} if table in TABLES else {}
        where = f"{_table_title(table)} row {row}"
        return f"{where}, {labels.get(column, column)}" if column else where

    return re.sub(r"\b(\w+)\[(\d+)\](?:\.(\w+))?", cell, message)


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, PlanType):
        return value.value
    return str(value)


def _parse(kind: str, text: str) -> tuple[Any, str]:
    """(value, problem) for a cell or field as typed."""
    text = text.strip()
    if kind == "date":
        if not text:
            return None, ""
        try:
            return written_date(text), ""
        except ValueError:
            return None, f"{text!r} is not a real date as YYYY-MM-DD; not saved until corrected"
    if kind == "int":
        if not text:
            return None, ""
        if not (text.isascii() and text.isdigit()):  # ("²" is a digit to isdigit, not to int)
            return None, f"{text!r} is not a year; not saved until corrected"
        return int(text), ""
    if kind == "upper":  # codes and state abbreviations are kept in capitals, as case files have them
        return text.upper(), ""
    return text, ""


class _Edit(QUndoCommand):
    """One change to the case; redo and undo both save."""

    def __init__(self, editor: CaseEditor, before: Case, after: Case, label: str) -> None:
        super().__init__(label)
        self._editor, self._before, self._after = editor, before, after

    def redo(self) -> None:
        self._editor.apply(self._after, save=True)

    def undo(self) -> None:
        self._editor.apply(self._before, save=True)


class _CommitOnLeave(QObject):
    """Commits a multi-line field when the focus leaves it."""

    def __init__(self, commit: Any, parent: QObject) -> None:
        super().__init__(parent)
        self._commit = commit

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.FocusOut:
            self._commit()
        return False


class CaseEditor(QWidget):
    saveRequested = Signal(object)
    briefRequested = Signal()
    attemptLogged = Signal(str, str, str, str, str)
    demandRequested = Signal()
    schedulingShown = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("caseEditor")
        self.case: Case | None = None
        self.undo_stack = QUndoStack(self)
        self._loading = False
        self.fields: dict[str, QWidget] = {}
        self.flags: dict[str, QLabel] = {}
        self.tables: dict[str, QTableWidget] = {}
        self._field_tab: dict[str, int] = {}
        self._code_problems: list[tuple[str, str]] = []
        # What was typed and refused, kept on screen (flagged) until corrected, whatever else is
        # edited meanwhile: field key -> its problem; and the tables holding a refused cell.
        self._refused: dict[str, str] = {}
        self._refused_tables: set[str] = set()
        self._changing: list[str] = []  # the fields and tables the save being made changes

        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.title = QLabel("<b>Prepare the case</b>", self)
        top.addWidget(self.title, 1)
        self.status = QLabel("", self)
        self.status.setObjectName("editorStatus")
        top.addWidget(self.status)
        layout.addLayout(top)
        self.tabs = QTabWidget(self)
        layout.addWidget(self.tabs, 1)

        pages: dict[str, QFormLayout] = {}
        for tab in ("Case", "Clinical", "Treatments", "Evidence", "Policy", "Objections"):
            page = QWidget()
            form = QFormLayout(page)
            scroll = QScrollArea(self)
            scroll.setWidget(page)
            scroll.setWidgetResizable(True)
            self.tabs.addTab(scroll, tab)
            pages[tab] = form
        for tab, fields in FORM.items():
            for key, label, kind in fields:
                self._add_field(
                    pages[tab],
                    self.tabs.indexOf(pages[tab].parentWidget().parentWidget().parentWidget()),
                    key,
                    label,
                    kind,
                )
        self.sentence_count = QLabel(self)
        self.sentence_count.setObjectName("sentenceCount")
        bottom_row = [key for key, _, _ in FORM["Clinical"]].index("bottom_line")
        pages["Clinical"].insertRow(bottom_row + 1, "", self.sentence_count)
        self.fields["bottom_line"].textChanged.connect(self._count_sentences)  # type: ignore[attr-defined]
        for attr, (tab, columns) in TABLES.items():
            self._add_table(pages[tab], tab, attr, columns)

        self._build_scheduling()

        self.readiness_list = QListWidget(self)
        self.readiness_list.setObjectName("readiness")
        self.readiness_list.itemActivated.connect(lambda item: self.jump_to(item.data(Qt.ItemDataRole.UserRole)))
        self.tabs.addTab(self.readiness_list, "Readiness")

        for text, keys, slot in (
            ("Undo", QKeySequence.StandardKey.Undo, self.undo_stack.undo),
            ("Redo", QKeySequence.StandardKey.Redo, self.undo_stack.redo),
        ):
            action = QAction(text, self)
            action.setShortcuts(keys)
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.triggered.connect(slot)
            self.addAction(action)
        # Tab to tab from the keyboard, whatever field has the focus (a table would take the keys).
        for text, key, delta in (("Next tab", "Ctrl+PgDown", 1), ("Previous tab", "Ctrl+PgUp", -1)):
            action = QAction(text, self)
            action.setShortcut(QKeySequence(key))
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.triggered.connect(lambda _=False, d=delta: self.step_tab(d))
            self.addAction(action)
        self.tabs.setToolTip("Next tab: Ctrl+PgDown · previous tab: Ctrl+PgUp")

    def step_tab(self, delta: int) -> None:
        """Bring the next (or previous) tab to the front, the focus in its first field."""
        self.commit_pending()
        self.tabs.setCurrentIndex((self.tabs.currentIndex() + delta) % self.tabs.count())
        page = self.tabs.currentWidget()
        candidate = page.nextInFocusChain()
        while candidate is not page and candidate is not None:
            if (
                page.isAncestorOf(candidate)
                and candidate.isVisible()
                and candidate.isEnabled()
                and candidate.focusPolicy() & Qt.FocusPolicy.TabFocus
            ):
                candidate.setFocus()
                return
            candidate = candidate.nextInFocusChain()
        page.setFocus()

    # Building ---------------------------------------------------------------------------------

    def _build_scheduling(self) -> None:
        """The scheduling log: every attempt to reach the plan, and the demand after two failures."""
        page = QWidget(self)
        column = QVBoxLayout(page)
        self.attempts = QTableWidget(0, 6, page)
        self.attempts.setObjectName("attempts")
        self.attempts.setHorizontalHeaderLabels(["When", "Outcome", "Whom", "Reference", "Hold (min)", "What was said"])
        self.attempts.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.attempts.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)  # a log: added to, never edited
        column.addWidget(self.attempts, 1)
        self.offer_hint = QLabel(page)
        self.offer_hint.setObjectName("offerHint")
        self.offer_hint.setWordWrap(True)
        column.addWidget(self.offer_hint)
        form = QFormLayout()
        self.attempt_outcome = QComboBox(page)
        self.attempt_outcome.setObjectName("attemptOutcome")
        self.attempt_outcome.addItem("Failed (not scheduled)", "failed")
        self.attempt_outcome.addItem("Scheduled", "scheduled")
        self.attempt_whom = QLineEdit(page)
        self.attempt_whom.setObjectName("attemptWhom")
        self.attempt_reference = QLineEdit(page)
        self.attempt_reference.setObjectName("attemptReference")
        self.attempt_hold = QLineEdit(page)
        self.attempt_hold.setObjectName("attemptHold")
        self.attempt_hold.setPlaceholderText("minutes")
        self.attempt_detail = QLineEdit(page)
        self.attempt_detail.setObjectName("attemptDetail")
        self.attempt_detail.setPlaceholderText("Enter logs the attempt with the time")
        for label, widget in (
            ("Outcome", self.attempt_outcome),
            ("Whom", self.attempt_whom),
            ("Reference number", self.attempt_reference),
            ("Hold time", self.attempt_hold),
            ("What was said", self.attempt_detail),
        ):
            form.addRow(label, widget)
            if isinstance(widget, QLineEdit):
                widget.returnPressed.connect(self._log_attempt)
        column.addLayout(form)
        self.demand_button = QPushButton("Written demand PDF… (after two failed attempts)", page)
        self.demand_button.setObjectName("demandButton")
        self.demand_button.setEnabled(False)
        self.demand_button.clicked.connect(self.demandRequested)
        column.addWidget(self.demand_button)
        self.tabs.addTab(page, "Scheduling")
        self.tabs.currentChanged.connect(
            lambda index: self.schedulingShown.emit() if self.tabs.widget(index) is page else None
        )

    def _log_attempt(self) -> None:
        self.attemptLogged.emit(
            self.attempt_outcome.currentData(),
            self.attempt_whom.text(),
            self.attempt_reference.text(),
            self.attempt_hold.text(),
            self.attempt_detail.text(),
        )

    def show_offer_window(self, last_day: date | None, urgent_by: datetime | None) -> None:
        """When the times offered to the plan should fall (see p2pdesk.playbook.clock.offer_window),
        ``urgent_by`` in the practice's zone; nothing when ``last_day`` is None."""
        text = ""
        if last_day is not None:
            text = (
                "Offer the plan three times the physician can take the call, on or before "
                f"{last_day:%a %Y-%m-%d} (the next two business days; weekends and US federal holidays skipped)."
            )
        if last_day is not None and urgent_by is not None:
            text += f" Urgent request: one of them before {urgent_by:%a %Y-%m-%d %H:%M %Z}."
        self.offer_hint.setText(text)
        self.offer_hint.setVisible(bool(text))

    def show_attempts(self, attempts: list[Any], demand: bool) -> None:
        """The log as kept, and whether the written demand is now warranted."""
        self.attempts.setRowCount(len(attempts))
        for row, attempt in enumerate(attempts):
            values = [
                attempt.at.astimezone().strftime("%Y-%m-%d %H:%M"),
                attempt.outcome.label,
                attempt.whom,
                attempt.reference,
                "" if attempt.hold_minutes is None else str(attempt.hold_minutes),
                attempt.detail,
            ]
            for col, value in enumerate(values):
                self.attempts.setItem(row, col, QTableWidgetItem(value))
        self.demand_button.setEnabled(demand)
        for edit in (self.attempt_whom, self.attempt_reference, self.attempt_hold, self.attempt_detail):
            edit.clear()

    def _add_field(self, form: QFormLayout, tab_index: int, key: str, label: str, kind: str) -> None:
        if kind == "para":
            widget: QWidget = QPlainTextEdit(self)
            widget.setTabChangesFocus(True)
            widget.setMaximumHeight(70)
            widget.installEventFilter(_CommitOnLeave(lambda k=key: self._commit_field(k), widget))
        elif kind == "plan":
            widget = QComboBox(self)
            for plan in PlanType:
                widget.addItem(plan.label, plan.value)
            widget.activated.connect(lambda _i, k=key: self._commit_field(k))
        elif kind == "flag":
            widget = QCheckBox("the plan's shorter decision clock applies", self)
            widget.toggled.connect(lambda _on, k=key: self._commit_field(k))
        else:
            widget = QLineEdit(self)
            if kind == "date":
                widget.setPlaceholderText("YYYY-MM-DD")
            widget.editingFinished.connect(lambda k=key: self._commit_field(k))
        widget.setObjectName(key)
        widget.setProperty("kind", kind)
        flag = QLabel(self)
        flag.setStyleSheet("color:#b00020;")
        flag.setWordWrap(True)
        flag.hide()
        box = QWidget(self)
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(widget)
        column.addWidget(flag)
        form.addRow(label, box)
        self.fields[key] = widget
        self.flags[key] = flag
        self._field_tab[key] = tab_index

    def _add_table(self, form: QFormLayout, tab: str, attr: str, columns: list[tuple[str, str, str]]) -> None:
        table = QTableWidget(0, len(columns), self)
        table.setObjectName(attr)
        table.setHorizontalHeaderLabels([label for _, label, _ in columns])
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        table.setWordWrap(True)
        table.setMinimumHeight(150)
        table.setProperty("columns", [c for c, _, _ in columns])
        table.itemChanged.connect(lambda _item, a=attr: self._commit_table(a))
        add = QAction("Add row", table)
        add.setShortcut(QKeySequence("Ctrl+Return"))
        add.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        add.triggered.connect(lambda _=False, a=attr: self.add_row(a))
        remove = QAction("Remove row", table)
        remove.setShortcut(QKeySequence("Ctrl+Delete"))
        remove.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        remove.triggered.connect(lambda _=False, a=attr: self.remove_row(a))
        table.addActions([add, remove])
        table.setToolTip("Type to edit a cell · Ctrl+Return adds a row · Ctrl+Delete removes the current row")
        form.addRow(QLabel(f"<b>{_table_title(attr)}</b> (Ctrl+Return adds a row)", self))
        form.addRow(table)
        self.tables[attr] = table
        self._field_tab[attr] = [self.tabs.tabText(i) for i in range(self.tabs.count())].index(tab)

    # Showing -----------------------------------------------------------------------------------

    def show_case(self, case: Case) -> None:
        self.undo_stack.clear()
        self._refused.clear()
        self._refused_tables.clear()
        self.apply(case, save=False)
        self.title.setText(f"<b>Prepare case #{case.id}</b> — {case.patient_name}")

    def apply(self, case: Case, *, save: bool) -> None:
        """Show ``case`` in every field and table (and save it, unless it came from the store)."""
        self._loading = True
        try:
            before, self.case = self.case, copy.deepcopy(case)
            if save and before is not None:  # what this save changes (refused, only this is taken back)
                self._changing = [k for k in (*self.fields, *self.tables) if getattr(before, k) != getattr(case, k)]
            for key, widget in self.fields.items():
                value = getattr(case, key)
                if key in self._refused:
                    if before is not None and getattr(before, key) == value:
                        continue  # the refused text stays where it was typed, flagged
                    del self._refused[key]  # this edit (an undo, say) set the field itself
                if isinstance(widget, QComboBox):
                    widget.setCurrentIndex(widget.findData(_shown(value)))
                elif isinstance(widget, QCheckBox):
                    widget.setChecked(bool(value))
                elif isinstance(widget, QPlainTextEdit):
                    if widget.toPlainText() != _shown(value):
                        widget.setPlainText(_shown(value))
                else:
                    widget.setText(_shown(value))  # type: ignore[attr-defined]
                self._flag(key, "")
            for attr, table in self.tables.items():
                columns = table.property("columns")
                items = getattr(case, attr)
                typed: dict[tuple[int, int], str] = {}
                if attr in self._refused_tables:
                    if before is not None and getattr(before, attr) == items:
                        continue  # its refused cell stays as typed, marked
                    typed = self._typed_cells(attr, getattr(before, attr) if before is not None else [], items)
                    self._refused_tables.discard(attr)
                table.setRowCount(len(items))
                for row, item in enumerate(items):
                    for col, name in enumerate(columns):
                        shown = _shown(_cell_value(attr, item, name))
                        table.setItem(row, col, QTableWidgetItem(typed.get((row, col), shown)))
                if typed:  # cells this edit (an undo of another cell, say) did not set: still as typed, marked
                    self._refused_tables.add(attr)
                    for row in {row for row, _ in typed}:
                        self._row_value(attr, row)
        finally:
            self._loading = False
        self._count_sentences()
        self._validate()
        if save:
            self.saveRequested.emit(copy.deepcopy(self.case))

    def set_code_problems(self, problems: list[tuple[str, str]]) -> None:
        """Code-set findings (ICD-10-CM, CPT/HCPCS, NPI), once the code sets have loaded."""
        self._code_problems = problems
        self._validate()

    def saved(self) -> None:
        held = self.unsaved_fields()
        if held:  # what is still on screen unsaved is not forgotten by the other changes' success
            self.status.setText(f"Other changes saved; not saved until corrected: {', '.join(held)}")
            self.status.setStyleSheet("color:#b00020;")
            return
        self.status.setText("All changes saved")
        self.status.setStyleSheet("color:#0b5d1e;")

    def say(self, message: str, *, problem: bool = False) -> None:
        """Say something that is not about a field (a key that does nothing here, a file written)."""
        self.status.setText(message)
        self.status.setStyleSheet("color:#b00020;" if problem else "color:#555555;")

    def failed(self, message: str) -> None:
        self.status.setText(f"Not saved: {_as_labelled(message)}")
        self.status.setStyleSheet("color:#b00020;")

    def _typed_cells(self, attr: str, stored: list[Any], coming: list[Any]) -> dict[tuple[int, int], str]:
        """The cells of table ``attr`` holding what was typed and not stored, that the case
        ``coming`` does not change: by (row, column), their text."""
        table, columns = self.tables[attr], self.tables[attr].property("columns")

        def shown(items: list[Any], row: int, name: str) -> str | None:
            if row >= len(items):
                return None
            return _shown(_cell_value(attr, items[row], name))

        typed = {}
        for row in range(min(table.rowCount(), len(coming))):
            for col, name in enumerate(columns):
                cell = table.item(row, col)
                text = cell.text() if cell is not None else ""
                if text != shown(stored, row, name) and shown(stored, row, name) == shown(coming, row, name):
                    typed[(row, col)] = text
        return typed

    def unsaved_fields(self) -> list[str]:
        """What is on screen but refused, not saved, as the editor labels it: the fields, then the tables."""
        tables = [_table_title(table) for table in sorted(self._refused_tables)]
        return [*(_FIELD_LABELS.get(key, key) for key in self._refused), *tables]

    def commit_pending(self) -> None:
        """Save the field being typed in (or the table cell being edited) now, as leaving it does,
        once: before the editor is left, since what is shown next reads the store."""
        from p2pdesk.ui.qt import focus_within

        focused = focus_within(self)
        if focused is not None:
            focused.clearFocus()  # the field's own focus-out commit saves it

    def refused(self, message: str, stored: Case) -> None:
        """The store refused the last save. What it did not keep stays on screen as typed, flagged
        with the reason, and the working copy goes back to what is stored: the next edit of
        another field is saved (it used to carry the refused value, and be refused in turn)."""
        if self.case is None:
            return
        for key in self._changing:  # only what this save changed: earlier edits still wait to be saved
            if key in self.fields:
                self._refused[key] = message
                self._flag(key, message)
            else:
                self._refused_tables.add(key)
            setattr(self.case, key, copy.deepcopy(getattr(stored, key)))
        self.failed(message)

    # Editing -----------------------------------------------------------------------------------

    def _value_of(self, key: str) -> Any:
        widget = self.fields[key]
        if isinstance(widget, QComboBox):
            return widget.currentData()
        if isinstance(widget, QCheckBox):
            return widget.isChecked()
        if isinstance(widget, QPlainTextEdit):
            return widget.toPlainText()
        return widget.text()  # type: ignore[attr-defined]

    def _commit_field(self, key: str) -> None:
        if self._loading or self.case is None:
            return
        kind = self.fields[key].property("kind")
        raw = self._value_of(key)
        value, problem = (raw, "") if kind == "flag" else _parse(kind, raw)
        if problem:
            self._refused[key] = problem
            self._flag(key, problem)
            return
        self._refused.pop(key, None)
        if kind == "plan":
            value = PlanType(value)
        if value == getattr(self.case, key):
            self._flag(key, "")  # put back as stored: nothing to save, nothing refused
            self._validate()
            self.saved()
            return
        after = dataclasses.replace(copy.deepcopy(self.case), **{key: value})
        self.undo_stack.push(_Edit(self, copy.deepcopy(self.case), after, f"edit {key}"))

    def _row_value(self, attr: str, row: int) -> tuple[Any, list[str]]:
        table = self.tables[attr]
        columns = TABLES[attr][1]
        values: dict[str, Any] = {}
        problems = []
        for col, (name, label, kind) in enumerate(columns):
            cell = table.item(row, col)
            value, problem = _parse(kind, cell.text() if cell else "")
            if problem:
                problems.append(f"row {row + 1}, {label}: {problem}")
                if cell:
                    cell.setToolTip(problem)
                    cell.setBackground(Qt.GlobalColor.yellow)
            elif cell:
                cell.setToolTip("")
                cell.setBackground(Qt.GlobalColor.transparent)
            values[name] = value if value is not None or kind in ("date", "int") else ""
        cls = CASE_LISTS[attr]
        if cls is None:
            return values["text"], problems
        required = columns[0][0]
        values[required] = values[required] or ""
        return cls(**values), problems

    def _commit_table(self, attr: str) -> None:
        if self._loading or self.case is None:
            return
        table = self.tables[attr]
        self._loading = True
        try:
            rows = [self._row_value(attr, r) for r in range(table.rowCount())]
        finally:
            self._loading = False
        problems = [p for _, ps in rows for p in ps]
        if problems:
            self._refused_tables.add(attr)
            self.failed("; ".join(problems))
            return
        self._refused_tables.discard(attr)
        items = [item for item, _ in rows]
        if items == getattr(self.case, attr):
            self.saved()  # as stored: nothing to save, and nothing refused here any more
            return
        after = dataclasses.replace(copy.deepcopy(self.case), **{attr: items})
        self.undo_stack.push(_Edit(self, copy.deepcopy(self.case), after, f"edit {attr}"))

    def add_row(self, attr: str) -> None:
        table = self.tables[attr]
        self._loading = True
        table.insertRow(table.rowCount())
        for col in range(table.columnCount()):
            table.setItem(table.rowCount() - 1, col, QTableWidgetItem(""))
        self._loading = False
        table.setCurrentCell(table.rowCount() - 1, 0)
        table.setFocus()

    def remove_row(self, attr: str) -> None:
        table = self.tables[attr]
        if table.currentRow() < 0:
            return
        self._loading = True
        table.removeRow(table.currentRow())
        self._loading = False
        self._commit_table(attr)

    # Checks ------------------------------------------------------------------------------------

    def _flag(self, key: str, message: str) -> None:
        flag = self.flags.get(key)
        if flag is not None:
            flag.setText(message)
            flag.setVisible(bool(message))

    def _count_sentences(self) -> None:
        count = len(sentences(self._value_of("bottom_line")))
        over = count > MAX_BOTTOM_LINE_SENTENCES
        self.sentence_count.setText(f"{count}/{MAX_BOTTOM_LINE_SENTENCES} sentences")
        self.sentence_count.setStyleSheet("color:#b00020;font-weight:600;" if over else "color:#555555;")

    def _validate(self) -> None:
        if self.case is None:
            return
        items = readiness(self.case, self._code_problems)
        for key in self.fields:
            self._flag(key, "")
        for problem in bottom_line_problems(self.case.bottom_line):
            self._flag("bottom_line", problem.message)
        for field, message in self._code_problems:
            self._flag(field, message)
        for field, message in self._refused.items():
            self._flag(field, message)
        self.readiness_list.clear()
        for item in items:
            entry = QListWidgetItem(f"{'Missing' if item.severity == 'missing' else 'Weak'}: {item.message}")
            entry.setData(Qt.ItemDataRole.UserRole, item.field)
            self.readiness_list.addItem(entry)
        ready = "ready for the call" if not items else f"{len(items)} to fix before the call"
        self.tabs.setTabText(self.tabs.indexOf(self.readiness_list), f"Readiness ({ready})")

    def readiness_items(self) -> list[ReadinessItem]:
        return readiness(self.case, self._code_problems) if self.case else []

    def jump_to(self, field: str) -> None:
        """Bring the field (or table cell) a readiness item names to the front, and focus it."""
        base = field.split("[", 1)[0]
        if base in self.fields:
            self.tabs.setCurrentIndex(self._field_tab[base])
            self.fields[base].setFocus()
            return
        if base in self.tables:
            table = self.tables[base]
            self.tabs.setCurrentIndex(self._field_tab[base])
            row = int(field.split("[", 1)[1].split("]", 1)[0]) - 1 if "[" in field else 0
            column_name = field.rsplit(".", 1)[1] if "." in field else None
            columns = table.property("columns")
            col = columns.index(column_name) if column_name in columns else 0
            table.setCurrentCell(max(row, 0), col)
            table.setFocus()
