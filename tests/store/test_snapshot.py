"""The start-up snapshot reads exactly what the store holds, or declines."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from p2pdesk.demo import DEMO_CLAIM_NUMBER, DEMO_MEMBER_ID
from p2pdesk.domain.call import Disposition, NoteKind
from p2pdesk.services.desk import Desk
from p2pdesk.store.snapshot import read_snapshot
from tests.conftest import ROOT


@pytest.fixture
def sqlite_desk(sqlite_url: str, clock):  # noqa: ANN001, ANN201
    desk = Desk.open(sqlite_url, clock=clock)
    yield desk
    desk.store.engine.dispose()


def test_snapshot_of_a_live_call_equals_the_store(sqlite_desk: Desk, sqlite_url: str, clock) -> None:  # noqa: ANN001
    case_id = sqlite_desk.load_demo()
    call = sqlite_desk.start_call(case_id)
    clock.advance(12.5)
    sqlite_desk.set_reviewer(call.id, "Zoë Nguyễn", "MD", "Family Medicine")
    sqlite_desk.add_note(call.id, NoteKind.REVIEWER_CLAIM, '<b>"never"</b> & 审查 مرحبا')
    sqlite_desk.tick_criterion(call.id, sqlite_desk.case(case_id), 2)
    sqlite_desk.set_disposition(call.id, Disposition.UPHELD, stated_reasoning="Wants SSZ trial")

    snap = read_snapshot(sqlite_url)
    assert snap is not None
    assert snap.case == sqlite_desk.case(case_id)
    assert snap.call == sqlite_desk.call(call.id)
    assert snap.notes == sqlite_desk.notes(call.id)
    assert snap.call.started_at.tzinfo is not None


def test_snapshot_finds_the_demo_case_when_no_call_is_live(sqlite_desk: Desk, sqlite_url: str) -> None:
    case_id = sqlite_desk.load_demo()
    call = sqlite_desk.start_call(case_id)
    sqlite_desk.end_call(call.id)
    snap = read_snapshot(sqlite_url, member_id=DEMO_MEMBER_ID, claim_number=DEMO_CLAIM_NUMBER)
    assert snap is not None and snap.call is None and snap.case == sqlite_desk.case(case_id)
    assert read_snapshot(sqlite_url, case_id=case_id).case == sqlite_desk.case(case_id)


def test_snapshot_declines_what_it_cannot_read_safely(sqlite_desk: Desk, sqlite_url: str, tmp_path) -> None:  # noqa: ANN001
    sqlite_desk.load_demo()
    assert read_snapshot(sqlite_url) is None  # nothing asked for, no live call
    assert read_snapshot(f"sqlite:///{tmp_path / 'absent.sqlite3'}", case_id=1) is None
    assert read_snapshot("postgresql+psycopg://desk@localhost/p2pdesk", case_id=1) is None
    assert read_snapshot("sqlite://", case_id=1) is None
    assert read_snapshot(sqlite_url, case_id=999) is None
    with sqlite3.connect(sqlite_url.removeprefix("sqlite:///")) as db:
        db.execute("UPDATE alembic_version SET version_num = 'older'")
    assert read_snapshot(sqlite_url, case_id=1) is None


def test_window_process_starts_from_the_snapshot_and_then_opens_the_store(sqlite_desk: Desk, sqlite_url: str) -> None:
    case_id = sqlite_desk.load_demo()
    call = sqlite_desk.start_call(case_id)
    sqlite_desk.add_note(call.id, NoteKind.OTHER, "before restart")
    assert _start_window(["-m", "p2pdesk", "--db", sqlite_url, "--quit-when-shown"]) == ["shown", "ready"]


def test_a_desk_that_quits_leaves_everything_in_the_database_file(tmp_path) -> None:  # noqa: ANN001
    path = tmp_path / "desk.sqlite3"
    assert _start_window(["-m", "p2pdesk", "--db", str(path), "--demo", "--quit-when-shown"]) == ["shown", "ready"]
    # The write-ahead log was written back into the file and removed: the file alone is whole.
    assert not (tmp_path / "desk.sqlite3-wal").exists()
    with sqlite3.connect(f"file:{path}?immutable=1", uri=True) as db:  # reads the file, never a log
        assert db.execute('SELECT member_id, claim_number FROM "case"').fetchall() == [
            (DEMO_MEMBER_ID, DEMO_CLAIM_NUMBER)
        ]


def test_a_window_on_a_database_it_cannot_open_says_so_and_exits_1(tmp_path) -> None:  # noqa: ANN001
    folder = tmp_path / "desk.sqlite3"
    folder.mkdir()  # a folder where the database file should be
    result = subprocess.run(
        [sys.executable, "-m", "p2pdesk", "--db", str(folder), "--demo", "--quit-when-shown"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert (result.returncode, result.stdout) == (1, "")  # said, not left waiting in a dialog
    assert f"p2pdesk: The database at sqlite:///{folder} cannot be used" in result.stderr
    assert "Traceback" not in result.stderr


def _start_window(python_args: list[str]) -> list[str]:
    """The lines a window process started with these arguments prints, once it has quit by itself."""
    result = subprocess.run(
        [sys.executable, *python_args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_snapshot_reads_the_tables_the_models_write() -> None:
    from p2pdesk.domain.case import CASE_LISTS
    from p2pdesk.store.models import CASE_CHILDREN
    from p2pdesk.store.snapshot import CASE_LIST_TABLES

    assert list(CASE_LIST_TABLES) == list(CASE_LISTS) == list(CASE_CHILDREN)
    assert {a: CASE_CHILDREN[a].__tablename__ for a in CASE_CHILDREN} == CASE_LIST_TABLES


def test_the_cycle_collector_is_paused_for_the_first_frame_and_back_on_after_it(
    sqlite_desk: Desk, sqlite_url: str
) -> None:
    sqlite_desk.load_demo()
    # Each line the window prints at start-up ("shown", then "ready") carries the collector's state.
    probe = (
        "import builtins, gc, sys\n"
        "say = builtins.print\n"
        "builtins.print = lambda *a, **k: say(*a, gc.isenabled(), gc.get_freeze_count() > 0, **k)\n"
        "from p2pdesk.cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    lines = _start_window(["-c", probe, "--db", sqlite_url, "--demo", "--quit-when-shown"])
    assert lines == ["shown False False", "ready True True"]


def test_the_first_frame_is_drawn_before_the_store_and_platformdirs_load(
    sqlite_desk: Desk, sqlite_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """What the window reads before its first frame stays small (start-up: see benchmarks/)."""
    sqlite_desk.load_demo()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # the script templates' cache
    probe = (
        "import builtins, sys\n"
        "say = builtins.print\n"
        "loaded = lambda: ' '.join(m for m in ('sqlalchemy', 'alembic', 'platformdirs') if m in sys.modules)\n"
        "builtins.print = lambda *a, **k: say(*a, loaded() or '-', **k)\n"
        "from p2pdesk.cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    lines = _start_window(["-c", probe, "--db", sqlite_url, "--demo", "--quit-when-shown"])
    assert lines[0] == ("shown -" if sys.platform.startswith("linux") else "shown platformdirs")
    assert lines[1].split()[:2] == ["ready", "sqlalchemy"]  # the store, opened behind the window


def test_the_snapshot_shows_this_desks_call_in_progress_only(sqlite_url: str, clock) -> None:  # noqa: ANN001
    other = Desk.open(sqlite_url, clock=clock, desk_id="desk-front-office")
    mine = Desk.open(sqlite_url, clock=clock, desk_id="desk-exam-room-2")
    try:
        case_id = other.load_demo()
        other_call = other.start_call(case_id)
        assert read_snapshot(sqlite_url, desk="desk-exam-room-2") is None  # the other desk's call is not drawn here
        assert read_snapshot(sqlite_url, desk="desk-front-office").call.id == other_call.id
        other.end_call(other_call.id)
        my_call = mine.start_call(case_id)
        assert read_snapshot(sqlite_url, desk="desk-exam-room-2").call.id == my_call.id
    finally:
        other.close()
        mine.close()


def test_pyside6_reads_no_source_of_the_window_s_modules_before_the_first_frame(
    sqlite_desk: Desk, sqlite_url: str
) -> None:
    """PySide6 would read the whole source of each module the window imports after it (see
    p2pdesk.ui.qt), through linecache: told beforehand, it reads none of p2pdesk's, nor of the
    standard library's loaded before it; and what it is told of the window's modules is what it
    would have found (but for the rich-text helper: see spare_source_reads)."""
    sqlite_desk.load_demo()
    probe = (
        "import builtins, linecache, sys\n"
        "say = builtins.print\n"
        "def shown(*a, **k):\n"
        "    if a == ('shown',):\n"
        "        from shibokensupport.feature import _mod_uses_pyside as uses, pyside_feature_dict as told\n"
        "        read = [f.rsplit('/', 2)[-2] + '/' + f.rsplit('/', 1)[-1] for f in linecache.cache]\n"
        "        ui = [n for n in told if n.startswith('p2pdesk.ui.') and n in sys.modules]\n"
        "        ui.remove('p2pdesk.ui.richtext')\n"
        "        same = all(told[n] == (0 if uses(sys.modules[n]) else -1) for n in ui)\n"
        "        say('read', sorted(r for r in read if r.startswith(('p2pdesk/', 'ui/', 'domain/', 'python3.11/'))))\n"
        "        say('told', same, len(ui))\n"
        "    say(*a, **k)\n"
        "builtins.print = shown\n"
        "from p2pdesk.cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    # The second start, as every start after the first is: the script's words read from the cache
    # the first one wrote (which the first start reads more to write).
    _start_window(["-m", "p2pdesk", "--db", sqlite_url, "--demo", "--quit-when-shown"])
    lines = _start_window(["-c", probe, "--db", sqlite_url, "--demo", "--quit-when-shown"])
    # Read still: the enum module, which PySide6 imports as it loads (a bare window reads it too).
    assert lines[0] == "read ['python3.11/enum.py']"
    assert lines[1] == "told True 7" and lines[2:] == ["shown", "ready"]  # 8 window modules, the helper aside
