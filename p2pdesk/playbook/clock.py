"""The clock: deadlines that run from a denial, by plan type and payer, in the practice's time zone.

Business days skip weekends and US federal holidays (the ``holidays`` package). Instants are
kept in UTC; a denial's local date is what the counting starts from, so a denial at 23:30 local
time counts from that day, not the next UTC day.
"""

from __future__ import annotations

import calendar
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from p2pdesk.domain.case import Case, PlanType
from p2pdesk.domain.errors import Problem
from p2pdesk.domain.summary import CallSummary
from p2pdesk.playbook.practice import file_state, problem, read_toml, tolerate
from p2pdesk.resources import resource_path


@dataclass(frozen=True)
class Deadline:
    """One clock: what must happen, by when (an aware instant), and the basis for it."""

    id: str
    what: str
    due: datetime
    citation: str
    basis: str
    confidence: str

    def status(self, now: datetime) -> str:
        """overdue, today, or upcoming, as the practice's calendar sees it."""
        if now > self.due:
            return "overdue"
        if now.astimezone(self.due.tzinfo).date() == self.due.date():
            return "today"
        return "upcoming"


@cache
def _federal_holidays(year: int) -> frozenset[date]:
    import holidays

    return frozenset(holidays.US(years=[year]).keys())


def is_business_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _federal_holidays(day.year)


def add_business_days(start: date, days: int) -> date:
    """The date ``days`` business days after ``start`` (start itself is not counted)."""
    current = start
    counted = 0
    while counted < days:
        current += timedelta(days=1)
        if is_business_day(current):
            counted += 1
    return current


def offer_window(now: datetime, tz: tzinfo, *, urgent: bool) -> tuple[date, datetime | None]:
    """When the times offered to the plan for the call should fall: three blocks on or before the
    returned day (the end of the next two business days where the practice is), one of them before
    the returned instant (24 hours from now) when the request is urgent, else None."""
    return add_business_days(local_day(now, tz), 2), (now + timedelta(hours=24) if urgent else None)


def add_months(start: date, months: int) -> date:
    month = start.month - 1 + months
    year = start.year + month // 12
    month = month % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def practice_zone() -> tzinfo:
    """The computer's time zone with its daylight-saving rules (an IANA zone such as
    America/Chicago), not the fixed offset of today: a clock that runs across a change stays right."""
    from tzlocal import get_localzone

    return get_localzone()


def local_day(instant: datetime, tz: tzinfo) -> date:
    """The calendar day an instant falls on where the practice is."""
    return instant.astimezone(tz).date()


def _end_of(day: date, tz: tzinfo) -> datetime:
    return datetime.combine(day, time(23, 59, 59), tzinfo=tz)


#: How a clock's amount is counted.
UNITS = ("hours", "calendar_days", "business_days", "months")


def due(rule: dict[str, Any], denied: datetime, tz: tzinfo) -> datetime:
    """When a clock runs out, as an aware instant in ``tz``."""
    amount, unit = int(rule["amount"]), rule["unit"]
    day = local_day(denied, tz)
    if unit == "hours":  # elapsed hours: counted in UTC, so a daylight-saving change does not move them
        return (denied.astimezone(UTC) + timedelta(hours=amount)).astimezone(tz)
    if unit == "calendar_days":
        return _end_of(day + timedelta(days=amount), tz)
    if unit == "business_days":
        return _end_of(add_business_days(day, amount), tz)
    if unit == "months":
        return _end_of(add_months(day, amount), tz)
    raise ValueError(f"unknown unit {unit!r} in deadline {rule.get('id')}")


@cache
def _shipped_rules() -> tuple[dict[str, Any], ...]:
    """p2pdesk's clock rules, read once (the home view counts every case's clocks)."""
    return tuple(tomllib.loads(resource_path("rules", "deadlines.toml").read_text(encoding="utf-8"))["deadline"])


def load_deadline_rules(
    practice_dir: Path | None = None, *, problems: list[Problem] | None = None
) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    """The clock rules, and the practice's payer windows (``payers.toml`` in its rules folder).

    A payers.toml that cannot be used raises InvalidInput naming it; given ``problems``, it is
    listed there instead and the default window counts (see p2pdesk.playbook.practice)."""
    rules = list(_shipped_rules())
    payers: dict[str, dict[str, Any]] = {}
    if practice_dir is not None and (practice_dir / "payers.toml").is_file():
        payers = tolerate(problems, lambda: _payer_windows(practice_dir / "payers.toml")) or {}
    return rules, payers


def _payer_windows(path: Path) -> dict[str, dict[str, Any]]:
    """The practice's payer windows, parsed once per change of the file (the home view counts
    every case's clocks); callers only read them."""
    return _payer_windows_as_is(*file_state(path))


@lru_cache(maxsize=8)
def _payer_windows_as_is(name: str, _inode: int, _modified: int, _size: int) -> dict[str, dict[str, Any]]:
    path = Path(name)
    payers = read_toml(path).get("payer", {})
    if not isinstance(payers, dict):
        raise problem(path, '"payer" must hold one table per payer: [payer."Payer name"]')
    for name, window in payers.items():
        if not isinstance(window, dict):
            raise problem(path, f'payer {name!r} must be a table: [payer."{name}"]')
        unit = window.get("unit", "business_days")
        if unit not in UNITS:
            raise problem(path, f"payer {name!r}: unit must be one of {', '.join(UNITS)}")
        amount, most = window.get("p2p_window"), _LONGEST_WINDOW[unit]
        if not isinstance(amount, int) or isinstance(amount, bool) or not 0 < amount <= most:
            raise problem(path, f"payer {name!r}: p2p_window must be a whole number from 1 to {most} ({unit})")
        for key in ("basis", "citation", "confidence"):
            if key in window and not isinstance(window[key], str):
                raise problem(path, f"payer {name!r}: {key} must be text")
    return payers


#: The longest P2P window a practice can set, per unit: a year (anything longer is a typo).
_LONGEST_WINDOW = {"hours": 24 * 365, "calendar_days": 365, "business_days": 261, "months": 12}


def denial_instant(case: Case, tz: tzinfo) -> datetime | None:
    """The denial as an instant: its date at the start of the practice's day (the letter's time of
    day is rarely known)."""
    if case.denial_date is None:
        return None
    return datetime.combine(case.denial_date, time(0, 0), tzinfo=tz)


def deadlines(
    case: Case,
    tz: tzinfo,
    *,
    denied_at: datetime | None = None,
    final_denial_at: datetime | None = None,
    practice_dir: Path | None = None,
    problems: list[Problem] | None = None,
    calls: Sequence[CallSummary] = (),
) -> list[Deadline]:
    """Every clock running for a case, soonest first. ``denied_at`` (an aware instant) overrides
    the case's denial date when the time of day is known; clocks that run from the final internal
    denial (external review) count only when ``final_denial_at`` is given. ``problems`` as for
    load_deadline_rules. ``calls``: the case's peer-to-peer calls: one held stops the clock for
    asking for one (p2p_held). A denial reversed on a call stops no appeal clock: a verbal reversal
    is confirmed in writing first (a follow-up of the call), and the appeal's time runs until then."""
    denied = denied_at or denial_instant(case, tz)
    if final_denial_at is None and case.final_denial_date is not None:
        final_denial_at = datetime.combine(case.final_denial_date, time(0, 0), tzinfo=tz)
    requested = datetime.combine(case.requested_on, time(0, 0), tzinfo=tz) if case.requested_on else None
    appealed = datetime.combine(case.appeal_filed_on, time(0, 0), tzinfo=tz) if case.appeal_filed_on else None
    ended = {
        "decided": case.denial_date,
        "appeal_filed": case.appeal_filed_on,
        "final_denial": case.final_denial_date,
        "external_review_requested": case.external_review_requested_on,
        # A call counts as held once a reviewer was on the record or it had an outcome (not one
        # started on hold and ended when no one came, nor one started by mistake).
        "p2p_held": next((c.started_at for c in calls if c.reviewer_name or c.disposition), None),
    }
    rules, payers = load_deadline_rules(practice_dir, problems=problems)
    plan = PlanType(case.plan_type).value
    found = []
    for rule in rules:
        if plan not in rule["plan_types"]:
            continue
        if "states" in rule and case.state.upper() not in rule["states"]:
            continue
        if rule.get("not_for_drugs") and _is_drug(case.service_code):
            continue
        if "requested_from" in rule and (case.requested_on is None or case.requested_on < rule["requested_from"]):
            continue  # a clock that applies to requests made from a date on
        start = {"final_denial": final_denial_at, "request": requested, "appeal": appealed}.get(
            rule.get("from", "denial"), denied
        )
        if start is None:
            continue
        ends_when = rule.get("ends_when", [])
        if any(ended[event] is not None for event in ([ends_when] if isinstance(ends_when, str) else ends_when)):
            continue
        effective = dict(rule)
        if case.urgent and rule.get("from") in ("request", "appeal"):
            if "urgent" in rule:
                effective.update(rule["urgent"])
            else:
                effective["basis"] = f"{rule['basis']} No shorter clock for urgent requests is on file."
        window = payers.get(case.payer, {})
        if rule["id"] == "p2p-request-window-default" and window:
            effective.update(
                amount=window["p2p_window"],
                unit=window.get("unit", "business_days"),
                basis=window.get("basis", f"{case.payer}'s own window, as the practice recorded it"),
                citation=window.get("citation", f"{case.payer} policy"),
                confidence=window.get("confidence", "medium"),
            )
        found.append(
            Deadline(
                id=rule["id"],
                what=effective["what"],
                due=due(effective, start, tz),
                citation=effective["citation"],
                basis=effective["basis"],
                confidence=effective["confidence"],
            )
        )
    return sorted(found, key=lambda d: d.due)


#: HCPCS J codes that are devices, not drugs (copper intrauterine device).
_J_CODE_DEVICES = frozenset({"J7300"})


def _is_drug(service_code: str) -> bool:
    """A drug, by its HCPCS code: a J code (drugs given other than by mouth, but for the devices
    among them), a Q5 code (biosimilars), an S0 code (drugs outside Medicare's codes). Drugs
    billed under other codes are not recognised: the clock's note says that drugs are excluded."""
    code = service_code.strip().upper()
    if len(code) != 5 or not code[1:].isdigit():
        return False
    return (code[0] == "J" and code not in _J_CODE_DEVICES) or code[:2] in ("Q5", "S0")


def soonest(clocks: list[Deadline], now: datetime) -> Deadline | None:
    """Of a case's clocks (soonest first), the first not yet run out, else the last one that did
    (so overdue shows)."""
    pending = [d for d in clocks if d.due >= now]
    return pending[0] if pending else (clocks[-1] if clocks else None)


def next_deadline(case: Case, tz: tzinfo, now: datetime, practice_dir: Path | None = None) -> Deadline | None:
    """The soonest clock of a case not yet run out, else the last one that did."""
    return soonest(deadlines(case, tz, practice_dir=practice_dir), now)


def utc(instant: datetime) -> datetime:
    return instant.astimezone(UTC)
