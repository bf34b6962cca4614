"""The JSON case file: read (validated, all or nothing) and written back in the same format.

The format is described by ``resources/schema/case.schema.json`` and ``docs/case-format.md``.
Every problem found is reported with the field's path, e.g. ``coverage.member_id: is required``.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from p2pdesk.domain.case import (
    Case,
    GuidelineCitation,
    Objection,
    PlanType,
    PolicyCriterion,
    PriorTreatment,
    SeverityMeasure,
)
from p2pdesk.domain.errors import InvalidInput, Problem
from p2pdesk.schemas import json_type, load_json, schema_problems

FORMAT = "p2pdesk-case/1"


def _d(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def date_order_problems(data: dict[str, Any]) -> list[Problem]:
    """Date rules the schema cannot state: ends after starts, births in the past."""
    problems: list[Problem] = []

    def pair(where: str, obj: dict[str, Any], start_key: str, end_key: str) -> None:
        start, end = _d(obj.get(start_key)), _d(obj.get(end_key))
        if start and end and end < start:
            problems.append(Problem(f"{where}.{end_key}", f"{end} is before {start_key} {start}"))

    pair("service", data.get("service", {}), "start", "end")
    for i, treatment in enumerate(data.get("prior_treatments", [])):
        pair(f"prior_treatments[{i}]", treatment, "start", "end")
    dob = _d(data.get("patient", {}).get("date_of_birth"))
    if dob and dob > date.today():
        problems.append(Problem("patient.date_of_birth", f"{dob} is in the future"))
    return problems


def parse_case(text: str) -> Case:
    """A Case from the text of a case file, or InvalidInput listing every problem found."""
    data = load_json(text)
    if not isinstance(data, dict):
        raise InvalidInput(Problem("file", f"should hold one JSON object, not {json_type(data)}"))
    problems = schema_problems("case.schema.json", data)
    if problems:
        raise InvalidInput(problems)
    problems = _blank_problems(data) + date_order_problems(data)
    if problems:
        raise InvalidInput(problems)
    return _case_from(data)


#: The required texts that must say something once their spaces are taken off.
_REQUIRED_TEXTS = (
    ("patient", "name"),
    ("coverage", "payer"),
    ("coverage", "member_id"),
    ("diagnosis", "code"),
    ("service", "code"),
)


def _blank_problems(data: dict[str, Any]) -> list[Problem]:
    """Required fields that hold only spaces (the schema counts them as text)."""
    return [
        Problem(f"{part}.{key}", "is blank; it is required")
        for part, key in _REQUIRED_TEXTS
        if not str(data[part][key]).strip()
    ]


def _case_from(data: dict[str, Any]) -> Case:
    patient, coverage = data["patient"], data["coverage"]
    physician, diagnosis, service = data.get("physician", {}), data["diagnosis"], data["service"]
    denial, policy = data.get("denial", {}), data.get("policy", {})
    return Case(
        patient_name=patient["name"].strip(),
        patient_dob=_d(patient.get("date_of_birth")),
        patient_mrn=patient.get("mrn", ""),
        payer=coverage["payer"].strip(),
        plan_name=coverage.get("plan_name", ""),
        plan_type=PlanType(coverage["plan_type"]),
        state=coverage.get("state", ""),
        member_id=coverage["member_id"].strip(),
        group_number=coverage.get("group_number", ""),
        claim_number=coverage.get("claim_number", ""),
        authorization_number=coverage.get("authorization_number", ""),
        physician_name=physician.get("name", ""),
        physician_credentials=physician.get("credentials", ""),
        physician_specialty=physician.get("specialty", ""),
        physician_npi=physician.get("npi", ""),
        diagnosis_code=diagnosis["code"].upper(),
        diagnosis_description=diagnosis.get("description", ""),
        service_code=service["code"].upper(),
        service_description=service.get("description", ""),
        service_start=_d(service.get("start")),
        service_end=_d(service.get("end")),
        denial_date=_d(denial.get("date")),
        requested_on=_d(service.get("requested_on")),
        urgent=bool(service.get("urgent", False)),
        appeal_filed_on=_d(denial.get("appeal_filed_on")),
        final_denial_date=_d(denial.get("final_date")),
        external_review_requested_on=_d(denial.get("external_review_requested_on")),
        denial_reason=denial.get("reason", ""),
        denial_code=denial.get("code", ""),
        bottom_line=data.get("bottom_line", ""),
        consequence=data.get("consequence_of_denial", ""),
        policy_name=policy.get("name", ""),
        policy_number=policy.get("number", ""),
        comorbidities=list(data.get("comorbidities", [])),
        severity_measures=[
            SeverityMeasure(m["name"], m["value"], m.get("unit", ""), _d(m.get("date")))
            for m in data.get("severity_measures", [])
        ],
        prior_treatments=[
            PriorTreatment(
                t["therapy"],
                t.get("dose", ""),
                _d(t.get("start")),
                _d(t.get("end")),
                t.get("outcome", ""),
                t.get("why_stopped", ""),
            )
            for t in data.get("prior_treatments", [])
        ],
        guidelines=[
            GuidelineCitation(
                g["organization"], g["title"], g.get("year"), g.get("recommendation", ""), g.get("pmid", "")
            )
            for g in data.get("guidelines", [])
        ],
        criteria=[
            PolicyCriterion(c["text"], c.get("patient_fact", ""), c.get("evidence", ""))
            for c in policy.get("criteria", [])
        ],
        objections=[Objection(o["objection"], o.get("answer", "")) for o in data.get("objections", [])],
    )


def _drop_empty(obj: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in obj.items() if v not in ("", None, [], {})}


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def case_to_dict(case: Case) -> dict[str, Any]:
    """The case in the file format; empty optional fields are left out, as a person would write it."""
    return _drop_empty(
        {
            "format": FORMAT,
            "patient": _drop_empty(
                {"name": case.patient_name, "date_of_birth": _iso(case.patient_dob), "mrn": case.patient_mrn}
            ),
            "coverage": _drop_empty(
                {
                    "payer": case.payer,
                    "plan_name": case.plan_name,
                    "plan_type": case.plan_type.value,
                    "state": case.state,
                    "member_id": case.member_id,
                    "group_number": case.group_number,
                    "claim_number": case.claim_number,
                    "authorization_number": case.authorization_number,
                }
            ),
            "physician": _drop_empty(
                {
                    "name": case.physician_name,
                    "credentials": case.physician_credentials,
                    "specialty": case.physician_specialty,
                    "npi": case.physician_npi,
                }
            ),
            "diagnosis": _drop_empty({"code": case.diagnosis_code, "description": case.diagnosis_description}),
            "service": _drop_empty(
                {
                    "code": case.service_code,
                    "description": case.service_description,
                    "start": _iso(case.service_start),
                    "end": _iso(case.service_end),
                    "requested_on": _iso(case.requested_on),
                    "urgent": case.urgent or None,
                }
            ),
            "denial": _drop_empty(
                {
                    "date": _iso(case.denial_date),
                    "reason": case.denial_reason,
                    "code": case.denial_code,
                    "appeal_filed_on": _iso(case.appeal_filed_on),
                    "final_date": _iso(case.final_denial_date),
                    "external_review_requested_on": _iso(case.external_review_requested_on),
                }
            ),
            "bottom_line": case.bottom_line,
            "consequence_of_denial": case.consequence,
            "comorbidities": list(case.comorbidities),
            "severity_measures": [
                _drop_empty({"name": m.name, "value": m.value, "unit": m.unit, "date": _iso(m.measured_on)})
                for m in case.severity_measures
            ],
            "prior_treatments": [
                _drop_empty(
                    {
                        "therapy": t.therapy,
                        "dose": t.dose,
                        "start": _iso(t.start),
                        "end": _iso(t.end),
                        "outcome": t.outcome,
                        "why_stopped": t.why_stopped,
                    }
                )
                for t in case.prior_treatments
            ],
            "guidelines": [
                _drop_empty(
                    {
                        "organization": g.organization,
                        "title": g.title,
                        "year": g.year,
                        "recommendation": g.recommendation,
                        "pmid": g.pmid,
                    }
                )
                for g in case.guidelines
            ],
            "policy": _drop_empty(
                {
                    "name": case.policy_name,
                    "number": case.policy_number,
                    "criteria": [
                        _drop_empty({"text": c.text, "patient_fact": c.patient_fact, "evidence": c.evidence})
                        for c in case.criteria
                    ],
                }
            ),
            "objections": [_drop_empty({"objection": o.objection, "answer": o.answer}) for o in case.objections],
        }
    )


def dump_case(case: Case) -> str:
    return json.dumps(case_to_dict(case), indent=2, ensure_ascii=False) + "\n"
