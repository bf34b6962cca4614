"""The window: PySide6 lives here and nowhere else in p2pdesk."""
