"""The engine: any SQLAlchemy URL, SQLite by default, with the schema brought up to date by Alembic.

A note must be on disk when Enter returns, so SQLite runs in WAL mode with ``synchronous=FULL``:
every commit is fsynced before it returns.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from p2pdesk.domain.errors import StoreUnavailable
from p2pdesk.store.revision import HEAD_REVISION

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


#: How long a PostgreSQL connection is waited for before the server is reported unreachable.
CONNECT_TIMEOUT_S = 5
#: libpq's watch on a PostgreSQL connection: what it sends unacknowledged for this long (the
#: network gone, the server's machine down) closes it, and an idle one is probed, so that a write
#: fails with a message (its text kept) instead of waiting for the system's TCP timeout of minutes.
PG_CONNECTION_WATCH = {
    "tcp_user_timeout": 10_000,
    "keepalives": 1,
    "keepalives_idle": 10,
    "keepalives_interval": 5,
    "keepalives_count": 2,
}


def _sqlite_pragmas(busy_timeout_ms: int):  # noqa: ANN202
    def on_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        _into_wal(cursor, busy_timeout_ms)
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    return on_connect


def _into_wal(cursor: sqlite3.Cursor, busy_timeout_ms: int) -> None:
    """Put the file in WAL mode, waiting up to ``busy_timeout_ms`` for other desks opening it.

    SQLite answers "database is locked" at once, without its busy handler, when a connection
    asks for WAL while another is creating the file or recovering its log (desks started
    together on a new database); so the request is repeated until the file is free or the
    wait runs out, and then the error stands."""
    deadline = time.monotonic() + busy_timeout_ms / 1000
    pause = 0.005
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc) or time.monotonic() >= deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.1)


def _postgresql_lock_wait(busy_timeout_ms: int):  # noqa: ANN202
    def on_connect(dbapi_connection, _record: object) -> None:  # noqa: ANN001 - psycopg's connection
        with dbapi_connection.cursor() as cursor:
            cursor.execute(f"SET lock_timeout = {int(busy_timeout_ms)}")
        dbapi_connection.commit()

    return on_connect


def shown_url(url: str) -> str:
    """``url`` as it may be shown: without its password, even when it cannot be parsed."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - a URL SQLAlchemy cannot read: hide whatever precedes an "@"
        scheme, sep, rest = url.partition("://")
        return f"{scheme}{sep}***@{rest.rpartition('@')[2]}" if sep and "@" in rest else url


def make_engine(url: str, *, busy_timeout_ms: int = 2000) -> Engine:
    """An engine for ``url``; for SQLite the file's folder is created and durability pragmas set.

    ``busy_timeout_ms`` bounds how long a write waits for another process's lock (SQLite's
    busy timeout, PostgreSQL's lock_timeout) before the user is told the database is busy.
    A PostgreSQL server that does not answer (down, hung, a firewall swallowing the connection)
    is reported after CONNECT_TIMEOUT_S seconds, and a connection that loses its server is closed
    after PG_CONNECTION_WATCH's timeout; a URL's own settings of these stand (its ``options``
    naming a lock_timeout too). A URL that names no usable database (an unknown or uninstalled
    dialect, a malformed address, a folder that cannot be made) raises StoreUnavailable naming it.
    """
    try:
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite":
            database = parsed.database or ""
            if database and database != ":memory:" and not database.startswith("file:"):
                Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(url)
            event.listen(engine, "connect", _sqlite_pragmas(busy_timeout_ms))
            return engine
        if parsed.get_backend_name() != "postgresql":
            return create_engine(url, pool_pre_ping=True)
        named = set(parsed.query)
        watch = {"connect_timeout": CONNECT_TIMEOUT_S, **PG_CONNECTION_WATCH}
        engine = create_engine(url, pool_pre_ping=True, connect_args={k: v for k, v in watch.items() if k not in named})
        if "lock_timeout" not in str(parsed.query.get("options", "")):
            event.listen(engine, "connect", _postgresql_lock_wait(busy_timeout_ms))
        return engine
    except (ArgumentError, ImportError, ValueError, OSError) as exc:  # NoSuchModuleError is an ArgumentError
        raise StoreUnavailable(f"The database at {shown_url(url)} cannot be used: {error_reason(exc)}") from exc


def is_unique_violation(exc: BaseException) -> bool:
    """Whether the database refused a write for a duplicate of what is stored (PostgreSQL's
    unique_violation, SQLite's UNIQUE constraint): another desk stored the same first. Any other
    integrity error (a missing reference, a required value) is a fault, not a race."""
    orig = getattr(exc, "orig", exc)
    return getattr(orig, "sqlstate", None) == "23505" or str(orig).startswith("UNIQUE constraint failed")


def error_reason(exc: BaseException) -> str:
    """An error's first line, as the user is told it (an OS error: its message and the file)."""
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.strerror}: {exc.filename}" if exc.filename else exc.strerror
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def alembic_config(engine: Engine):  # -> alembic.config.Config (imported lazily: it is slow to import)
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    config.attributes["engine"] = engine
    return config


#: The PostgreSQL advisory lock a desk holds while it brings the schema up to date ("p2pdesk" in ASCII).
SCHEMA_LOCK = int.from_bytes(b"p2pdesk", "big")
#: How long a desk starting on SQLite waits for another one's migration before saying the file is busy.
SCHEMA_WAIT_MS = 60_000


@contextmanager
def schema_held(connection: Connection) -> Iterator[None]:
    """Let one desk at a time bring the schema up to date: the others wait here, then find it current.

    Several desks of a practice may start at once on a new database; without this, each would
    make the same tables and all but one would fail. On PostgreSQL a transaction-level advisory
    lock is taken (freed at commit or rollback), on SQLite the file's write lock (BEGIN
    IMMEDIATE), waited for longer than a note would wait. The caller reads the revision after
    this and commits when done."""
    if connection.dialect.name == "postgresql":
        # Another desk's migration is waited for as long as it takes, as are the locks a migration takes.
        connection.execute(text("SET LOCAL lock_timeout = 0"))
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SCHEMA_LOCK})
        yield
        return
    if connection.dialect.name != "sqlite":
        yield
        return
    waited = connection.exec_driver_sql("PRAGMA busy_timeout").scalar()
    connection.exec_driver_sql(f"PRAGMA busy_timeout = {SCHEMA_WAIT_MS}")
    try:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA busy_timeout = {int(waited or 0)}")


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None for an empty database."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def sqlite_file(url: str | URL) -> Path | None:
    """The file a SQLite URL names (any driver, with options or not; a file: URI's path), or None
    for another database, one in memory, or a URL that cannot be read."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        return None
    database = parsed.database or ""
    if parsed.get_backend_name() != "sqlite" or database in ("", ":memory:"):
        return None
    return Path(database.removeprefix("file:").split("?")[0] if database.startswith("file:") else database).expanduser()


def database_files(path: Path) -> list[Path]:
    """A SQLite database's files: the database itself and its logs."""
    return [Path(f"{path}{suffix}") for suffix in ("", "-wal", "-shm", "-journal")]


def _schema(engine: Engine) -> tuple[list[str], str | None]:
    """The database's tables and the revision Alembic's record names (None: no record), read in one
    look. A SQLite file is looked at read-only, before p2pdesk's own connection would switch it to
    WAL; one that cannot be looked at so (not made yet, empty, in memory, a file: URI, not a
    database at all) is read through the engine, which says what is wrong with it."""
    path = sqlite_file(engine.url)
    if path is not None:
        if str(engine.url.database).startswith("file:") or not path.is_file() or path.stat().st_size == 0:
            return [], current_revision(engine)
        try:
            with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as db:
                names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
                row = (
                    db.execute("SELECT version_num FROM alembic_version").fetchone()
                    if "alembic_version" in names
                    else None
                )
        except sqlite3.Error:
            return [], current_revision(engine)
        return names, row[0] if row else None
    with engine.connect() as conn:
        names = inspect(conn).get_table_names()
        revision = (
            conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
            if "alembic_version" in names
            else None
        )
    return names, revision


def _foreign(names: list[str]) -> list[str]:
    """The tables of a database that is not p2pdesk's, from all its tables: empty for p2pdesk's own
    (Alembic's record of the schema with p2pdesk's own tables: another program may use Alembic
    too) and for an empty one."""
    names = [n for n in names if not n.startswith("sqlite_")]
    ours = "alembic_version" in names and {"case", "call", "note"} <= set(names)
    return [] if not names or ours else sorted(names)


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest migration; does nothing (and imports nothing) when it is there.

    A database that holds another program's tables is refused, untouched: p2pdesk keeps its own."""
    try:
        names, revision = _schema(engine)
        foreign = _foreign(names)
        if foreign:
            shown = ", ".join(foreign[:5]) + (", …" if len(foreign) > 5 else "")
            raise StoreUnavailable(
                f"The database at {engine.url.render_as_string(hide_password=True)} is not a p2pdesk "
                f"database (it holds other tables: {shown}); nothing in it was changed. Choose p2pdesk's "
                "own database, or a new file"
            )
        if revision == HEAD_REVISION:
            return
        from alembic import command

        command.upgrade(alembic_config(engine), "head")
    except Exception as exc:  # noqa: BLE001 - sorted into environment errors below
        raise_if_environment(exc, engine)
        raise


def raise_if_environment(exc: BaseException, engine: Engine) -> None:
    """Turn disk-full, locked, read-only and not-a-database errors into StoreUnavailable, and a
    database at a schema revision this p2pdesk does not know (written by a newer one)."""
    from sqlalchemy.exc import DatabaseError, IntegrityError, OperationalError

    where = engine.url.render_as_string(hide_password=True)
    if isinstance(exc, (OperationalError, DatabaseError)) and not isinstance(exc, IntegrityError):
        detail = str(getattr(exc, "orig", exc))
        raise StoreUnavailable(f"The database at {where} cannot be used: {detail}") from exc
    if type(exc).__name__ == "CommandError" and "Can't locate revision" in str(exc):  # alembic's
        raise StoreUnavailable(
            f"The database at {where} was written by a newer p2pdesk (its schema is unknown to this one): "
            "use that version, or a copy of the database made for this one"
        ) from exc
    if isinstance(exc, OSError):
        raise StoreUnavailable(f"The database at {where} cannot be used: {error_reason(exc)}") from exc
