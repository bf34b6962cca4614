"""Settings declared in one place: where the database is.

Precedence: ``--db`` on the command line, then ``P2PDESK_DB``, then one SQLite file in the
platform's user data folder. A plain path is taken as a SQLite file; anything with ``://`` is a
SQLAlchemy URL (e.g. ``postgresql+psycopg://desk@host/p2pdesk`` for a practice's shared store).
"""

from __future__ import annotations

import os
import sys
from functools import cache
from pathlib import Path

APP_NAME = "p2pdesk"
DB_ENV = "P2PDESK_DB"


def _linux_user_folder(variable: str, under_home: str) -> Path | None:
    """The user folder platformdirs gives on Linux in the usual case, without importing it.

    Both folders are needed before the first frame, and importing platformdirs costs about a
    twentieth of the window's start-up. The usual case: ``$XDG_..._HOME`` when it is an absolute
    path, else (unset or empty) ``under_home`` in an absolute ``$HOME``. Anything else (another
    system, Android, a relative XDG variable, no usable ``$HOME``) returns None and platformdirs
    decides; a test holds the two to the same answers.
    """
    if sys.platform != "linux" or "ANDROID_DATA" in os.environ or hasattr(sys, "getandroidapilevel"):
        return None
    base = os.environ.get(variable, "")
    if base and not base.startswith("/"):
        return None  # set but not an absolute path: platformdirs' releases differ on it
    if not base:
        home = os.environ.get("HOME", "")
        if not home.startswith("/"):
            return None
        base = home.rstrip("/") + under_home
    return Path(base, APP_NAME)


def default_db_path() -> Path:
    folder = _linux_user_folder("XDG_DATA_HOME", "/.local/share")
    if folder is None:
        from platformdirs import user_data_path

        folder = user_data_path(APP_NAME, appauthor=False)
    return folder / "p2pdesk.sqlite3"


def cache_dir() -> Path:
    """The user cache folder: what p2pdesk can always make again from its own files."""
    folder = _linux_user_folder("XDG_CACHE_HOME", "/.cache")
    if folder is None:
        from platformdirs import user_cache_path

        folder = user_cache_path(APP_NAME, appauthor=False)
    return folder


def desk_id() -> str:
    """This desk's name in a shared store, so that a call in progress belongs to the desk that
    started it: reopened there after a crash, never taken over or written to by another desk.

    A random id, made once and kept in the user data folder (the same folder on every start of
    this desk). Two processes starting at once keep the same one (the file is put in place whole,
    and only if it is not there yet). Where that folder cannot be written, the computer's and the
    user's names stand in for it. Read once per folder in a process (the first frame's snapshot
    and the store opened after it ask for it both).
    """
    return _desk_id_in(default_db_path().parent)


@cache
def _desk_id_in(folder: Path) -> str:
    path = folder / "desk-id"
    try:
        return path.read_text(encoding="ascii").strip() or _fallback_desk_id()
    except FileNotFoundError:
        pass
    except (OSError, UnicodeError):
        return _fallback_desk_id()
    import uuid

    try:
        folder.mkdir(parents=True, exist_ok=True)
        draft = folder / f".desk-id.{uuid.uuid4().hex}"
        draft.write_text(uuid.uuid4().hex, encoding="ascii")
        try:
            os.link(draft, path)  # whole, and only if no other process put one there first
        except FileExistsError:
            pass
        finally:
            draft.unlink()
        return path.read_text(encoding="ascii").strip() or _fallback_desk_id()
    except OSError:
        return _fallback_desk_id()


def _fallback_desk_id() -> str:
    import getpass
    import socket

    try:
        user = getpass.getuser()
    except (OSError, KeyError):
        user = ""
    return f"{socket.gethostname()}/{user}"[:64]


def resolve_db_url(cli_value: str | None = None) -> str:
    if cli_value is not None and not cli_value.strip():
        from p2pdesk.domain.errors import InvalidInput, Problem

        raise InvalidInput(Problem("--db", "is empty; give a SQLite file or a database URL, or leave --db out"))
    value = cli_value or os.environ.get(DB_ENV) or str(default_db_path())
    if "://" in value:
        return value
    return f"sqlite:///{Path(value).expanduser().resolve()}"
