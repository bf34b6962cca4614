"""The call and its notes, and the rules that keep the record contemporaneous.

Notes are append-only: a note is never edited or deleted, a correction is a new note.
Every instant is an aware UTC datetime; the screen shows it in local time.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from enum import StrEnum

from p2pdesk.domain.errors import InvalidInput, Problem
from p2pdesk.domain.plain import plain

#: Longest note accepted. A one-line entry during a call; anything longer is almost always a
#: paste by mistake, and the text stays in the entry so nothing is lost.
MAX_NOTE_CHARS = 10_000
MAX_FIELD_CHARS = 500


class NoteKind(StrEnum):
    """What a note records. The order is the order of the keyboard shortcuts (Ctrl+1 ... Ctrl+6)."""

    REVIEWER_CLAIM = "reviewer_claim"
    OUR_POINT = "our_point"
    INFO_REQUESTED = "info_requested"
    PROCEDURAL = "procedural_objection"
    OUTCOME = "outcome"
    OTHER = "other"

    @property
    def label(self) -> str:
        return _KIND_LABELS[self]

    @property
    def short_label(self) -> str:
        """A word for the narrow kind column of the note list."""
        return _KIND_SHORT[self]


_KIND_SHORT = {
    "reviewer_claim": "Claim",
    "our_point": "Our point",
    "info_requested": "Requested",
    "procedural_objection": "Objection",
    "outcome": "Outcome",
    "other": "Other",
}

_KIND_LABELS = {
    NoteKind.REVIEWER_CLAIM: "Reviewer claim",
    NoteKind.OUR_POINT: "Our point",
    NoteKind.INFO_REQUESTED: "Information requested",
    NoteKind.PROCEDURAL: "Procedural objection",
    NoteKind.OUTCOME: "Outcome",
    NoteKind.OTHER: "Other",
}


class Disposition(StrEnum):
    """How the call ended."""

    REVERSED = "reversed"
    UPHELD = "upheld"
    DEFERRED = "deferred"

    @property
    def label(self) -> str:
        return self.value.capitalize()


@plain  # no repr (see p2pdesk.domain.plain): it would print what was said into tracebacks and logs
class Note:
    """One timestamped line of the call's record."""

    call_id: int
    at: datetime
    kind: NoteKind
    text: str
    criterion: int | None = None
    id: int | None = None
    #: 0 for a note taken during the call; N for an addendum that went into record version N.
    addendum: int = 0
    #: The note's link in the record's hash chain, set when the call is sealed.
    chain_hash: str = ""
    #: Made by the desk when the note is sent, so that a note sent again (its answer lost with the
    #: connection, say) is stored once; not part of the record.
    entry_key: str | None = None


@plain  # no repr: it would print the reviewer and the outcome into tracebacks and logs
class Call:
    """One peer-to-peer call about one case."""

    case_id: int
    started_at: datetime
    id: int | None = None
    ended_at: datetime | None = None
    reviewer_name: str = ""
    reviewer_credentials: str = ""
    reviewer_specialty: str = ""
    disposition: Disposition | None = None
    authorization_number: str = ""
    stated_reasoning: str = ""
    information_requested: str = ""
    requested_by: date | None = None
    #: Set once, when the call is sealed; a sealed call and its notes never change again.
    sealed_at: datetime | None = None
    #: The plan said this P2P is "educational only": it cannot reverse the denial.
    educational_only: bool = False
    #: What the reviewer offered instead (a partial approval, a substitute service), if anything.
    alternative_offer: str = ""
    #: The desk the call is taken at, in a store several desks share ("" for no desk in particular).
    desk: str = ""

    @property
    def in_progress(self) -> bool:
        return self.ended_at is None

    def offset(self, at: datetime) -> timedelta:
        """How far into the call an instant is (never negative)."""
        return max(at - self.started_at, timedelta(0))

    @property
    def reviewer_display(self) -> str:
        parts = [p for p in (self.reviewer_name, self.reviewer_credentials) if p]
        text = ", ".join(parts)
        if self.reviewer_specialty:
            text = f"{text} ({self.reviewer_specialty})" if text else self.reviewer_specialty
        return text


def utc_now() -> datetime:
    """The current instant, aware and in UTC: the only clock the domain reads."""
    return datetime.now(UTC)


def require_utc(value: datetime, field: str) -> datetime:
    """Reject naive datetimes: an instant without a zone cannot be evidence."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput(Problem(field, "an instant needs a time zone"))
    return value.astimezone(UTC)


def format_offset(delta: timedelta) -> str:
    """ "+MM:SS" (or "+H:MM:SS") into the call, as shown beside each note."""
    total = int(delta.total_seconds())
    hours, rest = divmod(total, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"+{hours}:{minutes:02d}:{seconds:02d}"
    return f"+{minutes:02d}:{seconds:02d}"


def local_when(instant: datetime, now: datetime) -> str:
    """An instant as a person reads it here: the time when it is today, else the day and time."""
    local = instant.astimezone()
    return local.strftime("%H:%M" if local.date() == now.astimezone().date() else "%Y-%m-%d %H:%M")


def format_duration(delta: timedelta) -> str:
    """How long a call lasted, in words that cannot be misread: "45 s", "8 min 12 s", "1 h 02 min"."""
    total = max(int(delta.total_seconds()), 0)
    hours, rest = divmod(total, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    if minutes:
        return f"{minutes} min {seconds:02d} s"
    return f"{seconds} s"


def kept_indent(text: str) -> str:
    """``text`` with each line's leading spaces and tabs (a tab four) as non-breaking spaces, which
    a page or a rich-text view keeps where it would drop plain ones: a pasted list keeps its shape."""
    lines = text.split("\n")
    for n, line in enumerate(lines):
        rest = line.lstrip(" \t")
        if len(rest) != len(line):
            lines[n] = "\u00a0" * len(line[: len(line) - len(rest)].expandtabs(4)) + rest
    return "\n".join(lines)


def clean_note_text(text: str) -> str:
    """The note as it will be kept, or InvalidInput saying why it cannot be.

    Leading and trailing white space goes; everything else (markup characters, quotes,
    right-to-left and CJK text) is kept exactly as typed.
    """
    cleaned = text.strip()
    if not cleaned:
        raise InvalidInput(Problem("note", "is empty; type what was said, then press Enter"))
    if len(cleaned) > MAX_NOTE_CHARS:
        raise InvalidInput(
            Problem(
                "note",
                f"is {len(cleaned):,} characters, over the {MAX_NOTE_CHARS:,} limit for one note; "
                "split it into several notes (your text is still in the entry)",
            )
        )
    return cleaned


def written_date(text: str) -> date:
    """The date written as YYYY-MM-DD, and only so: Python's ``date.fromisoformat`` also reads
    "2026-W50" and "20261207", which a field asking for YYYY-MM-DD must not take without a word.
    ValueError for anything else, or a day the calendar does not have."""
    digits = text[:4] + text[5:7] + text[8:]
    if len(text) != 10 or text[4] + text[7] != "--" or not (digits.isascii() and digits.isdigit()):
        raise ValueError(f"{text!r} is not written as YYYY-MM-DD")
    return date.fromisoformat(text)


def one_line(value: str) -> str:
    """A one-line field's text as kept: its runs of white space made single spaces, none at the ends."""
    return " ".join(value.split())


def clean_field(value: str, field: str, *, limit: int = MAX_FIELD_CHARS) -> str:
    """A one-line field as kept: stripped, and no longer than the limit."""
    cleaned = one_line(value)
    if len(cleaned) > limit:
        raise InvalidInput(Problem(field, f"is {len(cleaned):,} characters; at most {limit:,} fit here"))
    return cleaned


def check_end(call: Call, ended_at: datetime) -> None:
    """A call cannot end twice, nor before it started."""
    if call.ended_at is not None:
        raise InvalidInput(Problem("call end", "this call has already ended"))
    if ended_at < call.started_at:
        raise InvalidInput(
            Problem(
                "call end",
                f"{ended_at.isoformat()} is before the call's start {call.started_at.isoformat()}",
            )
        )


def check_disposition(
    disposition: Disposition,
    *,
    authorization_number: str,
    stated_reasoning: str,
    information_requested: str,
) -> None:
    """Each disposition needs the one fact an appeal or a follow-up will ask for."""
    if disposition is Disposition.REVERSED and not authorization_number.strip():
        raise InvalidInput(
            Problem(
                "authorization number",
                "a reversal needs the authorization number; ask for it, or type 'not given' if refused",
            )
        )
    if disposition is Disposition.UPHELD and not stated_reasoning.strip():
        raise InvalidInput(
            Problem(
                "stated reasoning",
                "an upheld denial needs the reviewer's stated clinical reasoning, in their words",
            )
        )
    if disposition is Disposition.DEFERRED and not information_requested.strip():
        raise InvalidInput(Problem("information requested", "a deferral needs what the reviewer asked for"))
