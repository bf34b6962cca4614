"""Settings declared in one place: where the database is.

Precedence: ``--db`` on the command line, then ``P2PDESK_DB``, then one SQLite file in the
platform's user data folder. A plain path is taken as a SQLite file; anything with ``://`` is a
SQLAlchemy URL (e.g. ``postgresql+psycopg://desk@host/p2pdesk`` for a practice's shared store).
"""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "p2pdesk"
DB_ENV = "P2PDESK_DB"


def default_db_path() -> Path:
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False) / "p2pdesk.sqlite3"


def cache_dir() -> Path:
    """The user cache folder: what p2pdesk can always make again from its own files."""
    from platformdirs import user_cache_path

    return user_cache_path(APP_NAME, appauthor=False)


def resolve_db_url(cli_value: str | None = None) -> str:
    if cli_value is not None and not cli_value.strip():
        from p2pdesk.domain.errors import InvalidInput, Problem

        raise InvalidInput(Problem("--db", "is empty; give a SQLite file or a database URL, or leave --db out"))
    value = cli_value or os.environ.get(DB_ENV) or str(default_db_path())
    if "://" in value:
        return value
    return f"sqlite:///{Path(value).expanduser().resolve()}"
