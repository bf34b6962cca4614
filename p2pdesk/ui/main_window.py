"""The main window: the one switchboard. Panes report what was asked; this connects them to the desk.

Every action has its shortcut in its menu entry and in its tooltip. Writes go through
``p2pdesk.services.desk.Desk``; a refused input is shown where it was typed, and the typed text
stays there; a database that cannot be written is said plainly, and nothing typed is lost.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMainWindow, QStackedWidget, QWidget

from p2pdesk.domain.call import Call, Disposition, Note, NoteKind, local_when, written_date
from p2pdesk.domain.case import Case
from p2pdesk.domain.errors import InvalidInput, NotFound, Problem, StoreUnavailable
from p2pdesk.playbook.script import specialty_not_the_cases
from p2pdesk.ui.brief_view import brief_view, show_brief
from p2pdesk.ui.case_desk import CaseDesk
from p2pdesk.ui.note_pane import NotePane
from p2pdesk.ui.script_view import ScriptView

TYPE_CHECKING = False  # not typing's: see p2pdesk.ui.qt

#: Changes to a call sent with an entry key, as _unsettled names them beside notes' kinds.
_REVIEWER, _DISPOSITION, _EDUCATIONAL = "reviewer on the record", "disposition", "educational only"
_CALL_CHANGES = (_REVIEWER, _DISPOSITION, _EDUCATIONAL)
if TYPE_CHECKING:
    from concurrent.futures import Future
    from datetime import datetime
    from pathlib import Path

    from PySide6.QtGui import QCloseEvent, QKeyEvent

    from p2pdesk.domain.summary import CallSummary
    from p2pdesk.playbook.rules import Rule
    from p2pdesk.services.desk import Desk
    from p2pdesk.store.snapshot import Snapshot
    from p2pdesk.ui.analytics_view import AnalyticsView
    from p2pdesk.ui.archive_view import ArchiveView
    from p2pdesk.ui.case_editor import CaseEditor
    from p2pdesk.ui.follow_ups_view import FollowUpsView
    from p2pdesk.ui.home_view import HomeView
    from p2pdesk.ui.record_desk import RecordDesk
    from p2pdesk.ui.worker import StoreLine


def practice_message(problems: list[Problem]) -> str:
    """The practice files that could not be used, and what stands in for them ("" when none)."""
    if not problems:
        return ""
    named = "; ".join(str(p) for p in problems)
    return f"{named}. Until it is fixed, p2pdesk's own rules and script words are used in its place."


def _words(action: QAction) -> str:
    """An action's text as read: without its mnemonic marks and trailing ellipsis."""
    return action.text().replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip("…")


def _path(name: str) -> Path:
    """A chosen file's name as a path (pathlib is not imported at start-up: see p2pdesk.ui.qt)."""
    from pathlib import Path

    return Path(name)


class MainWindow(QMainWindow):
    """The desk's window. Owns the actions; holds the home view and the case desk.

    ``open_desk`` opens the store; it is called on first use, so the window can be drawn
    (from a snapshot) before the store has loaded. A write asked for before then waits for it.

    The constructor builds what the first frame shows: the panes, the call buttons and the menu
    titles. ``complete()`` adds the rest (the menus' actions with their shortcuts, the rules the
    script cites); start-up calls it in the first turn of the event loop after the first frame is
    drawn (text typed before then reaches its field; a shortcut pressed in those few milliseconds
    is not acted on), and ``p2pdesk.ui.app.build_window`` calls it at once.
    """

    def __init__(self, open_desk: Callable[[], Desk], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._open_desk = open_desk
        self._desk: Desk | None = None
        self._opening: Future[Desk] | None = None
        self._desk_held = threading.Lock()  # the store is opened once, whichever thread asks first
        self._store_line: StoreLine | None = None
        self._close_asked = False  # closing was asked for while the store kept the window waiting
        # Notes and changes to the call sent without an answer to trust yet, by key: (call id,
        # kind (a note's, or one of _CALL_CHANGES), text).
        self._unsettled: dict[str, tuple[int, str, str]] = {}
        self._store_failed = False  # the last work _guard ran had no answer from the store to trust
        self.case: Case | None = None
        self.call: Call | None = None
        self.setWindowTitle("p2pdesk")
        self.resize(1366, 740)

        self._shortcuts: list[tuple[QAction, str]] = []  # bound by complete()
        self.act_start = self._action("&Start call", "Ctrl+Shift+S", self._start_call)
        self.act_end = self._action("&End call", "Ctrl+Shift+E", self._end_call)
        self.act_seal = self._action("Seal && si&gn record", "Ctrl+Shift+G", self._seal)
        self.act_seal.setIconText("Seal && sign")
        self._complete = False
        self._home: HomeView | None = None  # built when first shown: not needed to draw a call
        self._store_warning = ""  # the store can be read but not written: said until it can be written
        self._store_ready: bool | None = None  # what load_desk found, once it has run
        self._record_desk: RecordDesk | None = None
        self._editor: CaseEditor | None = None
        self._follow_ups: FollowUpsView | None = None
        self._archive: ArchiveView | None = None
        self._history: AnalyticsView | None = None
        self._rules: list[Rule] | None = None
        self._rules_problems: list[Problem] = []  # practice rule files that could not be used
        self._script_problems: list[Problem] = []  # the practice's script words, if they could not be
        self._templates: dict | None = None  # the practice's script templates, once loaded
        self.brief = brief_view(self)
        self.script = ScriptView(self)
        self.note_pane = NotePane((self.act_start, self.act_end, self.act_seal), self)
        self.case_desk = CaseDesk(self.brief, self.script, self.note_pane, self)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.case_desk)
        self.setCentralWidget(self.stack)
        bar = self.menuBar()
        self._menus = (bar.addMenu("&File"), bar.addMenu("&Call"), bar.addMenu("&View"))
        self._connect()
        self._update_actions()

    def complete(self) -> None:
        """Add what the first frame does not show: the menus' actions and their shortcuts, Qt's
        enums (see p2pdesk.ui.qt) and the rules the script cites."""
        if self._complete:
            return
        from p2pdesk.ui.qt import warm_up

        self._make_actions()
        self._bind_shortcuts()
        self._make_menus()
        self._complete = True
        self._update_actions()
        warm_up()
        self.load_rules()

    @property
    def _practice_problems(self) -> list[Problem]:
        """The practice's files that could not be used (rules, then script words)."""
        return [*self._rules_problems, *self._script_problems]

    def _standing(self, problems: list[Problem]) -> str:
        """What stays said on the problem line while all else is well: a store that cannot be
        written, then the practice's files that could not be used."""
        return "\n".join(m for m in (self._store_warning, practice_message(problems)) if m)

    def _show_standing(self) -> None:
        """Say what stands on the note pane, and on the home view once it is built."""
        self.note_pane.show_problem(self._standing(self._practice_problems))
        if self._home is not None:
            self.home.show_practice_problems(self._standing(self._practice_problems + self._payer_problems()))

    @property
    def rules(self) -> list[Rule] | None:
        """The rules the script cites, once loaded (see load_rules)."""
        return self._rules

    def load_rules(self) -> None:
        """Read p2pdesk's and the practice's rules and script words (after the first paint, and again
        whenever the home view or a letter needs them, so a fixed file counts at once) and show them
        in the script."""
        from p2pdesk.playbook.rules import load_rules
        from p2pdesk.playbook.script import load_templates

        # A practice file that cannot be used is named, and p2pdesk's own rules or words stand in.
        self._rules_problems, self._script_problems = [], []
        self._rules = load_rules(problems=self._rules_problems)
        self._templates = load_templates(problems=self._script_problems)
        self._show_standing()
        if self.case is not None:
            self.script.show_script(self.case, self.call, self._rules, self._templates)

    @property
    def desk(self) -> Desk:
        """The store's use-cases, opened on first use (waiting for a background open if one runs),
        once: the store's line and the GUI thread may both ask for it first."""
        if self._desk is None:
            with self._desk_held:
                if self._desk is None:
                    opening, self._opening = self._opening, None  # an open that failed is tried again next time
                    self._desk = opening.result() if opening is not None else self._open_desk()
        return self._desk

    def open_desk_in_background(self) -> None:
        """Start opening the store off the GUI thread (importing SQLAlchemy takes about a third of
        a second); the window stays responsive, and a write asked for meanwhile waits for it."""
        if self._desk is None and self._opening is None:
            from concurrent.futures import ThreadPoolExecutor

            pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="p2pdesk-store")
            self._opening = pool.submit(self._open_desk)
            pool.shutdown(wait=False)

    def close_store(self) -> None:
        """Close the store when the desk quits (see Desk.close), after any open still under way."""
        opening, self._opening = self._opening, None
        if self._desk is None and opening is not None:
            try:
                self._desk = opening.result()
            except StoreUnavailable:
                return
        if self._desk is not None:
            self._desk.close()
            self._desk = None

    def load_desk(self) -> bool:
        """Wait for the store; says so plainly when it cannot be opened, or can be read but not
        written (a read-only file, say), before anything is typed that could not be saved. Once:
        later calls say what the first found."""
        if self._store_ready is not None:
            return self._store_ready
        self._store_ready = False
        try:
            desk = self.desk  # opens it, or waits for the open under way
        except StoreUnavailable as exc:
            self.note_pane.show_problem(f"{exc}. Nothing can be saved until it can be opened; restart p2pdesk then.")
            return False
        self._store_ready = True
        reason = desk.store.cannot_write()
        if reason is not None:
            self._store_warning = (
                f"This database can be read but not written ({reason}): notes, calls and edits cannot be saved "
                "here. Make it writable (its file, or your access to the practice's database), then restart "
                "p2pdesk."
            )
            self._show_standing()
        return True

    def load_desk_when_open(self) -> None:
        """Call load_desk once the background open has finished (checked every 50 ms), so that a
        store that cannot be opened or written is said at once rather than at the first save."""
        from PySide6.QtCore import QTimer

        def check() -> None:
            opening = self._opening
            waiting = self._desk is None and self._desk_held.locked()  # the store's line is opening it
            if waiting or (opening is not None and not opening.done()):
                QTimer.singleShot(50, check)
            else:
                self.load_desk()

        check()

    def show_snapshot(self, snapshot: Snapshot) -> None:
        """Show a case (and a call in progress) read before the store has loaded."""
        self._show(snapshot.case, snapshot.call, snapshot.notes)

    # Actions and menus -----------------------------------------------------------------------

    def _action(self, text: str, shortcut: str, slot, *, checkable: bool = False) -> QAction:  # noqa: ANN001
        """An action of the window; its shortcut (and the tooltip naming it) is bound by complete()."""
        # Made from the parent alone: PySide6 resolving QAction(text, parent) builds QIcon's enums
        # (about a tenth of the window's own start-up), which the first frame does not need.
        action = QAction(self)
        action.setText(text)
        action.setCheckable(checkable)
        action.triggered.connect(slot)
        self.addAction(action)
        self._shortcuts.append((action, shortcut))
        return action

    def _bind_shortcuts(self) -> None:
        from PySide6.QtGui import QKeySequence  # not needed for the first frame

        native_text = QKeySequence.SequenceFormat.NativeText
        for action, shortcut in self._shortcuts:
            sequence = QKeySequence(shortcut)
            # The same as setShortcut(); called through the property because the overloaded setter
            # makes PySide6 build all of Qt's namespace enums (see p2pdesk.ui.qt).
            action.setProperty("shortcut", sequence)
            words = _words(action)
            action.setToolTip(f"{words} ({sequence.toString(native_text)})")
        self._shortcuts.clear()

    def _make_actions(self) -> None:
        """Every action but the three the call buttons show (made with the first frame)."""
        self.act_home = self._action("&Home", "Ctrl+H", self.show_home)
        self.act_find = self._action("Fi&nd a case", "Ctrl+F", self._find_case)
        self.act_import = self._action("&Import case file…", "Ctrl+O", self._import_case)
        self.act_import_fhir = self._action("Import from the &EHR (FHIR bundle)…", "Ctrl+Shift+F", self._import_fhir)
        self.act_quit = self._action("&Quit", "Ctrl+Q", self.close)
        self.act_records = self._action("&Records", "Ctrl+Shift+R", self.show_records)
        self.act_edit = self._action("&Prepare case (editor)", "Ctrl+Shift+P", self.edit_case)
        self.act_follow_ups = self._action("&Follow-ups", "Ctrl+Shift+U", self.show_follow_ups)
        self.act_archive = self._action("&Archive of calls", "Ctrl+Shift+A", self.show_archive)
        self.act_history = self._action("Practice &history (charts)", "Ctrl+Shift+Y", self.show_history)
        self.act_brief = self._action("One-page &brief PDF…", "Ctrl+P", self._brief_pdf)
        self.act_export = self._action("E&xport record…", "Ctrl+E", self._export_record)
        self.act_packet = self._action("Appeal &packet…", "Ctrl+Shift+K", self._appeal_packet)
        self.act_entry = self._action("Note &entry", "Ctrl+L", lambda: self._focus(2, self.note_pane.focus_entry))
        self.act_reviewer = self._action(
            "&Reviewer on the record", "Ctrl+R", lambda: self._focus(2, self.note_pane.focus_reviewer)
        )
        self.act_criteria = self._action(
            "&Criteria checklist", "Ctrl+K", lambda: self._focus(2, self.note_pane.focus_criteria)
        )
        self.act_disposition = self._action(
            "&Disposition", "Ctrl+D", lambda: self._focus(2, self.note_pane.focus_disposition)
        )
        self.kind_actions = [
            self._action(kind.label, f"Ctrl+{n}", lambda _=False, k=kind: self._set_kind(k))
            for n, kind in enumerate(NoteKind, start=1)
        ]
        self.pane_actions = [
            self._action(f"Show &{title}", f"Alt+{n}", lambda _=False, i=n - 1: self._show_pane(i))
            for n, title in enumerate(("Brief", "Script", "Notes"), start=1)
        ]
        self.act_next_step = self._action("&Next script step", "Ctrl+PgDown", lambda: self._step_script(1))
        self.act_prev_step = self._action("&Previous script step", "Ctrl+PgUp", lambda: self._step_script(-1))
        self.act_on_top = self._action("Always on &top", "Ctrl+T", self._toggle_on_top, checkable=True)

    def _make_menus(self) -> None:
        file_menu, call_menu, view_menu = self._menus
        file_menu.addActions(
            [
                self.act_home,
                self.act_find,
                self.act_records,
                self.act_follow_ups,
                self.act_import,
                self.act_import_fhir,
                self.act_export,
            ]
        )
        file_menu.addSeparator()
        file_menu.addActions([self.act_edit, self.act_brief])
        file_menu.addSeparator()
        file_menu.addAction(self.act_quit)
        call_menu.addActions([self.act_start, self.act_end, self.act_seal])
        call_menu.addSeparator()
        call_menu.addActions([self.act_entry, self.act_reviewer, self.act_criteria, self.act_disposition])
        kinds = call_menu.addMenu("Note &kind")
        kinds.addActions(self.kind_actions)
        view_menu.addActions(self.pane_actions)
        view_menu.addSeparator()
        view_menu.addActions([self.act_next_step, self.act_prev_step])
        view_menu.addSeparator()
        view_menu.addAction(self.act_on_top)

    @property
    def home(self) -> HomeView:
        """The list of cases and their calls, built on first use."""
        if self._home is None:
            from p2pdesk.ui.home_view import HomeView  # not needed to draw a call: loaded late

            self._home = HomeView(self)
            self._home.caseOpenRequested.connect(self.open_case)
            self._home.callOpenRequested.connect(self.open_call)
            self.stack.addWidget(self._home)
        return self._home

    @property
    def record_desk(self) -> RecordDesk:
        """Sealing, records and previews, built on first use (reportlab and pyHanko load late)."""
        if self._record_desk is None:
            from p2pdesk.ui.record_desk import RecordDesk

            self._record_desk = RecordDesk(lambda: self.desk, self)
            self._record_desk.problem.connect(self._record_problem)
            self._record_desk.info.connect(self._tell)
            self._record_desk.sealed.connect(self._record_sealed)
            self.stack.addWidget(self._record_desk.view)
        return self._record_desk

    def _connect(self) -> None:
        self.note_pane.noteSubmitted.connect(self._add_note)
        self.note_pane.reviewerSubmitted.connect(self._set_reviewer)
        self.note_pane.criterionTicked.connect(self._tick_criterion)
        self.note_pane.dispositionSubmitted.connect(self._set_disposition)
        self.note_pane.educationalToggled.connect(self._set_educational)

    def _update_actions(self) -> None:
        on_case = self.stack.currentWidget() is self.case_desk and self.case is not None
        on_home = (
            self._home is not None
            and self.stack.currentWidget() is self._home
            and self._home.selected_case_id() is not None
        )
        live = self.call is not None and self.call.in_progress and self._mine(self.call)
        self.act_start.setEnabled((on_case or on_home) and not live)
        self.act_end.setEnabled(live)
        self.act_seal.setEnabled(on_case and self.call is not None and not live and self.call.sealed_at is None)
        if not self._complete:
            return
        on_records = self._record_desk is not None and self.stack.currentWidget() is self._record_desk.view
        self.act_export.setEnabled(on_records)
        on_editor = self._editor is not None and self.stack.currentWidget() is self._editor
        self.act_edit.setEnabled((self.case is not None or on_home) and not live)
        self.act_brief.setEnabled(self.case is not None and (on_case or on_editor))
        for action in (self.act_reviewer, self.act_criteria, self.act_disposition):
            action.setEnabled(live)
        # After sealing, the entry takes dated addenda (each a new signed version).
        addenda = on_case and self.call is not None and self.call.sealed_at is not None
        for action in (self.act_entry, *self.kind_actions):
            action.setEnabled(live or addenda)
        for action in (*self.pane_actions, self.act_next_step, self.act_prev_step):
            action.setEnabled(on_case)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        """The shortcut of an action that cannot be used now says why, where the eyes are,
        instead of doing nothing (Qt passes it on as a plain key press, which reaches the window
        when the focused field has no use for it). Escape on a list goes back (see _go_back)."""
        from PySide6.QtCore import Qt
        from PySide6.QtGui import QKeySequence

        pressed = QKeySequence(event.keyCombination())
        for action in self.actions():
            if not action.isEnabled() and not action.shortcut().isEmpty() and action.shortcut() == pressed:
                event.accept()
                self._say(self._why_unavailable(action))
                return
        if self.stack.currentWidget() is self.case_desk and self._typed_into_entry(event):
            event.accept()
            return
        if event.key() == Qt.Key.Key_Escape and self.stack.currentWidget() in self._lists():
            event.accept()
            self._go_back()
            return
        super().keyPressEvent(event)

    def _lists(self) -> list[QWidget]:
        """The views Escape goes back from (those built so far): the case editor is not one of them."""
        records = self._record_desk.view if self._record_desk is not None else None
        return [v for v in (self._home, records, self._follow_ups, self._archive, self._history) if v is not None]

    def _typed_into_entry(self, event: QKeyEvent) -> bool:
        """Letters typed where nothing takes them (the brief, the script, a button) are the start
        of a note: they go to the note entry, brought forward (a claim is not lost for the focus
        having been left on the brief). Whether they went."""
        if not self.note_pane.takes_typing(event):
            return False
        self.case_desk.show_pane(2)  # (in a narrow column, the notes come to the front)
        self.note_pane.take_typing(event)
        return True

    def _why_unavailable(self, action: QAction) -> str:
        words = _words(action)
        live = self.call is not None and self.call.in_progress
        if live and not self._mine(self.call) and action is not self.act_start:  # type: ignore[arg-type]
            return f"{words}: this call is being taken at another desk; open it from Home (Ctrl+H) to take it over"
        end_first = "end the call first (Ctrl+Shift+E)"
        if live and action is self.act_start:
            return f"{words}: a call is already in progress; {end_first}"
        if live and action is self.act_seal:
            return f"{words}: {end_first}"
        if live and action is self.act_edit:
            return f"{words}: not during a call, whose brief it is; {end_first}"
        if action is self.act_seal and self.call is not None and self.call.sealed_at is not None:
            return f"{words}: this call's record is already sealed and signed; a note typed now is a signed addendum"
        if action is self.act_seal and self.case is not None:
            return f"{words}: no ended call on screen; open it from Home (Ctrl+H)"
        if action is self.act_export:
            return f"{words}: choose a sealed record in the records first (Ctrl+Shift+R)"
        if action in (self.act_entry, *self.kind_actions) and self.call is not None and self.call.sealed_at is None:
            return f"{words}: the call has ended; seal it (Ctrl+Shift+G), then type dated addenda"
        if action in (
            self.act_end,
            self.act_entry,
            self.act_reviewer,
            self.act_criteria,
            self.act_disposition,
            *self.kind_actions,
        ):
            start = "Ctrl+Shift+S" if self.act_start.isEnabled() else "from the case or Home, Ctrl+Shift+S"
            return f"{words}: no call in progress; start one first ({start})"
        if self.case is not None:
            return f"{words}: not from this view; from the case (Home, Ctrl+H, then Enter)"
        return f"{words}: open a case first (Home, Ctrl+H)"

    def _say(self, message: str, *, beep: bool = True, problem: bool = False) -> None:
        """Say ``message`` on the view the window shows (the note pane, Home or the editor, in red
        there if a ``problem``; on another view, a beep unless not ``beep``). "" takes back what was
        said (on the note pane, what stands is said again)."""
        current = self.stack.currentWidget()
        if current is self.case_desk:
            self.note_pane.show_problem(message or self._standing(self._practice_problems))
        elif current is self._home:
            self.home.show_notice(message)
        elif current is self._editor:
            self._editor.say(message, problem=problem)
        elif beep:
            from PySide6.QtWidgets import QApplication

            QApplication.beep()

    # Navigation -------------------------------------------------------------------------------

    def restore(self, case_id: int | None = None) -> None:
        """Open what the physician needs first: a call left in progress (e.g. after a crash),
        else the case asked for, else the home view."""
        live = self._guard(lambda: self.desk.call_in_progress())
        if live is not None:
            self._show_call(live.case_id, live.id)  # type: ignore[arg-type]
            return
        if case_id is not None:
            self.open_case(case_id)
            if self.case is not None and self.case.id == case_id:
                return
        self.show_home()
        if case_id is not None:
            self.home.show_notice(f"There is no case #{case_id}; the cases on file are listed below.")

    def _find_case(self) -> None:
        self.show_home()
        if self.stack.currentWidget() is self._home:
            self.home.focus_find()

    def _may_close(self) -> bool:
        if not self._may_leave_editor():
            return False
        unsaved = self.note_pane.unsaved(self.call) if self.call is not None else []
        unsaved += self.note_pane.unsaved_elsewhere()
        if not unsaved:
            return True
        return self._ask_yes(
            f"Typed but not saved, and lost if you quit: the {' and the '.join(unsaved)}.\n\nQuit anyway?"
        )

    def _ask_yes(self, question: str) -> bool:
        """Whether the physician answers Yes to ``question``; No is the default (Enter, Escape)."""
        from PySide6.QtWidgets import QMessageBox

        buttons = QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No
        answer = QMessageBox.question(self, "p2pdesk", question, buttons, QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def _may_leave_editor(self) -> bool:
        """Whether to go on from the editor: the field being typed in is saved first, and values
        the store refused (on screen, flagged, not saved) are lost on leaving, so the designee is
        asked; anything but No leaves."""
        editor = self._editor
        if editor is None or self.stack.currentWidget() is not editor:
            return True
        editor.commit_pending()
        held = editor.unsaved_fields()
        if not held:
            return True
        from PySide6.QtWidgets import QMessageBox

        answer = QMessageBox.question(
            self, "p2pdesk", f"Not saved, and lost if you leave the editor: {', '.join(held)}.\n\nLeave anyway?"
        )
        return answer != QMessageBox.StandardButton.No

    def show_home(self) -> None:
        if not self._may_leave_editor():  # (and what was just typed is saved before the list is read)
            return
        home = self.home  # built first, so that load_rules names any unusable practice file on it
        home.show_notice("")
        if self._complete:  # a practice file fixed (or broken) since is read as it is now
            self.load_rules()

        def read():  # noqa: ANN202
            cases = self.desk.cases()
            # Each case read once, for its clocks and its gaps (code checks not counted: they need
            # the code sets, which the editor loads).
            return cases, {c.id: self.desk.case(c.id) for c in cases}, self.desk.now(), self.desk.follow_ups()

        found = self._guard(read)
        if found is not None:
            from p2pdesk.playbook.readiness import readiness

            cases, full, now, follow_ups = found
            clocks = self._next_deadlines(list(full.values()), {c.id: c.calls for c in cases})
            from datetime import UTC, datetime

            far = datetime.max.replace(tzinfo=UTC)
            cases.sort(key=lambda c: clocks[c.id][2] if c.id in clocks else far)
            home.show_cases(
                cases,
                {case_id: len(readiness(case)) for case_id, case in full.items()},
                {case_id: (status, text) for case_id, (status, text, _) in clocks.items()},
            )
            due = [f for f in follow_ups if f.status(now) in ("overdue", "today")]
            home.show_follow_ups_due([f"{f.status(now).upper()}: {f.what} (call {f.call_id})" for f in due])
        self.stack.setCurrentWidget(home)
        self.setWindowTitle("p2pdesk")
        self._update_actions()
        home.show_way_back(self._way_back())
        home.focus_list()

    def _way_back(self) -> str:
        """What Home says of the call this desk has in progress, if any: it goes on, and Escape goes back to it."""
        call, case = self.call, self.case
        if call is None or case is None or not call.in_progress or not self._mine(call):
            return ""
        since = call.started_at.astimezone().strftime("%H:%M")
        return (
            f"A call is in progress on case #{case.id} ({case.patient_name}) since {since}: "
            "Escape goes back to it, with what was typed there."
        )

    def _go_back(self) -> None:
        """Escape on a list (Home, the records, the follow-ups, the archive, the history): back to
        the call or case the desk was showing, as it is on file (a call in progress keeps what was
        typed and not yet entered: see NotePane.show_call)."""
        if self.case is None:
            self._say("No case was open to go back to: Enter opens the one selected.")
        elif self.call is not None and self.call.in_progress and not self._mine(self.call):
            self._focus(0, lambda: None)  # another desk's call, shown as it stood: going back is not taking it over
        elif self.call is not None:
            self.open_call(self.case.id, self.call.id)  # type: ignore[arg-type]
        else:
            self.open_case(self.case.id)  # type: ignore[arg-type]

    def _payer_problems(self) -> list[Problem]:
        """What is wrong with the practice's payer windows, if anything (the default window counts)."""
        from p2pdesk.playbook.clock import load_deadline_rules
        from p2pdesk.playbook.rules import practice_rules_dir

        problems: list[Problem] = []
        load_deadline_rules(practice_rules_dir(), problems=problems)
        return problems

    def _next_deadlines(
        self, cases: list[Case], calls: dict[int, tuple[CallSummary, ...]]
    ) -> dict[int, tuple[str, str, datetime]]:
        """Each case's next deadline as (status, text, due), in local time (``calls``: each case's)."""
        from p2pdesk.playbook.clock import deadlines, practice_zone, soonest
        from p2pdesk.playbook.rules import practice_rules_dir

        tz = practice_zone()
        now = self.desk.now()
        folder = practice_rules_dir()
        out = {}
        for case in cases:
            # (what is wrong with the practice's files is named by _payer_problems)
            clocks = deadlines(case, tz, practice_dir=folder, problems=[], calls=calls.get(case.id, ()))  # type: ignore[arg-type]
            found = soonest(clocks, now)
            if found is None:
                continue
            late = [d for d in clocks if d.due < now]
            when = found.due.astimezone(tz).strftime("%Y-%m-%d %H:%M")
            text = f"{when} · {found.what}"
            if late and found not in late:  # what has run out first (the line is cut at the right), then what is next
                text = f"run out: {'; '.join(d.what for d in late)} · next {text}"
            status = found.status(now) if found not in late else "overdue"
            out[case.id] = ("overdue" if late else status, text, found.due)  # type: ignore[index]
        return out

    def open_case(self, case_id: int) -> None:
        if not self._may_leave_editor():
            return
        found = self._guard(lambda: (self.desk.case(case_id), self.desk.call_in_progress()))
        if found is None:
            return
        case, live = found
        if self._stays_on_live_call(live, case_id):
            return
        self._show(case, live)  # the case's own call in progress, if any

    def _stays_on_live_call(self, live: Call | None, case_id: int, call_id: int | None = None) -> bool:
        """While a call is in progress (``live``), the desk shows it: another case or call is not
        opened over it (its clock, its entry and End call would be out of reach). Says so, and goes
        back to it."""
        if live is None or (live.case_id == case_id and call_id in (None, live.id)):
            return False
        self._show_call(live.case_id, live.id)  # type: ignore[arg-type]
        wanted = f"call {call_id} of case #{case_id}" if call_id is not None else f"case #{case_id}"
        self.note_pane.show_problem(
            f"A call is in progress on case #{live.case_id}: end it (Ctrl+Shift+E) before opening {wanted}."
        )
        return True

    def open_call(self, case_id: int, call_id: int) -> None:
        if not self._may_leave_editor():
            return
        live = self._guard(lambda: self.desk.call_in_progress())
        if not self._stays_on_live_call(live, case_id, call_id):
            self._show_call(case_id, call_id)

    def _show_call(self, case_id: int, call_id: int) -> None:
        case = self._guard(lambda: self.desk.case(case_id))
        call = self._guard(lambda: self.desk.call(call_id))
        if call is not None and call.in_progress and not self.desk.is_mine(call):
            call = self._offer_take_over(call)
        if case is not None and call is not None:
            self._show(case, call)

    def _mine(self, call: Call) -> bool:
        """Whether this desk writes to ``call`` (one drawn from the snapshot, before the store has
        opened, is: the snapshot holds this desk's call alone)."""
        return self._desk is None or self._desk.is_mine(call)

    def _offer_take_over(self, call: Call) -> Call:
        """Another desk's call in progress, opened here: asked whether to go on with it here (Yes),
        else shown as it stands (its notes are written at that desk)."""
        since = call.started_at.astimezone().strftime("%H:%M")
        if not self._ask_yes(
            f"This call has been in progress at another desk since {since}.\n\nTake it over here? Its notes go "
            "on at this desk, and that desk can no longer add to it. (No shows it as it stands.)"
        ):
            return call
        return self._guard(lambda: self.desk.take_over(call.id)) or call  # type: ignore[arg-type]

    def _show(self, case: Case, call: Call | None, notes: list[Note] | None = None, *, forward: bool = True) -> None:
        """Show ``case`` and ``call`` on the case desk, brought forward (not when ``forward`` is
        False: the desk is brought up to date behind the view the physician went on to)."""
        if notes is None and call is not None:
            notes = self._guard(lambda: self.desk.notes(call.id))  # type: ignore[arg-type]
            if notes is None:  # not read (said why): the view stays as it was
                return
        notes = notes or []
        self.case, self.call = case, call
        show_brief(self.brief, case)
        self.script.show_script(case, call, self.rules, self._templates)
        self.note_pane.set_case(case)
        mine = call is None or self._mine(call)
        self.note_pane.show_call(call, notes, ours=mine)
        if not mine:
            self.note_pane.show_info(
                "This call is in progress at another desk and is shown as it stands; "
                "open it again from Home (Ctrl+H) to take it over here."
            )
        if forward:
            self._bring_case_desk_forward()
        self._update_actions()
        if forward and call is not None and call.in_progress:
            self._focus(2, self.note_pane.focus_entry)

    def _bring_case_desk_forward(self) -> None:
        """The case desk in front, the window's title naming its case."""
        self.stack.setCurrentWidget(self.case_desk)
        self.setWindowTitle(f"p2pdesk — case #{self.case.id}")  # type: ignore[union-attr]

    def _focus(self, pane: int, then) -> None:  # noqa: ANN001
        if self.case is not None and self.stack.currentWidget() is not self.case_desk:
            self._bring_case_desk_forward()
            self._update_actions()
        self.case_desk.show_pane(pane)
        then()

    def _step_script(self, delta: int) -> None:
        if self.case_desk.narrow:  # one pane at a time: the script comes to the front to be read
            self.case_desk.show_pane(1)
        self.script.step(delta)

    def _show_pane(self, index: int) -> None:
        self.case_desk.show_pane(index)
        if index == 2 and self.note_pane.entry.isEnabled():  # the notes: typing goes to the entry
            self.note_pane.focus_entry()

    def _toggle_on_top(self, on: bool) -> None:
        from PySide6.QtCore import Qt  # late on purpose: see p2pdesk.ui.qt

        hint = Qt.WindowType.WindowStaysOnTopHint
        flags = self.windowFlags() | hint if on else self.windowFlags() & ~hint
        handle = self.windowHandle()
        if handle is None:  # not shown yet
            self.setWindowFlags(flags)
            return
        # Told to the window system through the shown window: QWidget.setWindowFlags would hide
        # the window and show it again, and the focus (and the next keystroke) would be lost.
        self.overrideWindowFlags(flags)
        handle.setFlags(flags)

    def _set_kind(self, kind: NoteKind) -> None:
        self._focus(2, lambda: self.note_pane.set_kind(kind))  # from Home too: the call comes to the front

    # Writes ---------------------------------------------------------------------------------

    @property
    def store_line(self) -> StoreLine:
        """The thread the store's work runs on, in order (made when first used)."""
        if self._store_line is None:
            from p2pdesk.ui.worker import StoreLine

            self._store_line = StoreLine(self._say_waiting, self)
            self._store_line.late.connect(self._answered_late)
        return self._store_line

    def _say_waiting(self, message: str) -> None:
        """Say how long the store has kept the window waiting, on the view shown (on a view with
        no line for it, the busy pointer says it); "" once it has answered (the window then
        closes, if closing was asked for meanwhile)."""
        from PySide6.QtGui import QGuiApplication

        busy = QGuiApplication.overrideCursor() is not None  # the window sets none but this one
        if message and not busy:
            from PySide6.QtCore import Qt

            QGuiApplication.setOverrideCursor(Qt.CursorShape.BusyCursor)
        elif not message and busy:
            QGuiApplication.restoreOverrideCursor()
        self._say(message, beep=False)
        if not message and self._close_asked:
            self._close_asked = False
            from PySide6.QtCore import QTimer

            QTimer.singleShot(0, self.close)  # after the answer has been shown

    def _answered_late(self) -> None:
        """The store answered what the window stopped waiting for: what it stored is listed (a
        note sent again now is not stored twice). Not while the window waits for the store (for
        the reading of a note's Enter, say, which settles what it finds itself): after that."""
        if self.store_line.waiting():
            from PySide6.QtCore import QTimer

            QTimer.singleShot(50, self._answered_late)
            return
        call = self.call
        if call is None or call.id is None:
            return
        sent = bool(self._unsettled)  # (or settled already, by an Enter that read the notes first)
        stored = self._guard(lambda: (self.desk.call(call.id), self.desk.notes(call.id)))  # type: ignore[arg-type]
        if stored is None or self.call is None or self.call.id != call.id or self.case is None:
            return
        if stored[0].in_progress != call.in_progress:  # ended meanwhile: shown as an ended call is
            self._show(self.case, stored[0], stored[1], forward=self.stack.currentWidget() is self.case_desk)
            self._unsettled.clear()
            self._say("The database has answered: what it stored while the window had stopped waiting is listed.")
            return
        self._take_call(stored[0])
        found = bool(self._settle(stored[1]))
        for note in stored[1]:
            self.note_pane.append_note(note)  # those already listed are not listed again
        if found or not sent:
            self._say("The database has answered: what it stored while the window had stopped waiting is listed.")
        else:
            self._say("The database has answered: what was sent while the window had stopped waiting was not stored.")

    def _guard(self, work, *, here: bool = False):  # noqa: ANN001, ANN202
        """Run ``work`` (on the store's line, unless ``here``: work that touches the window); show
        a refused input or an unusable store plainly, return None then."""
        from p2pdesk.ui.worker import StoreGone

        self._store_failed = False
        try:
            result = work() if here else self.store_line.run(work)
        except StoreGone:
            return None
        except InvalidInput as exc:
            self.note_pane.show_problem("\n".join(str(p) for p in exc.problems))
            return None
        except NotFound as exc:
            self.note_pane.show_problem(str(exc))
            return None
        except StoreUnavailable as exc:
            self._store_failed = True  # no answer to trust: what was sent may yet be stored
            if self.stack.currentWidget() is self.case_desk:
                self.note_pane.show_problem(
                    f"Not saved — the database cannot be written ({exc}). Your text is kept here; "
                    "press Enter again to save it once the database can be written."
                )
            else:
                self._say(f"The database cannot be used now ({exc}). Try again once it can.")
            return None
        if self._store_warning and self._desk is not None and self._writable_again():
            self._store_warning = ""  # it can be written again (its permissions were fixed, say)
        self.note_pane.show_problem(self._standing(self._practice_problems))  # "" when all is well
        return result

    def _writable_again(self) -> bool:
        """Whether the store, said to be read-only, can be written now (asked on the store's line)."""
        try:
            return self.store_line.run(self.desk.store.cannot_write) is None
        except StoreUnavailable:
            return False

    def _start_call(self) -> None:
        if self._home is not None and self.stack.currentWidget() is self._home:
            case_id = self.home.selected_case_id()
            if case_id is None:
                return
            self.open_case(case_id)
        if self.case is None or not self._may_start_another():
            return
        case_id = self.case.id
        call = self._guard(lambda: self.desk.start_call(case_id))  # type: ignore[arg-type]
        if call is not None:
            self.note_pane.show_info("")  # what was said of the last call (sealed, say) is not of this one
            self._show(self.case, call)

    def _may_start_another(self) -> bool:
        """A call on this case ended and not sealed yet (just ended, on screen, or left so from
        Home): starting another (a slip of the key after Ctrl+Shift+E, say) would leave it unsealed
        and out of sight, so the physician is asked first; No (the default) keeps it."""
        case_id = self.case.id  # type: ignore[union-attr]
        calls = self._guard(lambda: self.desk.store.calls_for_case(case_id)) or []  # type: ignore[arg-type]
        unsealed = [c for c in calls if not c.in_progress and c.sealed_at is None]
        if not unsealed:
            return True
        when = local_when(unsealed[-1].ended_at, self.desk.now())  # type: ignore[arg-type]
        return self._ask_yes(
            f"The call on this case that ended at {when} is not sealed yet "
            "(open it and press Ctrl+Shift+G to seal it).\n\nStart another call on this case?"
        )

    def _end_call(self) -> None:
        if self.call is None:
            return
        unsaved = self.note_pane.unsaved(self.call)
        if unsaved:
            # Ending would leave these behind: the entry is closed and the fields show the record.
            self.note_pane.show_problem(
                f"Not ended: typed but not saved yet in the {' and the '.join(unsaved)}. Press Enter there to "
                "save it (or clear it), then end the call (Ctrl+Shift+E)."
            )
            return
        call_id = self.call.id  # type: ignore[union-attr]
        call = self._guard(lambda: self.desk.end_call(call_id))  # type: ignore[arg-type]
        if call is not None:
            self._show(self.case, call)  # type: ignore[arg-type]

    def _add_note(self, kind: str, text: str) -> None:
        if self.call is None:
            return
        call_id, addendum = self.call.id, not self.call.in_progress and self.call.sealed_at is not None
        if addendum and self.record_desk.addendum_pending():  # (its answer is still to come)
            self.note_pane.show_problem("addendum: the one before is still being signed; press Enter in a moment")
            return
        if self._unsettled:  # a note sent before had no answer to trust: was it stored after all?
            found = self._settle_stored(call_id)  # type: ignore[arg-type]
            if found is None or any(kind not in _CALL_CHANGES for kind, _ in found):
                return  # not read (said why), or a note was stored: said, and the entry is looked at first
        if addendum:
            if not text.strip():
                self.note_pane.show_problem("addendum: is empty; type it, then press Enter")
                return
            # The text stays in the entry (read-only) until the addendum is signed; if it is not,
            # it stays there to be corrected, and the problem says why.
            self.note_pane.hold_entry(call_id)  # type: ignore[arg-type]
            key = self._entry_key(call_id, kind, text)  # type: ignore[arg-type]

            def settled(stored: bool) -> None:
                if stored:
                    self._unsettled.pop(key, None)
                self.note_pane.release_entry(call_id, stored)  # type: ignore[arg-type]

            started = self._guard(
                lambda: self.record_desk.add_addendum(call_id, NoteKind(kind), text, settled, entry_key=key) or True,
                here=True,
            )
            if started is None:  # refused before the signing began (the store, say): the text stays, editable
                self.note_pane.release_entry(call_id, stored=False)  # type: ignore[arg-type]
            return
        key = self._entry_key(call_id, kind, text)  # type: ignore[arg-type]
        note = self._guard(lambda: self.desk.add_note(call_id, NoteKind(kind), text, entry_key=key))  # type: ignore[arg-type]
        self._answered(key, note)
        if note is not None:
            self.note_pane.append_note(note)
            self.note_pane.note_accepted()

    def _answered(self, key: str, done: object) -> None:
        """What was sent with ``key`` is settled if it was stored (``done``) or refused as it was
        typed; left unsettled when the store gave no answer to trust."""
        if done is not None or not self._store_failed:
            self._unsettled.pop(key, None)

    def _take_call(self, call: Call) -> None:
        """The call as the store holds it now (a change found stored after all): its script, and
        its educational-only box, say what it holds."""
        self.call = call
        if self.case is not None:
            self.script.show_script(self.case, call, self.rules, self._templates)
        self.note_pane.show_educational(call.educational_only)

    def _settled_before(self, call_id: int, kind: str, text: str) -> bool:
        """Settle what was sent before without an answer to trust, before a change to the call is
        sent; whether to send it: not when the store could not be read (said why), nor when this
        very change was found stored (it is shown)."""
        if not self._unsettled:
            return True
        found = self._settle_stored(call_id)
        return found is not None and (kind, text) not in found

    def _settle_stored(self, call_id: int) -> list[tuple[str, str]] | None:
        """Read the call and its notes (one turn of the store's line) and settle against them
        (see _settle); None when they could not be read (said why)."""
        stored = self._guard(lambda: (self.desk.call(call_id), self.desk.notes(call_id)))
        return None if stored is None else self._settle(stored[1], stored[0])

    def _entry_key(self, call_id: int, kind: str, text: str) -> str:
        """The key a note (or an addendum) is sent with: that of a sending of the same words still
        unsettled (no answer to trust: the connection lost, a wait given up), so that the store
        keeps it once; else a new one, unsettled until the store answers."""
        for key, sent in self._unsettled.items():
            if sent == (call_id, kind, text):
                return key
        import uuid

        key = str(uuid.uuid4())
        self._unsettled[key] = (call_id, kind, text)
        return key

    def _settle(self, notes: list[Note], call: Call | None = None) -> list[tuple[str, str]]:
        """Settle the sendings that had no answer to trust against the call's stored ``notes``
        (read after them on the store's line, so what they show is final): those stored are
        listed, the others forgotten (sent again, they are new); those stored, as (kind, text). A note
        stored is said, and the entry is cleared if it holds that very note, else left as the
        physician left it, to be looked at before Enter stores it as a note of its own; a change
        to the call stored (the reviewer, say) is shown on the call, as ``call`` (read with the
        notes) holds it."""
        from p2pdesk.services.desk import logged_with

        call_id = self.call.id if self.call is not None else None
        found = []
        for key, (sent_to, kind, text) in list(self._unsettled.items()):
            del self._unsettled[key]
            # The note sent with the key, and the one logged with it (a specialty mismatch after the reviewer).
            keys = (key, logged_with(key))
            logged = [n for n in notes if n.entry_key in keys]
            if logged and sent_to == call_id:
                for note in logged:
                    self.note_pane.append_note(note)
                found.append((kind, text))
        if call is not None and call.id == call_id and any(kind in _CALL_CHANGES for kind, _ in found):
            self._take_call(call)
        typed = [sent for sent in found if sent[0] not in _CALL_CHANGES]
        if (self.note_pane.current_kind().value, self.note_pane.entry.text()) in typed:
            self.note_pane.note_accepted()
            self.note_pane.show_info("That note was stored after all: it is listed, and was not stored twice.")
        elif typed:
            self.note_pane.show_info(
                "A note sent before was stored after all: it is listed. The entry is as you left it; press "
                "Enter to store it as a note of its own."
            )
        return found

    def _set_reviewer(self, name: str, credentials: str, specialty: str) -> None:
        if self.call is None:
            return
        call_id, said = self.call.id, "\n".join((name, credentials, specialty))
        if not self._settled_before(call_id, _REVIEWER, said):  # type: ignore[arg-type]
            return
        key = self._entry_key(call_id, _REVIEWER, said)  # type: ignore[arg-type]
        done = self._guard(
            lambda: (
                self.desk.set_reviewer(call_id, name, credentials, specialty, entry_key=key),  # type: ignore[arg-type]
                self.desk.call(call_id),  # type: ignore[arg-type]
                self.desk.notes(call_id),  # type: ignore[arg-type]
            )
        )
        self._answered(key, done)
        if done is not None:
            note, self.call, notes = done
            # The reviewer's note, and the procedural note a specialty mismatch adds after it.
            for logged in notes:
                if logged.id >= note.id:  # type: ignore[operator]
                    self.note_pane.append_note(logged)
            self.script.show_script(self.case, self.call, self.rules, self._templates)  # type: ignore[arg-type]
            if specialty_not_the_cases(self.case, self.call):  # type: ignore[arg-type]
                self.script.go_to("specialty")
            else:
                self.script.go_to("criteria")
            self.note_pane.focus_entry()
            missing = [
                what for what, given in (("credentials", credentials), ("specialty", specialty)) if not given.strip()
            ]
            if missing:  # on the record as given; what is missing is asked for, then put again (Ctrl+R)
                self.note_pane.show_hint(
                    f"Reviewer on the record without {' or '.join(missing)}: ask for "
                    f"{'them' if len(missing) > 1 else 'it'}, then Ctrl+R to add "
                    f"{'them' if len(missing) > 1 else 'it'}"
                    + (" (the same-specialty check needs the specialty)." if "specialty" in missing else ".")
                )

    def _tick_criterion(self, number: int) -> None:
        if self.call is None or self.case is None:
            return
        call_id, case = self.call.id, self.case
        note = self._guard(lambda: self.desk.tick_criterion(call_id, case, number))  # type: ignore[arg-type]
        if note is None:
            self.note_pane.uncheck_criterion(number)
        else:
            self.note_pane.append_note(note)

    def _set_educational(self, on: bool) -> None:
        if self.call is None:
            return
        call_id = self.call.id
        if not self._settled_before(call_id, _EDUCATIONAL, str(on)):  # type: ignore[arg-type]
            self.note_pane.show_educational(self.call.educational_only)  # the box says what the record says
            return
        key = self._entry_key(call_id, _EDUCATIONAL, str(on))  # type: ignore[arg-type]
        done = self._guard(
            lambda: (self.desk.set_educational_only(call_id, on, entry_key=key), self.desk.call(call_id))  # type: ignore[arg-type]
        )
        self._answered(key, done)
        if done is None:
            self.note_pane.show_educational(not on)  # not recorded: the box says what the record says
        else:
            note, self.call = done
            self.note_pane.append_note(note)

    def _set_disposition(
        self, disposition: str, auth: str, reasoning: str, requested: str, by: str, alternative: str = ""
    ) -> None:
        if self.call is None:
            return
        call_id = self.call.id
        said = "\n".join((disposition, auth, reasoning, requested, by, alternative))
        if not self._settled_before(call_id, _DISPOSITION, said):  # type: ignore[arg-type]
            return
        key = self._entry_key(call_id, _DISPOSITION, said)  # type: ignore[arg-type]

        def record():  # noqa: ANN202
            if not disposition:
                raise InvalidInput(Problem("disposition", "choose reversed, upheld or deferred first"))
            deferred = disposition == Disposition.DEFERRED.value  # the date is read only for a deferral
            try:
                by_date = written_date(by.strip()) if deferred and by.strip() else None
            except ValueError:
                raise InvalidInput(
                    Problem("requested by", f"{by.strip()!r} is not a real date written as YYYY-MM-DD")
                ) from None
            note = self.desk.set_disposition(
                call_id,
                Disposition(disposition),
                authorization_number=auth,
                stated_reasoning=reasoning,
                information_requested=requested,
                requested_by=by_date,
                alternative_offer=alternative,
                entry_key=key,
            )
            return note, self.desk.call(call_id)  # type: ignore[arg-type]

        done = self._guard(record)
        self._answered(key, done)
        if done is not None:
            note, self.call = done
            self.note_pane.append_note(note)
            self.note_pane.focus_entry()
            if self.call.disposition is Disposition.DEFERRED and self.call.requested_by is None:  # type: ignore[union-attr]
                # On the record as said; a deferral is what was requested and by when.
                self.note_pane.show_hint(
                    "Deferred without a date: ask by when the plan needs it, then Ctrl+D, Tab to By, and Enter."
                )

    def _import_fhir(self) -> None:
        self._import_case(fhir=True)

    def _import_case(self, fhir: bool = False) -> None:
        if not self._may_leave_editor():  # asked before anything is imported: No imports nothing
            return
        # Dialog classes are imported when first used: they are slow to load (see p2pdesk.ui.qt).
        from PySide6.QtWidgets import QFileDialog, QMessageBox

        title = "Import from the EHR (FHIR bundle)" if fhir else "Import case file"
        path, _ = QFileDialog.getOpenFileName(self, title, "", "JSON files (*.json)")
        if not path:
            return
        try:
            text = _path(path).read_text(encoding="utf-8-sig")  # a byte-order mark (Notepad's) is not text
            case_id = self.store_line.run(lambda: self.desk.import_fhir(text) if fhir else self.desk.import_case(text))
        except (OSError, UnicodeDecodeError) as exc:
            QMessageBox.warning(self, title, f"Cannot read {path}: {exc}")
            return
        except InvalidInput as exc:
            QMessageBox.warning(
                self,
                title,
                "The file was refused; nothing was imported.\n\n" + "\n".join(map(str, exc.problems)),
            )
            return
        except StoreUnavailable as exc:
            QMessageBox.warning(self, title, str(exc))
            return
        if self._editor is not None and self.stack.currentWidget() is self._editor:
            self.stack.setCurrentWidget(self.case_desk)  # left as agreed above (not asked twice)
        self.open_case(case_id)

    # Records ---------------------------------------------------------------------------------

    def _seal(self) -> None:
        if self.call is None or self.call.in_progress:
            self._say(self._why_unavailable(self.act_seal))
            return
        self.act_seal.setEnabled(False)
        self.record_desk.seal(self.call.id)  # type: ignore[arg-type]

    def _record_sealed(self, record: object) -> None:
        call_id = getattr(record, "call_id", None)
        sealed = self._guard(lambda: self.desk.call(call_id)) if self.call is not None else None  # type: ignore[arg-type]
        if sealed is not None and self.call is not None and self.call.id == call_id:
            # Not brought forward over a view gone on to meanwhile (the editor, say: what is typed
            # there stays there).
            self._show(self.case, sealed, forward=self.stack.currentWidget() is self.case_desk)  # type: ignore[arg-type]
            self.note_pane.show_problem("")  # what stood in the way of sealing no longer does
            self.note_pane.show_info(
                f"Record version {record.version} sealed and signed · digest {record.digest[:16]}…"  # type: ignore[attr-defined]
            )
            if getattr(record, "version", 1) > 1 and self.stack.currentWidget() is self.case_desk:
                self._focus(2, self.note_pane.focus_entry)  # an addendum signed: the entry takes the next

    def _record_problem(self, message: str) -> None:
        self._tell(message, problem=True)
        self._update_actions()

    def _tell(self, message: str, *, problem: bool = False) -> None:
        """Say what work done in the background came to (a file written, or why not): on the note
        pane, and on the view the window shows when that is another (the records, the editor, Home)."""
        if problem:
            self.note_pane.show_info("")
            self.note_pane.show_problem(message)
        else:
            self.note_pane.show_info(message)
        current = self.stack.currentWidget()
        if self._record_desk is not None and current is self._record_desk.view:
            self._record_desk.view.show_message(message, problem=problem)
        elif current is not self.case_desk:  # (the note pane has said it)
            self._say(message, beep=False, problem=problem)

    def show_records(self) -> None:
        if not self._may_leave_editor():
            return
        desk = self.record_desk
        found = self._guard(lambda: (desk.records.records(), self.desk.archive()))
        if found is None:
            return
        records, calls = found
        desk.show_records(records, {c.call_id: f"{c.patient} · {c.payer} · {c.service_code}" for c in calls})
        self.stack.setCurrentWidget(desk.view)
        self.setWindowTitle("p2pdesk — records")
        self._update_actions()
        desk.view.focus_list()

    def _export_record(self) -> None:
        if self._record_desk is None:
            return
        record_id = self._record_desk.view.selected_record_id()
        if record_id is None:
            return
        from PySide6.QtWidgets import QFileDialog  # slow to load: see p2pdesk.ui.qt

        path, _ = QFileDialog.getSaveFileName(
            self, "Export signed record", f"call-record-{record_id}.pdf", "PDF files (*.pdf)"
        )
        if path:
            self._record_desk.export(record_id, _path(path))

    # Archive ----------------------------------------------------------------------------------

    @property
    def archive_view(self) -> ArchiveView:
        if self._archive is None:
            from p2pdesk.ui.archive_view import ArchiveView

            self._archive = ArchiveView(self)
            self._archive.callOpenRequested.connect(self.open_call)
            self.stack.addWidget(self._archive)
        return self._archive

    def show_archive(self) -> None:
        """Every call, filterable and sortable; Enter opens one."""
        if not self._may_leave_editor():
            return
        rows = self._guard(lambda: self.desk.archive())
        if rows is None:
            return
        view = self.archive_view
        view.show_rows(rows)
        self.stack.setCurrentWidget(view)
        self.setWindowTitle("p2pdesk — archive")
        self._update_actions()
        view.search.setFocus()

    # History ----------------------------------------------------------------------------------

    @property
    def history_view(self) -> AnalyticsView:
        if self._history is None:
            from p2pdesk.ui.analytics_view import AnalyticsView

            self._history = AnalyticsView(self)
            self._history.exportRequested.connect(self._export_history)
            self.stack.addWidget(self._history)
        return self._history

    def show_history(self) -> None:
        """Reversal rates by payer, service, reviewer specialty match and brief completeness,
        computed off the GUI thread (a large practice has many calls)."""
        if not self._may_leave_editor():
            return
        from p2pdesk.ui.worker import Task

        view = self.history_view
        self.stack.setCurrentWidget(view)
        self.setWindowTitle("p2pdesk — practice history")
        self._update_actions()
        view.summary.setText("Counting…")
        task = Task(lambda: self.desk.history(), self)
        task.finished.connect(view.show_groups)
        task.failed.connect(lambda exc: view.summary.setText(f"Could not count: {exc}"))
        task.start()
        self._history_task = task

    def _export_history(self) -> None:
        from PySide6.QtWidgets import QFileDialog  # slow to load: see p2pdesk.ui.qt

        path, _ = QFileDialog.getSaveFileName(self, "Practice history", "p2p-history.csv", "CSV (*.csv)")
        if path:
            self.write_history_csv(_path(path))

    def write_history_csv(self, path: Path) -> None:
        from p2pdesk.playbook.analytics import to_csv

        path.write_text(to_csv(self.store_line.run(self.desk.history)), encoding="utf-8")

    # Follow-ups -------------------------------------------------------------------------------

    @property
    def follow_ups_view(self) -> FollowUpsView:
        if self._follow_ups is None:
            from p2pdesk.ui.follow_ups_view import FollowUpsView

            self._follow_ups = FollowUpsView(self)
            self._follow_ups.completeRequested.connect(self._complete_follow_up)
            self.stack.addWidget(self._follow_ups)
        return self._follow_ups

    def show_follow_ups(self) -> None:
        """The open follow-ups of every sealed call, soonest due first."""
        if not self._may_leave_editor():
            return

        def read():  # noqa: ANN202
            items = self.desk.follow_ups()
            # A sealed call has several follow-ups, a case several calls: each is read once.
            calls = {call_id: self.desk.call(call_id) for call_id in {item.call_id for item in items}}
            cases = {case_id: self.desk.case(case_id) for case_id in {call.case_id for call in calls.values()}}
            return items, calls, cases

        found = self._guard(read)
        if found is None:
            return
        items, calls, cases = found
        now = self.desk.now()
        rows = []
        for item in items:
            call = calls[item.call_id]
            case = cases[call.case_id]
            due = item.due.astimezone().strftime("%Y-%m-%d %H:%M") if item.due else "—"
            when = call.started_at.astimezone().strftime("%Y-%m-%d")
            rows.append((item.id, due, item.status(now), f"#{case.id} {case.patient_name}", when, item.what))
        view = self.follow_ups_view
        view.show_items(rows)  # type: ignore[arg-type]
        self.stack.setCurrentWidget(view)
        self.setWindowTitle("p2pdesk — follow-ups")
        self._update_actions()
        view.focus_list()

    def _complete_follow_up(self, follow_up_id: int, how: str) -> None:
        try:
            self.store_line.run(lambda: self.desk.complete_follow_up(follow_up_id, how))
        except (InvalidInput, StoreUnavailable) as exc:
            still_open = self._guard(lambda: [item.id for item in self.desk.follow_ups()]) or []
            if isinstance(exc, InvalidInput) and follow_up_id not in still_open:
                self.show_follow_ups()  # done already (at another desk, say): it leaves the list
            self.follow_ups_view.show_problem(str(exc))  # what was typed stays in its field
            return
        self.follow_ups_view.show_problem("")
        self.follow_ups_view.how.clear()
        self.show_follow_ups()

    # Preparation ------------------------------------------------------------------------------

    @property
    def editor(self) -> CaseEditor:
        """The case editor, built on first use."""
        if self._editor is None:
            from p2pdesk.ui.case_editor import CaseEditor

            self._editor = CaseEditor(self)
            self._editor.saveRequested.connect(self._save_case)
            self._editor.attemptLogged.connect(self._log_attempt)
            self._editor.demandRequested.connect(self._demand_letter)
            self._editor.schedulingShown.connect(lambda: self._show_offer_window(self.case) if self.case else None)
            self.stack.addWidget(self._editor)
        return self._editor

    def edit_case(self) -> None:
        """Open the editor on the current case, or on Home on the case chosen there (not during a
        call: the brief is the call's)."""
        if self.call is not None and self.call.in_progress:
            return
        if self._editor is not None and self.stack.currentWidget() is self._editor:
            return  # already there: showing the case again would drop what is being typed and what was refused
        chosen = self.home.selected_case_id() if self.stack.currentWidget() is self._home else None
        if chosen is not None and (self.case is None or chosen != self.case.id):
            self.open_case(chosen)  # the window's case from now on: its brief, letters and log are this one's
        if self.case is None:
            return
        case_id = self.case.id
        case = self._guard(lambda: self.desk.case(case_id))
        if case is None:
            return
        editor = self.editor
        editor.show_case(case)
        self.stack.setCurrentWidget(editor)
        self.setWindowTitle(f"p2pdesk — preparing case #{case.id}")
        self._update_actions()
        editor.fields["patient_name"].setFocus()
        self._show_attempts(case)
        self._check_codes(case)

    def _show_attempts(self, case: Case) -> None:
        from p2pdesk.domain.scheduling import demand_warranted

        attempts = self._guard(lambda: self.desk.attempts(case.id))  # type: ignore[arg-type]
        if attempts is None:
            return
        self.editor.show_attempts(attempts, demand_warranted(attempts))
        self._show_offer_window(case)

    def _show_offer_window(self, case: Case) -> None:
        """By when to offer the plan times for the call, counted from now; nothing once the case is
        past the peer-to-peer (appeal filed, final denial, external review asked for)."""
        from p2pdesk.playbook.clock import offer_window, practice_zone
        from p2pdesk.playbook.rules import case_stage

        if case_stage(case) in ("internal_appeal", "external_review"):
            self.editor.show_offer_window(None, None)
            return
        tz = practice_zone()
        last_day, urgent_by = offer_window(self.desk.now(), tz, urgent=case.urgent)
        self.editor.show_offer_window(last_day, urgent_by.astimezone(tz) if urgent_by else None)

    def _log_attempt(self, outcome: str, whom: str, reference: str, hold: str, detail: str) -> None:
        if self.case is None:
            return
        hold = hold.strip()
        if hold and not (hold.isascii() and hold.isdigit()):  # ("²" is a digit to isdigit, not to int)
            self.editor.failed(f"hold time: {hold!r} is not a number of minutes")
            return
        case_id = self.case.id
        try:
            self.store_line.run(
                lambda: self.desk.log_attempt(
                    case_id,  # type: ignore[arg-type]
                    outcome,
                    whom=whom,
                    reference=reference,
                    hold_minutes=int(hold) if hold else None,
                    detail=detail,
                )
            )
        except (InvalidInput, StoreUnavailable) as exc:
            self.editor.failed(str(exc))
            return
        self.editor.saved()
        self._show_attempts(self.case)

    def _demand_letter(self) -> None:
        if self.case is None:
            return
        from PySide6.QtWidgets import QFileDialog  # slow to load: see p2pdesk.ui.qt

        path, _ = QFileDialog.getSaveFileName(
            self, "Written demand", f"p2p-demand-case-{self.case.id}.pdf", "PDF (*.pdf)"
        )
        if path:
            self.write_demand(_path(path))

    def write_demand(self, path: Path) -> None:
        """Write the demand (PDF, and its text beside it) from the case, the log and the rule that holds."""
        from p2pdesk.playbook.clock import practice_zone
        from p2pdesk.playbook.rules import demand_rule
        from p2pdesk.record.letters import demand_pdf, demand_text

        case_id = self.case.id  # type: ignore[union-attr]
        try:
            case, attempts = self.store_line.run(lambda: (self.desk.case(case_id), self.desk.attempts(case_id)))  # type: ignore[arg-type]
        except StoreUnavailable as exc:
            self.editor.failed(f"Demand not written. {exc}")
            return
        self.load_rules()  # the practice's rules as they are now
        if self._rules_problems:  # the letter would not cite what the practice set
            self.editor.failed(f"Demand not written. {practice_message(self._rules_problems)}")
            return
        tz = practice_zone()
        try:
            letter = demand_text(
                case,
                attempts,
                demand_rule(self.rules or [], case),  # type: ignore[arg-type]
                self.desk.now().astimezone(tz).date(),
                tz,
            )  # type: ignore[arg-type]
        except InvalidInput as exc:
            self.editor.failed(str(exc))
            return
        text = path.with_suffix(".txt")
        # The text beside the PDF replaces a file of that name only if the designee says so (the
        # save dialog asked about the PDF alone).
        keep = text.exists() and not self._ask_yes(
            f"{text.name} is already there, beside {path.name}. Replace it with the demand's text?"
        )
        try:
            path.write_bytes(demand_pdf(letter))
            if not keep:
                text.write_text(letter, encoding="utf-8")
        except OSError as exc:
            self.editor.say(f"Demand not written: {exc}", problem=True)
            return
        self.editor.say(
            f"Demand written to {path}" + (f" (its text not written: {text.name} kept as it was)" if keep else "")
        )

    def _check_codes(self, case: Case) -> None:
        """Check the codes against the code sets off the GUI thread (loading them takes seconds)."""
        from p2pdesk.ui.worker import Task

        def check() -> list[tuple[str, str]]:
            from p2pdesk.playbook.readiness import code_problems

            return code_problems(case)

        task = Task(check, self)
        task.finished.connect(lambda problems: self._editor.set_code_problems(problems) if self._editor else None)
        task.start()

    def _save_case(self, case: Case) -> None:
        try:
            self.store_line.run(lambda: self.desk.save_case(case))
        except InvalidInput as exc:
            stored = self._guard(lambda: self.desk.case(case.id)) if case.id is not None else None  # type: ignore[arg-type]
            if stored is None:
                self.editor.failed(str(exc))
            else:
                self.editor.refused(str(exc), stored)
            return
        except StoreUnavailable as exc:  # nothing was refused: the next save tries every change again
            self.editor.failed(str(exc))
            return
        self.editor.saved()
        self.case = case
        show_brief(self.brief, case)
        self.script.show_script(case, self.call, self.rules, self._templates)
        self.note_pane.set_case(case)
        self._show_offer_window(case)  # an urgent request has a shorter one
        self._check_codes(case)

    def _brief_pdf(self) -> None:
        if self.case is None:
            return
        from PySide6.QtWidgets import QFileDialog  # slow to load: see p2pdesk.ui.qt

        path, _ = QFileDialog.getSaveFileName(self, "One-page brief", f"brief-case-{self.case.id}.pdf", "PDF (*.pdf)")
        if path:
            self.write_brief(_path(path))

    def write_brief(self, path: Path) -> None:
        """Render the brief off the GUI thread; say plainly if it does not fit one page."""
        from p2pdesk.ui.worker import Task

        case = self.case

        def render() -> Path:
            from p2pdesk.record.brief_pdf import render_brief

            path.write_bytes(render_brief(case))  # type: ignore[arg-type]
            return path

        task = Task(render, self)
        task.finished.connect(lambda written: self._tell(f"Brief written to {written}"))
        task.failed.connect(lambda exc: self._tell(f"Brief not written: {exc}", problem=True))
        task.start()
        self._brief_task = task

    def _appeal_packet(self) -> None:
        if self.call is None or self.call.sealed_at is None:
            self.note_pane.show_problem("appeal packet: open a sealed call first (seal it with Ctrl+Shift+G)")
            return
        from PySide6.QtWidgets import QFileDialog  # slow to load: see p2pdesk.ui.qt

        path, _ = QFileDialog.getSaveFileName(
            self, "Appeal packet", f"appeal-packet-call-{self.call.id}.pdf", "PDF (*.pdf)"
        )
        if not path:
            return
        attachments, _ = QFileDialog.getOpenFileNames(
            self, "Attachments: denial letter, policy, letter of medical necessity, records", "", "PDF (*.pdf)"
        )
        self.write_packet(_path(path), [_path(a) for a in attachments])

    def write_packet(self, path: Path, attachments: list[Path]) -> None:
        """Build the appeal packet off the GUI thread and write it; refusals are said plainly."""
        from p2pdesk.files import write_whole
        from p2pdesk.record.packet import Attachment
        from p2pdesk.ui.worker import Task

        call_id = self.call.id  # type: ignore[union-attr]
        records = self.record_desk.records

        def build() -> Path:
            files = [Attachment(p.name, p.read_bytes()) for p in attachments]
            packet, _pages = records.appeal_packet(call_id, files)  # type: ignore[arg-type]
            write_whole(path, packet)
            return path

        def failed(exc: object) -> None:
            problems = getattr(exc, "problems", None)
            self.note_pane.show_problem(
                "Packet not written: " + ("; ".join(map(str, problems)) if problems else str(exc))
            )

        task = Task(build, self)
        task.finished.connect(lambda written: self.note_pane.show_info(f"Appeal packet written to {written}"))
        task.failed.connect(failed)
        task.start()
        self._packet_task = task

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        """Closing during a call loses nothing saved (every note is already on disk); the call
        stays open and is reopened at the next start. What is typed but not saved (a note in the
        entry, the reviewer's fields, the disposition's, a refused field of the editor) would be
        lost: the physician is asked first, and No (the default) keeps the window open.

        While the database keeps the window waiting, the window closes once it has answered (and
        what it stored is kept) or the wait is given up (what is typed and not saved is asked about
        then, as always); asked to close a second time, it closes at once."""
        if self._store_line is not None and self._store_line.waiting():
            if not self._close_asked:
                self._close_asked = True
                event.ignore()
                self._say(
                    "p2pdesk closes as soon as the database answers, keeping what it stores (or stops waiting for "
                    "it, and asks first about anything typed and not saved). Close it again to quit now: what is "
                    "being stored at this moment may then not be kept."
                )
                return
            self._close_asked = False  # asked again: closing now, without waiting
        if not self._may_close():
            event.ignore()
            return
        if self._record_desk is not None:
            self._record_desk.close()
        super().closeEvent(event)
