"""Errors the user can act on: each names the field and what is wrong with it."""

from __future__ import annotations

from typing import NamedTuple


class Problem(NamedTuple):
    """One thing wrong with one field, in words a physician or a billing specialist can act on.

    A named tuple (immutable, compared by value) rather than a frozen dataclass: it is defined
    before the window's first paint, and a named tuple costs a tenth as much to define."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class InvalidInput(ValueError):
    """Input that breaks a rule of the domain; nothing has been stored when it is raised."""

    def __init__(self, problems: list[Problem] | Problem) -> None:
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class NotFound(LookupError):
    """A case, call or note id that the store does not hold."""


class AlreadyOnFile(LookupError):
    """The store already holds a case of this denial (its member ID and claim number): ``case_id``."""

    def __init__(self, case_id: int) -> None:
        self.case_id = case_id
        super().__init__(f"the denial is already on file as case {case_id}")


class CallOnCase(LookupError):
    """A call on this case is already in progress (at some desk): ``call``."""

    def __init__(self, call: object) -> None:
        self.call = call
        super().__init__("a call on this case is already in progress")


class Outdated(RuntimeError):
    """What a write was made from changed meanwhile (another desk wrote first); nothing was stored."""


class StoreUnavailable(RuntimeError):
    """The database cannot be reached or written (disk full, locked, unreadable).

    An environment problem, not a bug: the user gets a calm message naming the database,
    and whatever they typed stays where it is.
    """
