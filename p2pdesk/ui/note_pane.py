"""The note pane: the call's clock, the reviewer, the criteria checklist, the notes and the outcome.

It only shows state and reports what the physician asked for; the main window does the work.

Signals:
    noteSubmitted(kind: str, text: str): Enter pressed in the note entry.
    reviewerSubmitted(name: str, credentials: str, specialty: str): Enter in a reviewer field.
    criterionTicked(number: int): a criterion was ticked (1-based).
    dispositionSubmitted(disposition, authorization, reasoning, requested, by, alternative: str)
    educationalToggled(on: bool): the plan says (or no longer says) this P2P is educational only.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from p2pdesk.domain.call import (
    Call,
    Disposition,
    Note,
    NoteKind,
    format_duration,
    format_offset,
    kept_indent,
    one_line,
    utc_now,
    written_date,
)
from p2pdesk.domain.case import Case
from p2pdesk.playbook.script import phase_at
from p2pdesk.ui.richtext import esc

TYPE_CHECKING = False  # not typing's: see p2pdesk.ui.qt
if TYPE_CHECKING:
    from collections.abc import Callable

    from PySide6.QtGui import QAction, QKeyEvent


#: Longest criterion text on its check box; the whole text is in the tooltip.
CRITERION_CHARS = 64
#: How many criteria the checklist shows without scrolling (a longer policy scrolls).
CRITERIA_SHOWN = 6

_KIND_COLORS = {
    NoteKind.REVIEWER_CLAIM: "#8a1c00",
    NoteKind.PROCEDURAL: "#5b2a86",
    NoteKind.OUTCOME: "#0b5d1e",
    NoteKind.INFO_REQUESTED: "#7a5a00",
}


def local_time(instant) -> str:  # noqa: ANN001 - an aware datetime
    return instant.astimezone().strftime("%H:%M:%S")


#: How a problem is said under the field it concerns.
PROBLEM_STYLE = "color:#b00020;font-weight:700;"


def message_line(parent: QWidget, name: str, style: str) -> QLabel:
    """A line that says how something went, hidden while it has nothing to say."""
    line = QLabel("", parent)
    line.setObjectName(name)
    line.setWordWrap(True)
    line.setStyleSheet(style)
    line.hide()
    return line


def _letters(event: QKeyEvent) -> str:
    """What a key press types, when it is letters, digits or signs (not a space, not a control key)."""
    typed = event.text()
    return typed if typed and typed.isprintable() and not typed.isspace() else ""


def _sent_to(entry: QLineEdit, event: QKeyEvent) -> bool:
    """Whether the key typed letters, which then went to the end of ``entry`` (with the focus)."""
    typed = _letters(event)
    if typed:
        entry.setFocus()
        entry.end(False)
        entry.insert(typed)
    return bool(typed)


class _KindBox(QComboBox):
    """The next note's kind (Ctrl+1 … Ctrl+6, or Up and Down here): letters typed on it are the
    start of the note, and go to the entry (they would pick a kind by its first letter)."""

    entry: QLineEdit

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        if not _sent_to(self.entry, event):
            super().keyPressEvent(event)


class _OutcomeBox(QComboBox):
    """The outcome, chosen with Up and Down. Letters typed on it pick nothing, before a choice or
    after, and the pane says how to choose it and where its detail is typed: an authorization
    number typed here by mistake ("UM-4471", "D-44718") would otherwise pick an outcome by its
    first letter, and a letter meant to change the outcome must not start the detail of the one
    still shown."""

    hint: Callable[[], str]  # where the chosen outcome's detail is typed ("" before one is chosen)
    say: Callable[[str], None]

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        if _letters(event):
            self.say(
                self.hint()
                or "Outcome: choose it with Up and Down (Reversed, Upheld, Deferred); Tab then goes to its detail."
            )
            return
        super().keyPressEvent(event)


class NotePane(QWidget):
    noteSubmitted = Signal(str, str)
    reviewerSubmitted = Signal(str, str, str)
    criterionTicked = Signal(int)
    dispositionSubmitted = Signal(str, str, str, str, str, str)
    educationalToggled = Signal(bool)

    def __init__(self, call_actions: tuple[QAction, ...], parent: QWidget | None = None) -> None:
        """``call_actions``: the window's start, end and seal actions, shown as the pane's buttons
        (the shortcuts live on the actions)."""
        super().__init__(parent)
        self.setObjectName("notePane")
        self._call: Call | None = None
        self._loading = False
        self._hint = ""  # a hint on the info line, taken back by the next thing done
        self._listed: set[int] = set()  # the ids of the notes listed
        # What was typed in the entry on a call and left there when another was shown, by call id:
        # (its case, the text, its kind's row). Put back when that call is shown again; never filed on another.
        self._drafts: dict[int, tuple[int, str, int]] = {}
        self._held: int | None = None  # the call whose addendum the entry holds while it is signed

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(4)

        # Call bar: start, end, clock.
        bar = QHBoxLayout()
        for action in call_actions:
            button = QToolButton(self)
            button.setDefaultAction(action)
            bar.addWidget(button)
        self.clock = QLabel("No call in progress", self)
        self.clock.setObjectName("callClock")
        self.clock.setStyleSheet("font-weight:700;")
        # The clock gives way to the panes beside it rather than widening the column (a minimum
        # width of its own, instead of its text's; a size policy would cost more at start-up), and
        # takes a second line when its words do not fit on one.
        self.clock.setMinimumWidth(1)
        self.clock.setWordWrap(True)
        bar.addStretch(1)
        layout.addLayout(bar)
        layout.addWidget(self.clock)

        # Reviewer on the record.
        reviewer = QGroupBox("Reviewer (Ctrl+R)", self)
        row = QHBoxLayout(reviewer)
        row.setContentsMargins(4, 2, 4, 2)
        self.reviewer_name = QLineEdit(reviewer)
        self.reviewer_name.setPlaceholderText("Name")
        self.reviewer_credentials = QLineEdit(reviewer)
        self.reviewer_credentials.setPlaceholderText("MD, DO…")
        self.reviewer_credentials.setMaximumWidth(80)
        self.reviewer_specialty = QLineEdit(reviewer)
        self.reviewer_specialty.setPlaceholderText("Specialty")
        for edit, name in (
            (self.reviewer_name, "reviewerName"),
            (self.reviewer_credentials, "reviewerCredentials"),
            (self.reviewer_specialty, "reviewerSpecialty"),
        ):
            edit.setObjectName(name)
            edit.setToolTip("Enter puts the reviewer on the record (logged with the time)")
            edit.returnPressed.connect(self._submit_reviewer)
            row.addWidget(edit, 2 if edit is not self.reviewer_credentials else 1)
        layout.addWidget(reviewer)

        # Criteria checklist.
        # One check box per criterion: Tab moves between them, Space ticks one and logs it.
        self.criteria = QWidget(self)
        self.criteria.setObjectName("criteria")
        self._criteria_layout = QVBoxLayout(self.criteria)
        self._criteria_layout.setContentsMargins(4, 2, 4, 2)
        self._criteria_layout.setSpacing(0)
        self.criterion_boxes: list[QCheckBox] = []
        self._criteria_scroll = scroll = QScrollArea(self)
        scroll.setWidget(self.criteria)
        scroll.setWidgetResizable(True)
        scroll.setMaximumHeight(96)  # until a case's criteria are known (set_case)
        scroll.setToolTip("Policy criteria (Ctrl+K): Space ticks one and logs it with the time")
        layout.addWidget(scroll)

        # The notes: a read-only log, cheap to append to however long the call runs.
        self.notes = QPlainTextEdit(self)
        self.notes.setObjectName("notes")
        self.notes.setReadOnly(True)
        self.notes.setAccessibleName("Notes of this call")
        layout.addWidget(self.notes, 1)
        self._at_end: bool | None = None  # whether the newest note is kept in sight (see _show_latest)

        # The entry.
        entry_row = QHBoxLayout()
        self.kind = _KindBox(self)
        self.kind.setObjectName("noteKind")
        for n, kind in enumerate(NoteKind, start=1):
            self.kind.addItem(f"{kind.short_label} · Ctrl+{n}", kind.value)
        self.kind.setToolTip("Kind of the next note: Ctrl+1 … Ctrl+6")
        self.kind.setMaximumWidth(150)
        self.entry = QLineEdit(self)
        self.entry.setObjectName("noteEntry")
        self.entry.setPlaceholderText("Type what was said; Enter saves it with the time")
        self.entry.setToolTip("Note entry (Ctrl+L). Enter saves the note to disk with the time.")
        self.entry.returnPressed.connect(self._submit_note)
        self.kind.entry = self.entry
        entry_row.addWidget(self.kind)
        entry_row.addWidget(self.entry, 1)
        layout.addLayout(entry_row)

        # The two message lines are made the first time they have something to say (hidden till then).
        self._layout = layout
        self._lines: dict[str, QLabel] = {}

        # Disposition.
        box = QGroupBox("Disposition (Ctrl+D)", self)
        form = QFormLayout(box)
        form.setContentsMargins(4, 2, 4, 2)
        form.setVerticalSpacing(2)
        self.disposition = _OutcomeBox(box)
        self.disposition.hint = self._outcome_hint
        self.disposition.say = self.show_hint
        self.disposition.setObjectName("disposition")
        self.disposition.addItem("— not yet —", "")
        for d in Disposition:
            self.disposition.addItem(d.label, d.value)
        self.disposition.currentIndexChanged.connect(self._disposition_kind_changed)
        self.authorization = QLineEdit(box)
        self.authorization.setObjectName("authorizationNumber")
        self.reasoning = QLineEdit(box)
        self.reasoning.setObjectName("statedReasoning")
        self.requested = QLineEdit(box)
        self.requested.setObjectName("informationRequested")
        self.requested_by = QLineEdit(box)
        self.requested_by.setObjectName("requestedBy")
        self.requested_by.setPlaceholderText("YYYY-MM-DD")
        # Made in the order they stand on screen, which is the order Tab takes: from the last
        # detail, Tab goes to Alternative (typing there never lands on the check box).
        self.alternative = QLineEdit(box)
        self.alternative.setObjectName("alternativeOffer")
        self.alternative.setPlaceholderText("Partial approval, substitute service… (if offered)")
        self.educational = QCheckBox("Educational only", box)
        self.educational.setObjectName("educationalOnly")
        self.educational.setToolTip("Tick when the plan says this P2P cannot reverse the denial (logged with the time)")
        self.educational.toggled.connect(self._educational_toggled)
        form.addRow("Outcome", self.disposition)
        form.addRow("Authorization #", self.authorization)
        form.addRow("Stated reasoning", self.reasoning)
        form.addRow("Requested", self.requested)
        form.addRow("By", self.requested_by)
        form.addRow("Alternative", self.alternative)
        form.addRow("", self.educational)
        self._form = form
        for edit in (self.authorization, self.reasoning, self.requested, self.requested_by, self.alternative):
            edit.returnPressed.connect(self._submit_disposition)
            edit.setToolTip("Enter records the disposition (logged with the time)")
        layout.addWidget(box)
        self._disposition_box = box
        self._disposition_kind_changed()

        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self._tick)
        self.show_call(None, [])

    # What the window tells the pane ----------------------------------------------------------

    def set_case(self, case: Case) -> None:
        """One check box per policy criterion (rebuilt only when the criteria or their facts change)."""
        tips = [f"{c.text}\n→ {c.patient_fact or 'patient fact missing'}" for c in case.criteria]
        if tips == [box.toolTip() for box in self.criterion_boxes]:
            return
        for box in self.criterion_boxes:
            box.deleteLater()
        self.criterion_boxes = []
        for n, criterion in enumerate(case.criteria, start=1):
            label = criterion.text
            if len(label) > CRITERION_CHARS:
                label = label[:CRITERION_CHARS].rstrip() + "…"
            # Space ticks it; letters typed on it are the start of a note: a check box leaves them
            # to the window, which gives them to the note entry (MainWindow._typed_into_entry).
            box = QCheckBox(f"{n}. {label}", self.criteria)
            box.setObjectName(f"criterion{n}")
            box.setProperty("criterion", criterion.text)
            # Long criteria are cut at the column's edge (the whole text is in the tooltip)
            # rather than widening the column.
            box.setMinimumWidth(1)
            box.setToolTip(tips[n - 1])
            box.toggled.connect(lambda on, n=n: self._criterion_toggled(n, on))
            self._criteria_layout.addWidget(box)
            box.show()
            self.criterion_boxes.append(box)
        # Every criterion in sight, up to CRITERIA_SHOWN (the notes take the rest); none, one empty row.
        rows = min(len(self.criterion_boxes), CRITERIA_SHOWN)
        row = self.criterion_boxes[0].sizeHint().height() if rows else self.fontMetrics().height()
        margins = self._criteria_layout.contentsMargins()
        frame = 2 * self._criteria_scroll.frameWidth()
        self._criteria_scroll.setFixedHeight(max(rows, 1) * row + margins.top() + margins.bottom() + frame)

    def show_call(self, call: Call | None, notes: list[Note], *, ours: bool = True) -> None:
        """Show a call (or none) with its notes, as after opening or restarting. ``ours`` False:
        another desk's call in progress, shown as it stands (nothing here writes to it).

        Shown again while it goes on (back from Home, say), the reviewer and the disposition
        typed but not yet entered stay as typed: they are the physician's, not yet the record's."""
        self.clear_hint()
        live = call is not None and call.in_progress and ours
        again = live and self._call is not None and self._call.id == call.id  # type: ignore[union-attr]
        keep_reviewer = again and self._reviewer_unsaved(self._call)  # type: ignore[arg-type]
        keep_disposition = again and self._disposition_unsaved(self._call)  # type: ignore[arg-type]
        self._keep_draft(self._call, call)
        self._call = call
        self.notes.clear()
        self._listed.clear()
        self._loading = True
        for box in self.criterion_boxes:
            box.setChecked(False)
            box.setProperty("logged", False)
        self._loading = False
        for note in notes:
            self.append_note(note, show=False)
        if notes:
            self._show_latest()  # once, the newest
        sealed = call is not None and call.sealed_at is not None
        for widget in (
            self.entry,
            self.kind,
            self.reviewer_name,
            self.reviewer_credentials,
            self.reviewer_specialty,
            self.criteria,
            self.disposition,
            self.authorization,
            self.reasoning,
            self.requested,
            self.requested_by,
            self.alternative,
            self.educational,
        ):
            widget.setEnabled(live)
        # After sealing, the entry takes dated addenda: each makes a new signed version.
        self.entry.setEnabled(live or sealed)
        self.kind.setEnabled(live or sealed)
        self.entry.setPlaceholderText(
            "Addendum: type it and press Enter (a new signed version)"
            if sealed and not live
            else "Type what was said; Enter saves it with the time"
        )
        if call is not None:
            if not keep_reviewer:
                self.reviewer_name.setText(call.reviewer_name)
                self.reviewer_credentials.setText(call.reviewer_credentials)
                self.reviewer_specialty.setText(call.reviewer_specialty)
            if not keep_disposition:
                index = self.disposition.findData(call.disposition.value if call.disposition else "")
                self.disposition.setCurrentIndex(max(index, 0))
                self.authorization.setText(call.authorization_number)
                self.reasoning.setText(call.stated_reasoning)
                self.requested.setText(call.information_requested)
                self.requested_by.setText(call.requested_by.isoformat() if call.requested_by else "")
                self.alternative.setText(call.alternative_offer)
            self._loading = True
            self.educational.setChecked(call.educational_only)
            self._loading = False
        else:
            for edit in (
                self.reviewer_name,
                self.reviewer_credentials,
                self.reviewer_specialty,
                self.authorization,
                self.reasoning,
                self.requested,
                self.requested_by,
                self.alternative,
            ):
                edit.clear()
            self._loading = True
            self.educational.setChecked(False)
            self._loading = False
            self.disposition.setCurrentIndex(0)
        if live:
            self._timer.start()
        else:
            self._timer.stop()
        self._tick()

    def append_note(self, note: Note, *, show: bool = True) -> None:
        """List ``note`` (once: a note already listed is not listed again), and show it (``show``)."""
        if note.id is not None:
            if note.id in self._listed:
                return
            self._listed.add(note.id)
        self.clear_hint()  # something was logged: a hint about the last key no longer applies
        call = self._call
        if note.addendum:  # after the call, maybe days after: its date, and what it is
            stamp = f"{note.at.astimezone().strftime('%Y-%m-%d %H:%M:%S')} · addendum (version {note.addendum}) ·"
        else:
            stamp = f"{local_time(note.at)} · {format_offset(call.offset(note.at)) if call else ''} ·"
        color = _KIND_COLORS.get(note.kind, "#1b1b1b")
        said = esc(kept_indent(note.text)).replace("\n", "<br>")  # a pasted excerpt keeps its shape
        self.notes.appendHtml(
            f'<span style="color:#555555">{stamp}</span> '
            f'<span style="color:{color}"><b>{esc(note.kind.short_label)}:</b> {said}</span>'
        )
        if show:
            self._show_latest()  # a note just logged is shown
        if note.criterion is not None and 0 < note.criterion <= len(self.criterion_boxes):
            self._loading = True
            box = self.criterion_boxes[note.criterion - 1]
            box.setChecked(True)
            box.setProperty("logged", True)  # on the record: a tick is not taken back (see _criterion_toggled)
            self._loading = False

    def note_lines(self) -> list[str]:
        """The notes as the physician reads them, one line each."""
        document = self.notes.document()
        if document.isEmpty():
            return []
        return [document.findBlockByNumber(i).text() for i in range(document.blockCount())]

    def _keep_draft(self, shown: Call | None, coming: Call | None) -> None:
        """When another call (or none) is shown, the entry's text stays with the call it was typed on."""
        shown_id = shown.id if shown is not None else None
        coming_id = coming.id if coming is not None else None
        if shown_id == coming_id:
            return
        typed = self.entry.text()
        if shown is not None and shown_id is not None and typed.strip():
            self._drafts[shown_id] = (shown.case_id, typed, self.kind.currentIndex())
        draft = self._drafts.pop(coming_id, None) if coming_id is not None else None
        self.entry.setText(draft[1] if draft else "")
        self.kind.setCurrentIndex(draft[2] if draft else 0)  # the kind it was typed as; a call's first, a claim
        self.entry.setReadOnly(coming_id is not None and coming_id == self._held)  # still being signed

    def unsaved_elsewhere(self) -> list[str]:
        """The notes typed on calls not shown now and not yet saved (each put back with its call)."""
        return [f"note typed on call {call_id} (case #{case_id})" for call_id, (case_id, *_) in self._drafts.items()]

    def unsaved(self, call: Call) -> list[str]:
        """The parts of the pane holding what was typed but not yet saved to ``call``'s record."""
        found = ["note entry"] if self.entry.text().strip() else []
        if self._reviewer_unsaved(call):
            found.append("reviewer fields")
        if self._disposition_unsaved(call):
            found.append("disposition")
        return found

    def _reviewer_unsaved(self, call: Call) -> bool:
        typed = tuple(
            one_line(e.text()) for e in (self.reviewer_name, self.reviewer_credentials, self.reviewer_specialty)
        )
        return typed != (call.reviewer_name, call.reviewer_credentials, call.reviewer_specialty)

    def _disposition_unsaved(self, call: Call) -> bool:
        def day(edit: QLineEdit) -> object:
            try:
                return written_date(edit.text().strip()) if edit.text().strip() else None
            except ValueError:
                return edit.text()

        kind = self.disposition.currentData() or ""
        recorded = call.disposition.value if call.disposition else ""
        details = {
            Disposition.REVERSED.value: [(one_line(self.authorization.text()), call.authorization_number)],
            Disposition.UPHELD.value: [(self.reasoning.text().strip(), call.stated_reasoning)],
            Disposition.DEFERRED.value: [
                (self.requested.text().strip(), call.information_requested),
                (day(self.requested_by), call.requested_by),
            ],
        }.get(kind, [])
        changed = any(typed_value != kept for typed_value, kept in details)
        alternative = self.alternative.text().strip() != call.alternative_offer
        return bool(kind and (kind != recorded or changed)) or alternative

    def show_educational(self, on: bool) -> None:
        """Set the educational-only box without logging anything (it shows what is on record)."""
        self._loading = True
        self.educational.setChecked(on)
        self._loading = False

    def hold_entry(self, call_id: int) -> None:
        """Keep the entry's text as it is (read-only) while what it holds for ``call_id`` is being
        saved, and say so: typing meanwhile is not taken (an addendum is signed before the next is
        typed). Another call shown meanwhile has the entry to itself (see _keep_draft)."""
        self._held = call_id
        self.entry.setReadOnly(True)
        self.show_hint("Signing it… the entry takes the next one once it is signed.")

    def release_entry(self, call_id: int, stored: bool) -> None:
        """What the entry held for ``call_id`` was saved (``stored``: gone from the entry, or from
        what is kept for that call if another is shown now) or refused (it stays, to be corrected)."""
        if self._held == call_id:
            self._held = None
        if self._call is not None and self._call.id == call_id:
            self.entry.setReadOnly(False)
            if stored:
                self.note_accepted()
            else:
                self.clear_hint()
        elif stored:
            self._drafts.pop(call_id, None)

    def note_accepted(self) -> None:
        """The note is on disk: clear the entry for the next one."""
        self.entry.clear()
        self.show_problem("")
        self.clear_hint()

    def show_hint(self, message: str) -> None:
        """Say how a key is used here, until the next thing done (see clear_hint)."""
        self.show_info(message)
        self._hint = message

    def clear_hint(self) -> None:
        """Take back a hint still shown (not a message said since)."""
        if self._hint and "info" in self._lines and self.info.text() == self._hint:
            self.show_info("")
        self._hint = ""

    def _line(self, name: str) -> QLabel:
        line = self._lines.get(name)
        if line is None:
            line = message_line(self, name, "color:#0b5d1e;" if name == "info" else PROBLEM_STYLE)
            at = self._layout.indexOf(self._disposition_box)
            if name == "info" and "problem" in self._lines:
                at = self._layout.indexOf(self._lines["problem"])
            self._layout.insertWidget(at, line)
            self._lines[name] = line
        return line

    @property
    def info(self) -> QLabel:
        return self._line("info")

    @property
    def status(self) -> QLabel:
        return self._line("problem")

    def show_info(self, message: str) -> None:
        """Say how something is going (not a problem), above the problem line."""
        if message or "info" in self._lines:
            self.info.setText(message)
            self.info.setVisible(bool(message))

    def show_problem(self, message: str) -> None:
        """Say what is wrong, in red, under the entry; whatever was typed stays where it is."""
        if message or "problem" in self._lines:
            self.status.setText(message)
            self.status.setVisible(bool(message))

    def set_kind(self, kind: NoteKind) -> None:
        self.kind.setCurrentIndex(self.kind.findData(kind.value))
        self.entry.setFocus()

    def current_kind(self) -> NoteKind:
        return NoteKind(self.kind.currentData())

    def focus_entry(self) -> None:
        self.entry.setFocus()

    def _show_latest(self) -> None:
        """Scroll the notes to the newest, now and once the list is laid out again. From the first
        note on, the newest stays in sight, also when the list is made shorter (the disposition's
        detail shown under it), unless the physician has scrolled back to read an older one.
        (The scroll bar is first touched here: its Python type costs start-up time.)"""
        bar = self.notes.verticalScrollBar()
        if self._at_end is None:
            bar.actionTriggered.connect(lambda _: setattr(self, "_at_end", bar.sliderPosition() >= bar.maximum()))
            bar.rangeChanged.connect(lambda _low, _high: self._show_latest() if self._at_end else None)
        self._at_end = True
        bar.setValue(bar.maximum())
        QTimer.singleShot(0, lambda: bar.setValue(bar.maximum()) if self._at_end else None)

    def takes_typing(self, event: QKeyEvent) -> bool:
        """Whether the key typed letters the note entry would take (typed where nothing takes them,
        the brief or the script, they are the start of a note: see take_typing)."""
        return bool(_letters(event)) and self.entry.isEnabled() and not self.entry.isReadOnly()

    def take_typing(self, event: QKeyEvent) -> None:
        """Put the letters the key typed at the end of the note entry, and give it the focus."""
        _sent_to(self.entry, event)

    def focus_reviewer(self) -> None:
        self.reviewer_name.setFocus()

    def focus_criteria(self) -> None:
        """Focus the first criterion not yet ticked; when every one is, the entry (and say so)."""
        for box in self.criterion_boxes:
            if not box.property("logged"):
                box.setFocus()
                return
        self.entry.setFocus()
        if self.criterion_boxes and self.criteria.isEnabled():
            self.show_hint("Every criterion is ticked; the note entry has the focus.")

    def focus_disposition(self) -> None:
        self.disposition.setFocus()

    # Internals ---------------------------------------------------------------------------------

    def _tick(self) -> None:
        call = self._call
        if call is None:
            self.clock.setText("No call in progress")
        elif call.in_progress:
            offset = call.offset(utc_now())
            elapsed = format_offset(offset).lstrip("+")
            _, hint = phase_at(offset.total_seconds())
            since = call.started_at.astimezone().strftime("%H:%M")  # to the minute: the line stays one line
            self.clock.setText(f"● {elapsed} · {hint} · since {since}")
        else:
            length = format_duration(call.offset(call.ended_at))  # type: ignore[arg-type]
            sealed = " · sealed" if call.sealed_at is not None else " · not sealed yet (Ctrl+Shift+G)"
            self.clock.setText(
                f"Call ended {local_time(call.ended_at)} · {length} long{sealed}"  # type: ignore[arg-type]
            )

    def _submit_note(self) -> None:
        self.noteSubmitted.emit(self.current_kind().value, self.entry.text())

    def _submit_reviewer(self) -> None:
        self.reviewerSubmitted.emit(
            self.reviewer_name.text(), self.reviewer_credentials.text(), self.reviewer_specialty.text()
        )

    def _criterion_toggled(self, number: int, on: bool) -> None:
        """A tick is logged, and the focus goes to the note entry (the next key is the next note,
        not the next criterion's tick). A logged tick stays: the record says when it was made, and
        a correction is a note of its own."""
        if self._loading:
            return
        box = self.criterion_boxes[number - 1]
        if on and not box.property("logged"):
            self.criterionTicked.emit(number)  # the window logs it (append_note) or refuses it (uncheck_criterion)
            if box.property("logged"):
                self.entry.setFocus()
        elif not on and box.property("logged"):
            self._loading = True
            box.setChecked(True)
            self._loading = False
            self.show_hint(
                f"Criterion {number} is on the record as addressed, and stays so; "
                "to correct it, type a note saying so (Ctrl+L)."
            )

    def uncheck_criterion(self, number: int) -> None:
        """Undo a tick the store refused, without logging anything."""
        self._loading = True
        self.criterion_boxes[number - 1].setChecked(False)
        self._loading = False

    def _disposition_kind_changed(self) -> None:
        self.clear_hint()
        kind = self.disposition.currentData()
        shown = {
            self.authorization: kind == Disposition.REVERSED.value,
            self.reasoning: kind == Disposition.UPHELD.value,
            self.requested: kind == Disposition.DEFERRED.value,
            self.requested_by: kind == Disposition.DEFERRED.value,
        }
        for widget, visible in shown.items():
            self._form.setRowVisible(widget, visible)

    def _outcome_hint(self) -> str:
        """Where the chosen outcome's detail is typed ("" before an outcome is chosen)."""
        detail = {
            Disposition.REVERSED.value: "its authorization number",
            Disposition.UPHELD.value: "the reasoning stated",
            Disposition.DEFERRED.value: "what was requested",
        }.get(self.disposition.currentData())
        if detail is None:
            return ""
        return f"Outcome: {self.disposition.currentText()}. Up and Down change it; Tab goes to {detail}."

    def _submit_disposition(self) -> None:
        self.dispositionSubmitted.emit(
            self.disposition.currentData() or "",
            self.authorization.text(),
            self.reasoning.text(),
            self.requested.text(),
            self.requested_by.text(),
            self.alternative.text(),
        )

    def _educational_toggled(self, on: bool) -> None:
        if not self._loading:
            self.educationalToggled.emit(on)
