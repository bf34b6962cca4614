"""Where the database and the cache are by default: the folders platformdirs gives, always."""

from __future__ import annotations

import sys
from pathlib import Path

import platformdirs
import pytest

from p2pdesk import config

#: (XDG_DATA_HOME, XDG_CACHE_HOME, HOME); None leaves the variable unset.
ENVIRONMENTS = [
    ("/srv/xdg/data", "/srv/xdg/cache", "/home/maya"),
    ("/srv/xdg/data/", "/srv/xdg/cache//", "/home/maya"),
    (None, None, "/home/maya"),
    (None, None, "/home/maya/"),
    (None, None, "/"),
    ("", "", "/home/maya"),
    ("  ", "  ", "/home/maya"),
    ("relative/data", "relative/cache", "/home/maya"),
    ("/srv/xdg/data", None, "relative-home"),
    (None, None, "relative-home"),
    (None, None, None),
]


@pytest.mark.parametrize(("data", "cache", "home"), ENVIRONMENTS)
def test_default_folders_are_the_ones_platformdirs_gives(
    monkeypatch: pytest.MonkeyPatch, data: str | None, cache: str | None, home: str | None
) -> None:
    for name, value in (("XDG_DATA_HOME", data), ("XDG_CACHE_HOME", cache), ("HOME", home)):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    monkeypatch.delenv(config.DB_ENV, raising=False)
    try:
        expected_data = platformdirs.user_data_path("p2pdesk", appauthor=False)
        expected_cache = platformdirs.user_cache_path("p2pdesk", appauthor=False)
    except RuntimeError:  # no home folder to be found: p2pdesk says the same, through platformdirs
        with pytest.raises(RuntimeError):
            config.default_db_path()
        return
    assert config.default_db_path() == expected_data / "p2pdesk.sqlite3"
    assert config.cache_dir() == expected_cache
    assert config.resolve_db_url() == f"sqlite:///{(expected_data / 'p2pdesk.sqlite3').resolve()}"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the XDG variables are Linux's")
def test_the_xdg_variable_moves_the_database(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    monkeypatch.delenv(config.DB_ENV, raising=False)
    assert config.default_db_path() == tmp_path / "p2pdesk" / "p2pdesk.sqlite3"


def test_a_desk_keeps_its_name_across_starts_and_processes(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import subprocess
    import sys

    from p2pdesk.config import default_db_path, desk_id

    monkeypatch.delenv("P2PDESK_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    code = "from p2pdesk.config import desk_id; print(desk_id())"
    started = [subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True) for _ in range(4)]
    names = {p.communicate(timeout=60)[0].strip() for p in started}  # four desks starting at once
    assert len(names) == 1 and len(names.pop()) == 32
    first = desk_id()
    assert desk_id() == first == (default_db_path().parent / "desk-id").read_text(encoding="ascii")
    assert [p.name for p in default_db_path().parent.iterdir()] == ["desk-id"]  # no draft left behind
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "another-users-data"))
    assert desk_id() != first
