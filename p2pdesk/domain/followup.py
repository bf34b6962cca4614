"""After the call: what the designee must confirm (written confirmation, the authorization in the
plan's system, the EOB paid...), each with its due date, until marked done."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass
class FollowUpItem:
    call_id: int
    what: str
    due: datetime | None = None
    done_at: datetime | None = None
    done_how: str = ""
    id: int | None = None

    @property
    def done(self) -> bool:
        return self.done_at is not None

    def status(self, now: datetime) -> str:
        """done, overdue, today, upcoming, or open (no due date)."""
        if self.done_at is not None:
            return "done"
        if self.due is None:
            return "open"
        if now > self.due:
            return "overdue"
        if now.astimezone().date() == self.due.astimezone().date():
            return "today"
        return "upcoming"
