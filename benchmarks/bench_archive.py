"""The archive with 10,000 calls: time to open it (query, model, view drawn) and to apply a filter.

    .venv/bin/python benchmarks/bench_archive.py [--calls 10000] [--runs 7]

The calls are written straight into a real SQLite store (SQLAlchemy Core, one transaction) across
500 cases, then the window's archive view is opened and filtered as a designee would. Medians of
``--runs``; target <= 0.2 s each.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from sqlalchemy import insert  # noqa: E402

from p2pdesk.services.desk import Desk  # noqa: E402
from p2pdesk.store.models import CallRow  # noqa: E402
from tests.conftest import DEMO  # noqa: E402


def populate(desk: Desk, calls: int, cases: int = 500) -> None:
    rng = random.Random(7)
    payers = ["Lakeshore Health Plan", "Prairie Mutual", "Coastal Care", "Summit Health", "Riverbend Plans"]
    data = json.loads(DEMO.read_text(encoding="utf-8"))
    case_ids = []
    for n in range(cases):
        data["patient"]["name"] = f"Patient {n:04d}"
        data["coverage"]["member_id"] = f"M{n:06d}"
        data["coverage"]["payer"] = payers[n % len(payers)]
        case_ids.append(desk.import_case(json.dumps(data)))
    start = datetime(2025, 1, 1, 14, tzinfo=UTC)
    rows = []
    for i in range(calls):
        began = start + timedelta(minutes=53 * i)
        rows.append(
            {
                "case_id": rng.choice(case_ids),
                "started_at": began,
                "ended_at": began + timedelta(minutes=11),
                "reviewer_name": rng.choice(["Gregory Haines", "Priya Raman", "Tom Becker", "Ana Ortiz"]),
                "reviewer_specialty": rng.choice(["Family Medicine", "Rheumatology", "Internal Medicine"]),
                "disposition": rng.choice(["reversed", "upheld", "deferred"]),
            }
        )
    with desk.store.engine.begin() as conn:
        conn.execute(insert(CallRow), rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    from PySide6.QtWidgets import QApplication

    from p2pdesk.ui.app import build_window

    app = QApplication.instance() or QApplication(sys.argv)
    with tempfile.TemporaryDirectory() as tmp:
        desk = Desk.open(f"sqlite:///{Path(tmp) / 'archive.sqlite3'}")
        populate(desk, args.calls)
        window = build_window(desk)
        window.show()
        app.processEvents()
        opening, filtering = [], []
        for run in range(args.runs):
            window.show_home()
            app.processEvents()
            t0 = time.perf_counter()
            window.show_archive()
            app.processEvents()
            opening.append(time.perf_counter() - t0)
            assert window.archive_view.model.rowCount() == args.calls
            view = window.archive_view
            t1 = time.perf_counter()
            view.search.setText(f"priya patient 0{run % 5}")
            app.processEvents()
            filtering.append(time.perf_counter() - t1)
            assert 0 < view.proxy.rowCount() < args.calls
            view.search.clear()
        window.close()
        desk.store.engine.dispose()
    print(
        f"archive with {args.calls} calls: open {statistics.median(opening) * 1000:.0f} ms, "
        f"filter {statistics.median(filtering) * 1000:.0f} ms (medians of {args.runs}; target <= 200 ms each)"
    )


if __name__ == "__main__":
    main()
