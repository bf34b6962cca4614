"""The script prompts, one step of the call's arc open at a time (Ctrl+PgDown / Ctrl+PgUp).

Every step's title stays visible, so the physician sees where the call is; the open step's
words fit beside the brief without scrolling.
"""

from __future__ import annotations

from PySide6.QtWidgets import QTextBrowser, QToolBox, QWidget

from p2pdesk.domain.call import Call
from p2pdesk.domain.case import Case
from p2pdesk.playbook.script import Prompt, build_script
from p2pdesk.ui.richtext import esc, page, segments

TYPE_CHECKING = False  # not typing's: see p2pdesk.ui.qt
if TYPE_CHECKING:
    from p2pdesk.playbook.rules import Rule

#: Shown under every rule (the same words as p2pdesk.playbook.rules.NOT_LEGAL_ADVICE; a test keeps
#: them equal) without importing the rules module before the first paint.
NOT_LEGAL_ADVICE = "Rules are shown as checked on the date given; they are not legal advice."


def prompt_html(prompt: Prompt) -> str:
    parts = []
    if prompt.alert:
        parts.append(f'<p><span class="alert">&nbsp;{esc(prompt.alert)}&nbsp;</span></p>')
    parts.extend(f"<p>{segments(line)}</p>" for line in prompt.lines)
    rule = prompt.rule
    if rule is not None:
        parts.append(
            f'<p class="hint">Rule: <b>{esc(rule.citation)}</b> — {esc(rule.summary)} Checked {rule.checked}, '
            f"confidence {esc(rule.confidence)}, from {esc(rule.origin)}. Source: {esc(rule.source)}. "
            f"{esc(NOT_LEGAL_ADVICE)}</p>"
        )
    elif prompt.key == "specialty":
        parts.append(f'<p class="hint">No rule on file for this plan, state and stage. {esc(NOT_LEGAL_ADVICE)}</p>')
    return "".join(parts)


def prompt_title(number: int, prompt: Prompt) -> str:
    hint = f" · {prompt.hint}" if prompt.hint else ""
    flag = "  ⚠" if prompt.alert else ""
    return f"{number}. {prompt.title}{hint}{flag}"


class ScriptView(QToolBox):
    """The seven prompts of the call, filled from the case; no signals of its own.

    Only the open step's page is laid out as rich text; each other page is filled when it opens
    (or is read), which keeps six documents out of the window's first frame.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("script")
        self.setAccessibleName("Call script")
        self.keys: list[str] = []
        self._pages: list[QWidget] = []  # each step's holder; its text view is made when first shown
        self._browsers: dict[int, QTextBrowser] = {}
        self._unfilled: dict[int, Prompt] = {}  # page index -> its prompt, until it is shown
        self.currentChanged.connect(self._fill)

    def show_script(
        self, case: Case, call: Call | None, rules: list[Rule] | None = None, templates: dict | None = None
    ) -> None:
        prompts = build_script(case, call, rules, templates)
        current = self.currentIndex()
        self._unfilled.clear()
        if [p.key for p in prompts] != self.keys:
            while self.count():
                page = self.widget(0)
                self.removeItem(0)
                page.deleteLater()
            self._pages = []
            self._browsers = {}
            self.keys = [p.key for p in prompts]
            for prompt in prompts:
                page = QWidget(self)
                page.setObjectName(f"prompt_{prompt.key}")
                self._pages.append(page)
                self.addItem(page, "")
        for n, prompt in enumerate(prompts, start=1):
            self.setItemText(n - 1, prompt_title(n, prompt))
            self._unfilled[n - 1] = prompt
        self.setCurrentIndex(max(current, 0))
        self._fill(self.currentIndex())

    def browser(self, index: int) -> QTextBrowser:
        """Step ``index``'s text view (made, inside its holder, the first time it is needed)."""
        view = self._browsers.get(index)
        if view is None:
            from PySide6.QtWidgets import QVBoxLayout

            holder = self._pages[index]
            view = QTextBrowser(holder)
            view.setOpenLinks(False)
            box = QVBoxLayout(holder)
            box.setContentsMargins(0, 0, 0, 0)
            box.addWidget(view)
            view.show()  # (made after the window was shown, a child widget is hidden until told)
            holder.setFocusProxy(view)
            first = next(iter(self._browsers.values()), None)
            if first is not None:  # Tab goes on from it as from the step made first (one step shows at a time)
                QWidget.setTabOrder(first, view)
            self._browsers[index] = view
        return view

    def _fill(self, index: int) -> None:
        prompt = self._unfilled.pop(index, None)
        if prompt is not None:
            self.browser(index).setHtml(page(prompt_html(prompt)))

    def page_text(self, key: str) -> str:
        """The plain text of one step, as the physician reads it."""
        index = self.keys.index(key)
        self._fill(index)
        return self.browser(index).toPlainText()

    def title(self, key: str) -> str:
        return self.itemText(self.keys.index(key))

    def go_to(self, key: str) -> None:
        self._open(self.keys.index(key))

    def step(self, delta: int) -> None:
        if self.count():
            self._open((self.currentIndex() + delta) % self.count())

    def _open(self, index: int) -> None:
        """Open step ``index``; if the physician was reading the open step, the new one has the
        focus (the old page is hidden, and Qt would pass the focus on to the next pane)."""
        from p2pdesk.ui.qt import focus_within

        reading = focus_within(self) is not None
        self.setCurrentIndex(index)
        if reading:
            self.widget(index).setFocus()
