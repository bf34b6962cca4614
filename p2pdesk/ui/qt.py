"""Qt's ``Qt`` namespace is imported late, on purpose.

Importing ``PySide6.QtCore.Qt`` makes PySide6 build every enum of that namespace at once: about
27 ms on these machines, more than a quarter of the time a bare window takes to appear. So the
modules drawn at start-up (the main window and its panes) import it inside the functions that
need it, and ``warm_up()`` imports it right after the first paint.
"""

from __future__ import annotations


def warm_up() -> None:
    """Build Qt's namespace enums now, while the window is already on screen."""
    from PySide6.QtCore import Qt  # noqa: F401
