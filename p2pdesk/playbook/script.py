"""The script prompts for the call, filled from the case.

A prompt is a list of lines; a line is a list of segments, each either text from the case or a
visibly *missing* piece naming what the case lacks. Nothing here knows how it will be drawn.
"""

from __future__ import annotations

from dataclasses import dataclass

from p2pdesk.domain.call import Call
from p2pdesk.domain.case import Case
from p2pdesk.playbook.rules import Rule, case_stage, specialty_rule
from p2pdesk.playbook.specialties import match


@dataclass(frozen=True)
class Segment:
    text: str
    missing: bool = False
    emphasis: bool = False


Line = tuple[Segment, ...]


@dataclass(frozen=True)
class Prompt:
    """One step of the call's arc: a title, a time hint, and what to say."""

    key: str
    title: str
    hint: str
    lines: tuple[Line, ...]
    alert: str = ""
    rule: Rule | None = None


def _t(text: str) -> Segment:
    return Segment(text)


def _v(value: object, what: str) -> Segment:
    """The case's value, or a visible 'missing' marker naming it."""
    if value in (None, "", [], ()):
        return Segment(f"[{what} missing]", missing=True)
    return Segment(str(value), emphasis=True)


def _line(*segments: Segment) -> Line:
    return tuple(segments)


def specialty_differs(case: Case, call: Call | None) -> bool:
    """True when the reviewer named a specialty and, on the ABMS boards, it is not the case's
    (neither the same specialty nor one certified by the same board)."""
    if call is None or not call.reviewer_specialty or not case.physician_specialty:
        return False
    return match(case.physician_specialty, call.reviewer_specialty).differs


_REVIEWER_PHRASES = {
    "appropriate_expertise": "a reviewer with appropriate expertise in the field",
    "physician_reviewer": "a licensed physician as reviewer",
    "different_reviewer": "a reviewer other than the one who denied",
}


def _specialty_lines(specialty: str, rule: Rule | None) -> tuple[Line, ...]:
    """The words of the same-specialty step: a demand where a rule entitles the physician to a
    matching specialty, a request to be noted where none does."""
    ask = _line(
        _t("This case concerns "), _v(specialty, "the case's specialty"), _t(". Are you board-certified in it?")
    )
    spec = _v(specialty, "the case's specialty")
    if rule is not None and rule.requirement == "same_or_similar_specialty":
        return (
            ask,
            _line(
                _t(
                    f"Under {rule.citation}, this decision is made by a physician in the same or a similar specialty. "
                    "I ask that it be deferred to a reviewer in "
                ),
                spec,
                _t(", and that this be noted in the file."),
            ),
        )
    if rule is not None and rule.requirement == "same_specialty_on_request":
        return (
            ask,
            _line(
                _t(
                    f"{rule.citation} lets me ask for a reviewer of the same specialty: I am asking for review by a "
                    "physician in "
                ),
                spec,
                _t(". Please note the request in the file."),
            ),
        )
    if rule is not None and rule.requirement == "specialty_discussion_offer":
        return (
            ask,
            _line(
                _t(
                    f"Under {rule.citation}, before a denial the plan must offer me a discussion with a physician of "
                    "a matching specialty. I ask for that discussion with a physician in "
                ),
                spec,
                _t(", and that the offer and its outcome be noted."),
            ),
        )
    context = (
        f"; {rule.citation} requires {_REVIEWER_PHRASES.get(rule.requirement, 'an appropriate reviewer')}"
        if rule is not None
        else ""
    )
    return (
        ask,
        _line(_t(f"No rule requires a reviewer of the same specialty at this stage{context}.")),
        _line(
            _t("As a request: I ask that a physician in "),
            spec,
            _t(" decide this case, and that my request be noted in the file."),
        ),
    )


def _tried(case: Case) -> Line:
    if not case.prior_treatments:
        return _line(_t("Tried so far: "), _v(None, "prior treatments"), _t("."))
    parts: list[Segment] = [_t("Tried so far: ")]
    for i, tr in enumerate(case.prior_treatments):
        if i:
            parts.append(_t("; "))
        when = ""
        if tr.start:
            when = f" from {tr.start.isoformat()}" + (f" to {tr.end.isoformat()}" if tr.end else "")
        parts.append(Segment(tr.therapy, emphasis=True))
        parts.append(_t(f"{when}: "))
        parts.append(_v(tr.outcome or tr.why_stopped, f"{tr.therapy} outcome"))
    parts.append(_t("."))
    return tuple(parts)


def build_script(case: Case, call: Call | None = None, rules: list[Rule] | None = None) -> list[Prompt]:
    """The seven prompts of the call, in the order they are used. ``rules`` (the loaded rule set)
    decide what the same-specialty step may cite for this plan, state and stage."""
    rule = specialty_rule(rules, case.state, case.plan_type, case_stage(case)) if rules is not None else None
    specialty = case.physician_specialty
    policy = f"{case.policy_name} ({case.policy_number})" if case.policy_number else case.policy_name
    first_guideline = case.guidelines[0] if case.guidelines else None
    guideline_text = f"{first_guideline.organization} {first_guideline.year or ''}".strip() if first_guideline else ""
    prompts = [
        Prompt(
            "open",
            "Open",
            "about 60 seconds",
            (
                _line(
                    _t("This is "),
                    _v(case.physician_display, "physician"),
                    _t(", "),
                    _v(specialty, "specialty"),
                    _t(", calling about "),
                    _v(case.patient_name, "patient"),
                    _t(", member "),
                    _v(case.member_id, "member ID"),
                    _t("."),
                ),
                _line(
                    _t("Diagnosis: "),
                    _v(case.diagnosis_description, "diagnosis description"),
                    _t(" ("),
                    _v(case.diagnosis_code, "ICD-10-CM code"),
                    _t(")."),
                ),
                _tried(case),
                _line(
                    _t("The guideline's next step: "),
                    _v(guideline_text, "guideline"),
                    _t(" supports "),
                    _v(case.service_description, "service description"),
                    _t(" ("),
                    _v(case.service_code, "CPT/HCPCS code"),
                    _t(")."),
                ),
                _line(
                    _t("It was denied on "),
                    _v(case.denial_date.isoformat() if case.denial_date else "", "denial date"),
                    _t(" as “"),
                    _v(case.denial_reason.rstrip(". "), "denial reason"),
                    _t("”. The patient meets your criteria; I'd like to walk through them.")
                    if case.criteria
                    else _t("”."),
                ),
            ),
        ),
        Prompt(
            "reviewer",
            "Reviewer on the record",
            "ask before the substance",
            (
                _line(
                    _t("For my documentation, may I have your full name, your credentials, and your board specialty?")
                ),
                _line(
                    _t("On record: "),
                    Segment(call.reviewer_display, emphasis=True)
                    if call and call.reviewer_display
                    else Segment("[not yet on record]", missing=True),
                ),
            ),
        ),
        Prompt(
            "criteria",
            "Criterion by criterion",
            "3–5 minutes",
            (
                _line(
                    _t("Which specific criterion of "),
                    _v(policy, "payer policy"),
                    _t(" does the denial rest on?"),
                ),
                *(
                    _line(
                        Segment(f"{n}. ", emphasis=True),
                        _t(c.text),
                        _t(" — "),
                        _v(c.patient_fact, f"patient fact for criterion {n}"),
                        _t(f" ({c.evidence})" if c.evidence else ""),
                    )
                    for n, c in enumerate(case.criteria, start=1)
                ),
                *(() if case.criteria else (_line(_v(None, "policy criteria")),)),
            ),
        ),
        Prompt(
            "concerns",
            "The reviewer's concerns",
            "3–5 minutes",
            tuple(
                _line(
                    Segment("If: ", emphasis=True),
                    _t(o.objection),
                    _t(" → "),
                    _v(o.answer, "prepared answer"),
                )
                for o in case.objections
            )
            or (_line(_v(None, "anticipated objections")),),
        ),
        Prompt(
            "change",
            "When it is still no",
            "",
            (
                _line(_t("What additional information would change your decision?")),
                _line(_t("I'll document your answer for the formal appeal and external review.")),
            ),
        ),
        Prompt(
            "specialty",
            "Same-specialty request",
            "when the reviewer is not a " + (specialty or "same-specialty") + " physician",
            _specialty_lines(specialty, rule),
            rule=rule,
            alert=(
                f"Reviewer's specialty ({call.reviewer_specialty}) is not the case's ({specialty})."
                if call is not None and specialty_differs(case, call)
                else ""
            ),
        ),
        Prompt(
            "close",
            "Close",
            "about 60 seconds",
            (
                _line(
                    _v(case.patient_name, "patient"),
                    _t(f" meets each of the {len(case.criteria)} criteria of ")
                    if case.criteria
                    else _t(" meets the criteria of "),
                    _v(policy, "payer policy"),
                    _t(", and "),
                    _v(guideline_text, "guideline"),
                    _t(" supports this treatment."),
                ),
                _line(
                    _t("Will you authorize "),
                    _v(case.service_code, "service code"),
                    _t(" today, and what is the authorization number?"),
                ),
            ),
        ),
    ]
    return prompts


#: The arc of the call in time: (phase, from second, what it is for). A guide, not a timer.
PHASES = (
    ("open", 0, "open: who, what was tried, what the guideline says"),
    ("criteria", 60, "criteria: one by one, each with the patient's fact (3–5 min)"),
    ("concerns", 5 * 60, "concerns: answer each with dates and evidence (3–5 min)"),
    ("close", 9 * 60, "close: ask for the authorization and its number"),
)


def phase_at(elapsed_seconds: float) -> tuple[str, str]:
    """Where a call of this length usually is: (phase key, a short hint)."""
    current = PHASES[0]
    for phase in PHASES:
        if elapsed_seconds >= phase[1]:
            current = phase
    return current[0], current[2]
