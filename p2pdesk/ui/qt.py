"""Qt's ``Qt`` namespace is imported late, on purpose.

Importing ``PySide6.QtCore.Qt`` makes PySide6 build every enum of that namespace at once: about
27 ms on these machines, more than a quarter of the time a bare window takes to appear. So the
modules drawn at start-up (the main window and its panes) import it inside the functions that
need it, and ``warm_up()`` imports it right after the first paint.

PySide6 reads the whole source of every module named by an import statement run after it has
loaded (once per module), to see whether it uses PySide6 (for its "feature" switches, such as
snake_case names, which p2pdesk does not use). ``spare_source_reads()`` tells it beforehand what
it would find for the modules the window imports: p2pdesk's own modules and those already loaded
(about 220 KB of source, six million instructions of the start-up). The same modules still do not
import ``typing``, ``datetime`` or ``pathlib`` at their top (those not told: another 260 KB). They
set ``TYPE_CHECKING = False`` (which type checkers read as ``typing``'s, and which platformdirs
also uses for this reason) and import the others inside the functions that run once the window is up.
"""

from __future__ import annotations

import os
import sys


def spare_source_reads() -> None:
    """Load PySide6 and tell its import hook, for the modules the window imports, what reading
    their source would tell it: p2pdesk's window modules (``p2pdesk.ui``) use PySide6; the
    modules loaded before it (the standard library's, p2pdesk's others read by then) do not;
    those loaded after the first frame (the store's) are left to it. (One window
    module, the rich-text helper, does not import PySide6 and is marked with the others: the mark
    only chooses which of PySide6's feature switches apply to a module, and p2pdesk turns none on.)
    Should a PySide6 keep its record elsewhere, nothing is told and it reads the sources as before."""
    import PySide6  # noqa: F401 - installs the import hook told here

    try:
        from shibokensupport.feature import pyside_feature_dict  # PySide6's own record, by module name
    except ImportError:
        return
    if not isinstance(pyside_feature_dict, dict):
        return
    uses, does_not = 0, -1  # its values: 0 a module that uses PySide6, -1 one that does not
    try:
        here = os.scandir(os.path.dirname(os.path.abspath(__file__)))
        window_modules = [e.name[:-3] for e in here if e.name.endswith(".py")]
    except OSError:  # not a folder of source files (a frozen build): it has no sources to read either
        window_modules = []
    for module in window_modules:
        if module != "__init__":
            pyside_feature_dict.setdefault(f"p2pdesk.ui.{module}", uses)
    for name in list(sys.modules):
        if not name.startswith(("PySide6", "shiboken")):
            pyside_feature_dict.setdefault(name, does_not)


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
