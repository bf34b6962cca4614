"""Compare a reviewer's specialty with the case's, on the ABMS boards and their subspecialties.

"same": the same specialty; "similar": a different specialty certified by the same board (e.g.
Rheumatology and Internal Medicine); "different": no board in common (an obstetrician reviewing
neurosurgery); "unknown": a name the vocabulary does not hold (shown as such, never guessed).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache

from p2pdesk.resources import resource_path


@dataclass(frozen=True)
class Vocabulary:
    boards: dict[str, frozenset[str]]  # specialty (normalized) -> boards that certify it
    names: dict[str, str]  # normalized name or alias -> ABMS name


def _norm(name: str) -> str:
    text = name.casefold().replace("&", "and").replace("–", "-").replace("—", "-")
    return re.sub(r"[^a-z0-9/]+", " ", text).strip()


@cache
def vocabulary() -> Vocabulary:
    data = tomllib.loads(resource_path("specialties", "abms.toml").read_text(encoding="utf-8"))
    boards: dict[str, set[str]] = {}
    names: dict[str, str] = {}
    for board, entry in data["boards"].items():
        for specialty in entry["specialties"]:
            boards.setdefault(_norm(specialty), set()).add(board)
            names[_norm(specialty)] = specialty
    for alias, target in data.get("aliases", {}).items():
        names[_norm(alias)] = target
    return Vocabulary({k: frozenset(v) for k, v in boards.items()}, names)


@cache
def canonical(name: str) -> str | None:
    """The ABMS name of a specialty as someone said it, or None if the vocabulary lacks it."""
    vocab = vocabulary()
    key = _norm(name)
    if key in vocab.names:
        return vocab.names[key]
    # "Board-certified internal medicine physician" and the like: the longest known name inside.
    found = [n for n in vocab.names if re.search(rf"\b{re.escape(n)}\b", key)]
    return vocab.names[max(found, key=len)] if found else None


@dataclass(frozen=True)
class SpecialtyMatch:
    verdict: str  # same, similar, different, unknown
    case_specialty: str
    reviewer_specialty: str
    shared_board: str = ""

    @property
    def differs(self) -> bool:
        return self.verdict == "different"

    def sentence(self) -> str:
        if self.verdict == "same":
            return f"the reviewer's specialty is the case's ({self.case_specialty})"
        if self.verdict == "similar":
            return (
                f"the reviewer's specialty ({self.reviewer_specialty}) is similar to the case's "
                f"({self.case_specialty}): both certified by the board of {self.shared_board}"
            )
        if self.verdict == "different":
            return f"the reviewer's specialty ({self.reviewer_specialty}) is not the case's ({self.case_specialty})"
        return f"the specialties could not be compared ({self.reviewer_specialty} / {self.case_specialty})"


@cache
def match(case_specialty: str, reviewer_specialty: str) -> SpecialtyMatch:
    """Same, similar (same ABMS board) or different."""
    ours, theirs = canonical(case_specialty), canonical(reviewer_specialty)
    if not case_specialty.strip() or not reviewer_specialty.strip() or ours is None or theirs is None:
        return SpecialtyMatch("unknown", ours or case_specialty, theirs or reviewer_specialty)
    if ours == theirs:
        return SpecialtyMatch("same", ours, theirs)
    boards = vocabulary().boards
    shared = sorted(boards.get(_norm(ours), frozenset()) & boards.get(_norm(theirs), frozenset()))
    if shared:
        return SpecialtyMatch("similar", ours, theirs, shared[0])
    return SpecialtyMatch("different", ours, theirs)
