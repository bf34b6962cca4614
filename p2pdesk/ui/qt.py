"""Qt's ``Qt`` namespace is imported late, on purpose.

Importing ``PySide6.QtCore.Qt`` makes PySide6 build every enum of that namespace at once: about
27 ms on these machines, more than a quarter of the time a bare window takes to appear. So the
modules drawn at start-up (the main window and its panes) import it inside the functions that
need it, and ``warm_up()`` imports it right after the first paint.

The same modules do not import ``typing``, ``datetime`` or ``pathlib`` at their top either.
PySide6 reads the whole source of every module first imported after it has loaded, to see
whether it uses PySide6; for these three that is about 260 KB, or six million instructions of
the start-up. They set ``TYPE_CHECKING = False`` (which type checkers read as ``typing``'s, and
which platformdirs also uses for this reason) and import the others inside the functions that
run once the window is up.
"""

from __future__ import annotations


def warm_up() -> None:
    """Build Qt's namespace enums now, while the window is already on screen."""
    from PySide6.QtCore import Qt  # noqa: F401


TYPE_CHECKING = False  # not typing's (see above)
if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget


def focus_within(widget: QWidget) -> QWidget | None:
    """The widget that has the keyboard focus, when it is ``widget`` or inside it; else None."""
    from PySide6.QtWidgets import QApplication

    focused = QApplication.focusWidget()
    return focused if focused is not None and (focused is widget or widget.isAncestorOf(focused)) else None
