"""Before the call: what the brief still lacks, or has but weakly, each item naming its field."""

from __future__ import annotations

from dataclasses import dataclass

from p2pdesk.domain.case import Case, PlanType
from p2pdesk.domain.validation import bottom_line_problems, date_problems


@dataclass(frozen=True, repr=False)  # no repr: messages quote the case's values
class ReadinessItem:
    """One thing to fix before the call. ``field`` names where to fix it (the editor jumps there)."""

    field: str
    message: str
    severity: str = "missing"  # "missing" or "weak"


#: What identifies the case on the call and on every paper sent after it (the case file requires them).
_IDENTIFIERS = (
    ("patient_name", "patient's name"),
    ("payer", "payer"),
    ("member_id", "member ID"),
    ("claim_number", "claim or authorization number"),
    ("physician_name", "treating physician's name"),
    ("diagnosis_code", "diagnosis code (ICD-10-CM)"),
    ("service_code", "service code (CPT/HCPCS)"),
)


def readiness(case: Case, code_problems: list[tuple[str, str]] | None = None) -> list[ReadinessItem]:
    """Every gap in the brief, most important first. ``code_problems`` are (field, message) pairs
    from the code checks (ICD-10-CM, CPT/HCPCS, NPI), which need the code sets loaded."""
    items: list[ReadinessItem] = []

    def missing(field: str, message: str) -> None:
        items.append(ReadinessItem(field, message, "missing"))

    def weak(field: str, message: str) -> None:
        items.append(ReadinessItem(field, message, "weak"))

    for field, what in _IDENTIFIERS:
        if not str(getattr(case, field)).strip():
            missing(field, f"the {what} is not recorded")
    if not case.denial_reason.strip():
        missing("denial_reason", "the denial reason, as the letter states it, is not recorded")
    if case.denial_date is None:
        missing("denial_date", "the denial date is not recorded (the P2P window runs from it)")
    if case.plan_type is PlanType.OTHER:
        weak("plan_type", "the plan type is not set: which rules and deadlines apply depends on it")
    if not case.state.strip():
        weak("state", "the plan's state is not recorded: state rules cannot be applied")
    if not case.physician_specialty.strip():
        missing(
            "physician_specialty", "the physician's specialty is not recorded (the same-specialty request needs it)"
        )
    if not case.bottom_line.strip():
        missing("bottom_line", "there is no clinical bottom line")
    for problem in bottom_line_problems(case.bottom_line):
        weak("bottom_line", str(problem))
    if not case.criteria:
        missing("criteria", "the plan's policy criteria are not listed")
    for n, criterion in enumerate(case.criteria, start=1):
        if not criterion.patient_fact.strip():
            missing(f"criteria[{n}].patient_fact", f"criterion {n} has no patient fact mapped to it")
    if not case.guidelines:
        missing("guidelines", "no guideline is cited")
    for n, guideline in enumerate(case.guidelines, start=1):
        if guideline.year is None:
            weak(f"guidelines[{n}].year", f"guideline {n} ({guideline.organization}) has no year")
    if not case.prior_treatments:
        weak("prior_treatments", "no prior treatment is listed")
    for n, treatment in enumerate(case.prior_treatments, start=1):
        contraindicated = "contraindicat" in f"{treatment.why_stopped} {treatment.outcome}".lower()
        if treatment.start is None and not contraindicated:
            weak(f"prior_treatments[{n}].start", f"{treatment.therapy} has no dates")
        if not treatment.outcome.strip():
            weak(f"prior_treatments[{n}].outcome", f"{treatment.therapy} has no outcome")
    if not case.severity_measures:
        weak("severity_measures", "no objective severity measure is recorded")
    if not case.consequence.strip():
        missing("consequence", "what happens if the denial stands is not written")
    for problem in date_problems(case):
        items.append(ReadinessItem(problem.field.replace(" ", "_"), str(problem), "missing"))
    for field, message in code_problems or []:
        items.append(ReadinessItem(field, message, "missing"))
    return items


def code_problems(case: Case) -> list[tuple[str, str]]:
    """The code checks as readiness pairs (loads the ICD-10-CM code set)."""
    from p2pdesk.codes import check_icd10cm, check_npi, check_service_code

    out: list[tuple[str, str]] = []
    for field, check in (
        ("diagnosis_code", check_icd10cm(case.diagnosis_code)),
        ("service_code", check_service_code(case.service_code)),
    ):
        if not check.ok:
            out.append((field, check.message))
    if case.physician_npi:
        npi = check_npi(case.physician_npi)
        if not npi.ok:
            out.append(("physician_npi", npi.message))
    return out
