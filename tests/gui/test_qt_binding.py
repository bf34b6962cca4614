"""The Qt binding must not lose references: PySide6 6.12.0 dropped one reference to None on every
call of a void method under Python 3.11, so a desk left open (the call clock ticks every second)
would crash after an hour or two. This guards the pinned version."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QLabel, QTreeWidgetItem


def test_void_calls_keep_references_to_none(qapp) -> None:  # noqa: ANN001
    label = QLabel()
    item = QTreeWidgetItem(["case"])
    before = sys.getrefcount(None)
    for _ in range(3000):
        label.setText("● 04:12")
        item.setText(0, "case")
    assert sys.getrefcount(None) - before > -100  # a leak would show as -6000
