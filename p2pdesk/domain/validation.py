"""Rules over a case's facts that need no code set: dates in order, a short bottom line."""

from __future__ import annotations

import re
from datetime import date

from p2pdesk.domain.case import Case
from p2pdesk.domain.errors import Problem

MAX_BOTTOM_LINE_SENTENCES = 3

# Abbreviations that end in a full stop without ending a sentence (titles and the like: "Dr. Ruiz").
_NOT_AN_END = re.compile(r"\b(?:Dr|Mr|Mrs|Ms|vs|e\.g|i\.e|approx|Fig|St|Jr|Sr|U\.S)\.$", re.IGNORECASE)
# Units and the like, which end a sentence when a capital letter follows ("25 mg. She failed"),
# and not otherwise ("25 mg. weekly", "no. 4").
_UNIT_END = re.compile(r"\b(?:mg|mL|dL|no|etc)\.$", re.IGNORECASE)


def sentences(text: str) -> list[str]:
    """The sentences of a paragraph (a full stop, ! or ? followed by white space ends one, a
    closing quote or bracket after it included, except after a title such as "Dr."; a unit such
    as "mg." ends one before a capital letter; decimals such as 5.4 never end one)."""
    parts: list[str] = []
    start = 0
    for match in re.finditer(r"[.!?]+[\"'”’)\]]*(?=\s|$)", text):
        candidate = text[start : match.end()].strip()
        if _NOT_AN_END.search(candidate):
            continue
        if _UNIT_END.search(candidate) and not text[match.end() :].lstrip()[:1].isupper():
            continue
        if candidate:
            parts.append(candidate)
        start = match.end()
    tail = text[start:].strip()
    if tail:
        parts.append(tail)
    return parts


def bottom_line_problems(text: str) -> list[Problem]:
    count = len(sentences(text))
    if count > MAX_BOTTOM_LINE_SENTENCES:
        return [
            Problem(
                "bottom line",
                f"has {count} sentences; at most {MAX_BOTTOM_LINE_SENTENCES} fit the call's first minute",
            )
        ]
    return []


def date_problems(case: Case, today: date | None = None, call_dates: list[date] | None = None) -> list[Problem]:
    """Dates that cannot be right: ends before starts, births or denials in the future, a call
    before the denial it is about."""
    today = today or date.today()
    problems: list[Problem] = []
    if case.patient_dob and case.patient_dob > today:
        problems.append(Problem("date of birth", f"{case.patient_dob} is in the future"))
    if case.service_start and case.service_end and case.service_end < case.service_start:
        problems.append(Problem("service end", f"{case.service_end} is before the service start {case.service_start}"))
    if case.denial_date and case.denial_date > today:
        problems.append(Problem("denial date", f"{case.denial_date} is in the future"))
    if case.requested_on and case.denial_date and case.denial_date < case.requested_on:
        problems.append(
            Problem("denial date", f"{case.denial_date} is before the request it denies ({case.requested_on})")
        )
    if case.appeal_filed_on and case.appeal_filed_on > today:
        problems.append(Problem("appeal filed on", f"{case.appeal_filed_on} is in the future"))
    if case.appeal_filed_on and not case.denial_date:
        problems.append(Problem("appeal filed on", "an appeal needs the denial it appeals: give the denial date"))
    if case.appeal_filed_on and case.denial_date and case.appeal_filed_on < case.denial_date:
        problems.append(
            Problem("appeal filed on", f"{case.appeal_filed_on} is before the denial it appeals ({case.denial_date})")
        )
    if case.final_denial_date and case.appeal_filed_on and case.final_denial_date < case.appeal_filed_on:
        problems.append(
            Problem(
                "final denial date",
                f"{case.final_denial_date} is before the appeal it decides (filed {case.appeal_filed_on})",
            )
        )
    if case.final_denial_date and case.denial_date and case.final_denial_date < case.denial_date:
        problems.append(
            Problem("final denial date", f"{case.final_denial_date} is before the first denial {case.denial_date}")
        )
    # External review reviews the final internal denial (45 CFR 147.136(d)); an expedited one may be
    # asked for while an urgent internal appeal runs, so for an urgent case a request made before
    # the final denial (or with none yet) is kept, and only the first denial bounds it.
    review = case.external_review_requested_on
    if review and review > today:
        problems.append(Problem("external review requested on", f"{review} is in the future"))
    if review and not (case.denial_date or case.final_denial_date):
        problems.append(
            Problem("external review requested on", "external review reviews a denial: give the denial date")
        )
    if review and case.final_denial_date and review < case.final_denial_date and not case.urgent:
        problems.append(
            Problem(
                "external review requested on",
                f"{review} is before the final denial it reviews ({case.final_denial_date})",
            )
        )
    elif review and case.denial_date and review < case.denial_date:
        problems.append(
            Problem("external review requested on", f"{review} is before the denial it reviews ({case.denial_date})")
        )
    if case.patient_dob and case.denial_date and case.denial_date < case.patient_dob:
        problems.append(Problem("denial date", f"{case.denial_date} is before the patient's birth"))
    for n, t in enumerate(case.prior_treatments, start=1):
        if t.start and t.end and t.end < t.start:
            problems.append(Problem(f"treatment {n} end", f"{t.end} is before its start {t.start}"))
        if t.start and t.start > today:
            problems.append(Problem(f"treatment {n} start", f"{t.start} is in the future"))
    for n, m in enumerate(case.severity_measures, start=1):
        if m.measured_on and m.measured_on > today:
            problems.append(Problem(f"measure {n} date", f"{m.measured_on} is in the future"))
    for day in call_dates or []:
        if case.denial_date and day < case.denial_date:
            problems.append(Problem("call date", f"a call on {day} is before the denial on {case.denial_date}"))
    return problems
