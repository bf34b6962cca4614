"""A practice's own files (its rules, payer windows and script words): read, or named as wrong.

A practice edits these by hand. A file that cannot be used is named with what is wrong with it.
The desk then goes on with p2pdesk's own (a typo in a rules file must not stop a call or the home
view); a document sent to the plan refuses instead, so that it never cites anything other than
what the practice set.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from p2pdesk.domain.errors import InvalidInput, Problem

T = TypeVar("T")


def problem(path: Path, message: str) -> InvalidInput:
    return InvalidInput(Problem(f"practice file {path}", message))


def file_state(path: Path) -> tuple[str, int, int, int]:
    """The file as it is now (path, inode, modification time, size): a reading of it can be kept
    for as long as this stays the same, so a file read at every use is parsed once per change."""
    try:
        found = path.stat()
    except OSError as exc:
        raise problem(path, f"cannot be read ({exc.strerror or exc})") from None
    return str(path), found.st_ino, found.st_mtime_ns, found.st_size


def read_toml(path: Path) -> dict[str, Any]:
    """The file's tables; InvalidInput naming the file when it cannot be read as TOML."""
    import tomllib

    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise problem(path, f"is not valid TOML: {exc}") from None
    except UnicodeDecodeError:
        raise problem(path, "is not UTF-8 text") from None
    except OSError as exc:
        raise problem(path, f"cannot be read ({exc.strerror or exc})") from None


def tolerate(problems: list[Problem] | None, read: Callable[[], T]) -> T | None:
    """``read()``. When it refuses a practice file and ``problems`` is given, what is wrong is
    listed there and None is returned (the caller goes on without that file); else it raises."""
    try:
        return read()
    except InvalidInput as exc:
        if problems is None:
            raise
        problems.extend(exc.problems)
        return None
