"""The start-up snapshot reads exactly what the store holds, or declines."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

from p2pdesk.demo import DEMO_CLAIM_NUMBER, DEMO_MEMBER_ID
from p2pdesk.domain.call import Disposition, NoteKind
from p2pdesk.services.desk import Desk
from p2pdesk.store.snapshot import read_snapshot
from tests.conftest import ROOT


def test_snapshot_of_a_live_call_equals_the_store(desk: Desk, db_url: str, clock) -> None:  # noqa: ANN001
    case_id = desk.load_demo()
    call = desk.start_call(case_id)
    clock.advance(12.5)
    desk.set_reviewer(call.id, "Zoë Nguyễn", "MD", "Family Medicine")
    desk.add_note(call.id, NoteKind.REVIEWER_CLAIM, '<b>"never"</b> & 审查 مرحبا')
    desk.tick_criterion(call.id, desk.case(case_id), 2)
    desk.set_disposition(call.id, Disposition.UPHELD, stated_reasoning="Wants SSZ trial")

    snap = read_snapshot(db_url)
    assert snap is not None
    assert snap.case == desk.case(case_id)
    assert snap.call == desk.call(call.id)
    assert snap.notes == desk.notes(call.id)
    assert snap.call.started_at.tzinfo is not None


def test_snapshot_finds_the_demo_case_when_no_call_is_live(desk: Desk, db_url: str) -> None:
    case_id = desk.load_demo()
    call = desk.start_call(case_id)
    desk.end_call(call.id)
    snap = read_snapshot(db_url, member_id=DEMO_MEMBER_ID, claim_number=DEMO_CLAIM_NUMBER)
    assert snap is not None and snap.call is None and snap.case == desk.case(case_id)
    assert read_snapshot(db_url, case_id=case_id).case == desk.case(case_id)


def test_snapshot_declines_what_it_cannot_read_safely(desk: Desk, db_url: str, tmp_path) -> None:  # noqa: ANN001
    desk.load_demo()
    assert read_snapshot(db_url) is None  # nothing asked for, no live call
    assert read_snapshot(f"sqlite:///{tmp_path / 'absent.sqlite3'}", case_id=1) is None
    assert read_snapshot("postgresql+psycopg://desk@localhost/p2pdesk", case_id=1) is None
    assert read_snapshot("sqlite://", case_id=1) is None
    assert read_snapshot(db_url, case_id=999) is None
    with sqlite3.connect(db_url.removeprefix("sqlite:///")) as db:
        db.execute("UPDATE alembic_version SET version_num = 'older'")
    assert read_snapshot(db_url, case_id=1) is None


def test_window_process_starts_from_the_snapshot_and_then_opens_the_store(desk: Desk, db_url: str) -> None:
    case_id = desk.load_demo()
    call = desk.start_call(case_id)
    desk.add_note(call.id, NoteKind.OTHER, "before restart")
    result = subprocess.run(
        [sys.executable, "-m", "p2pdesk", "--db", db_url, "--quit-when-shown"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["shown", "ready"]
