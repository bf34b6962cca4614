"""What the home view lists: enough to find a case and its calls, not the whole brief."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class CaseSummary:
    """One line of the home view: enough to find a case, not the whole brief."""

    id: int
    patient_name: str
    payer: str
    service_code: str
    diagnosis_code: str
    denial_date: date | None
    calls: tuple[CallSummary, ...] = ()
    member_id: str = ""
    claim_number: str = ""


@dataclass(frozen=True)
class CallSummary:
    """One call under its case in the home view."""

    id: int
    started_at: datetime
    ended: bool
    disposition: str
    reviewer_name: str


@dataclass(frozen=True)
class ArchiveRow:
    """One call in the archive: who, which plan, what, when, how it ended, and its record."""

    call_id: int
    started_at: datetime
    disposition: str
    reviewer: str
    reviewer_specialty: str
    case_id: int
    patient: str
    payer: str
    plan_type: str
    service_code: str
    physician: str
    record_version: int | None
