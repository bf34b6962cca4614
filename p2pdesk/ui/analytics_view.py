"""The practice's history as charts: reversal rate per group, one chart per dimension (QtCharts).

Signals:
    exportRequested(): the CSV export was asked for.
"""

from __future__ import annotations

from PySide6.QtCharts import QBarCategoryAxis, QBarSeries, QBarSet, QChart, QChartView, QValueAxis
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QLabel, QPushButton, QTabWidget, QVBoxLayout, QWidget

from p2pdesk.playbook.analytics import DIMENSIONS, Group


class AnalyticsView(QWidget):
    exportRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel("<b>Practice history</b> — reversal rate of P2P calls, by group · Escape goes back", self)
        )
        self.tabs = QTabWidget(self)
        layout.addWidget(self.tabs, 1)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        export = QPushButton("Export CSV…", self)
        export.clicked.connect(self.exportRequested)
        layout.addWidget(export)
        self.charts: dict[str, QChart] = {}

    def show_groups(self, groups: list[Group]) -> None:
        self.tabs.clear()
        self.charts = {}
        for dimension in DIMENSIONS:
            mine = [g for g in groups if g.dimension == dimension]
            bars = QBarSet("reversal rate (%)")
            for g in mine:
                bars.append(round(100 * g.rate, 1))
            series = QBarSeries()
            series.append(bars)
            series.setLabelsVisible(True)
            chart = QChart()
            chart.addSeries(series)
            chart.setTitle(f"Reversal rate by {dimension}")
            chart.legend().hide()
            axis_x = QBarCategoryAxis()
            axis_x.append([f"{g.key} ({g.calls})" for g in mine])
            axis_y = QValueAxis()
            axis_y.setRange(0, 100)
            axis_y.setLabelFormat("%d%%")
            chart.addAxis(axis_x, Qt.AlignmentFlag.AlignBottom)
            chart.addAxis(axis_y, Qt.AlignmentFlag.AlignLeft)
            series.attachAxis(axis_x)
            series.attachAxis(axis_y)
            view = QChartView(chart, self)
            view.setRenderHint(QPainter.RenderHint.Antialiasing)
            self.tabs.addTab(view, dimension.capitalize())
            self.charts[dimension] = chart
        times = [
            f"{g.key}: {g.median_days:g} days" for g in groups if g.dimension == "payer" and g.median_days is not None
        ]
        self.summary.setText("Median days from denial to decision, by payer — " + ("; ".join(times) or "no data yet"))
