"""Attempts to reach the plan to schedule the peer-to-peer review, kept as a log.

Every attempt is logged (when, whom, the reference number, the hold time, the outcome). After two
failed attempts the desk offers a written demand; continued obstruction is itself an argument in
the appeal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

DEMAND_AFTER_FAILURES = 2


class AttemptOutcome(StrEnum):
    SCHEDULED = "scheduled"
    FAILED = "failed"

    @property
    def label(self) -> str:
        return "Scheduled" if self is AttemptOutcome.SCHEDULED else "Failed"


@dataclass
class SchedulingAttempt:
    case_id: int
    at: datetime
    outcome: AttemptOutcome
    whom: str = ""
    reference: str = ""
    hold_minutes: int | None = None
    detail: str = ""
    id: int | None = None


def demand_warranted(attempts: list[SchedulingAttempt]) -> bool:
    """Two failed attempts and none that succeeded: time for the written demand."""
    failed = sum(1 for a in attempts if a.outcome is AttemptOutcome.FAILED)
    return failed >= DEMAND_AFTER_FAILURES and not any(a.outcome is AttemptOutcome.SCHEDULED for a in attempts)
