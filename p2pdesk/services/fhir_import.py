"""Prefill a case from the EHR: a FHIR R4 Bundle (Patient, Coverage, Condition, MedicationRequest /
MedicationStatement, Procedure, Observation, Practitioner(Role), Claim and the ClaimResponse that
carries the denial, as in the Da Vinci PAS guide).

The bundle is parsed with the ``fhir.resources`` models (R4B, which reads R4 content); a
malformed bundle is refused with the resource named, and nothing is imported. What the EHR does
not hold (bottom line, guidelines, the plan's policy, objections) is left for the editor, where
the readiness list points at it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from p2pdesk.domain.case import Case, PlanType, PriorTreatment, SeverityMeasure
from p2pdesk.domain.errors import InvalidInput, Problem

ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
NPI = "http://hl7.org/fhir/sid/us-npi"
REVIEW_ACTION = "http://hl7.org/fhir/us/davinci-pas/StructureDefinition/extension-reviewAction"


def _entry_name(raw: dict[str, Any], index: int) -> str:
    try:
        resource = raw["entry"][index]["resource"]
        return f"Bundle.entry[{index}] ({resource.get('resourceType', '?')}/{resource.get('id', '?')})"
    except (KeyError, IndexError, TypeError):
        return f"Bundle.entry[{index}]"


def _parse(raw: Any) -> Any:
    from fhir.resources.R4B.bundle import Bundle  # slow to import: only when a bundle is read
    from pydantic import ValidationError

    if not isinstance(raw, dict) or raw.get("resourceType") != "Bundle":
        raise InvalidInput(Problem("file", 'is not a FHIR Bundle (resourceType must be "Bundle")'))
    try:
        return Bundle.model_validate(raw)
    except ValidationError as exc:
        problems = []
        for error in exc.errors()[:12]:
            loc = list(error.get("loc", ()))
            where = "Bundle"
            if len(loc) >= 2 and loc[0] == "entry" and isinstance(loc[1], int):
                where = _entry_name(raw, loc[1])
                loc = [p for p in loc[2:] if p not in ("resource",) and not str(p)[:1].isupper()]
            field = ".".join(str(p) for p in loc) or "(resource)"
            problems.append(Problem(f"{where} {field}", error.get("msg", "is not valid FHIR")))
        raise InvalidInput(problems) from None


def _text(concept: Any) -> str:
    if concept is None:
        return ""
    if getattr(concept, "text", None):
        return concept.text
    for coding in getattr(concept, "coding", None) or []:
        if coding.display:
            return coding.display
    return ""


def _day(value: Any) -> date | None:
    """The day of a FHIR date or date-time; None for none, or for a year or month alone (FHIR
    allows "2026" and "2026-10"): left undated rather than given a day it did not say."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _measured_on(observation: Any) -> date | None:
    """The day an observation was made: its effective time, given as a date-time, an instant or a
    period (the period's last day, else its first)."""
    period = observation.effectivePeriod
    if period is not None and (period.end or period.start):
        return _day(period.end or period.start)
    return _day(observation.effectiveDateTime or observation.effectiveInstant)


def _note(resource: Any) -> str:
    return "; ".join(n.text for n in (getattr(resource, "note", None) or []) if n.text)


def _plan_type(coverage: Any) -> PlanType:
    """From the payer-type code (PHDSC Source of Payment Typology), where it says: Medicare
    managed care (11x) is Medicare Advantage, Medicaid managed care (21x) is Medicaid managed care.
    Employer (ERISA) and state-regulated commercial plans cannot be told apart here."""
    for coding in getattr(getattr(coverage, "type", None), "coding", None) or []:
        code = coding.code or ""
        if code.startswith("11"):
            return PlanType.MEDICARE_ADVANTAGE
        if code.startswith("21"):
            return PlanType.MEDICAID_MANAGED_CARE
    return PlanType.OTHER


def case_from_bundle(text: str) -> Case:
    """A new case prefilled from a bundle, or InvalidInput naming the resource that is wrong."""
    from p2pdesk.schemas import load_json

    bundle = _parse(load_json(text))
    by_type: dict[str, list[Any]] = {}
    by_ref: dict[str, Any] = {}
    for entry in bundle.entry or []:
        resource = entry.resource
        kind = resource.get_resource_type()
        by_type.setdefault(kind, []).append(resource)
        if resource.id:
            by_ref[f"{kind}/{resource.id}"] = resource
        if entry.fullUrl:
            by_ref[entry.fullUrl] = resource

    def one(kind: str, why: str) -> Any:
        found = by_type.get(kind) or []
        if not found:
            raise InvalidInput(Problem(f"Bundle {kind}", f"is missing: {why}"))
        return found[0]

    patient = one("Patient", "the case needs the patient")
    coverage = one("Coverage", "the case needs the member ID and the payer")
    response = one("ClaimResponse", "the bundle must carry the denial (a ClaimResponse)")
    claim = by_ref.get(response.request.reference) if response.request and response.request.reference else None
    claim = claim or (by_type.get("Claim") or [None])[0]
    if claim is None or not claim.item:
        raise InvalidInput(Problem("Bundle Claim", "is missing: the denied service (Claim.item) is not in the bundle"))

    # Patient and coverage.
    name = (patient.name or [None])[0]
    patient_name = " ".join([*(name.given or []), name.family or ""]).strip() if name else ""
    if not patient_name:
        raise InvalidInput(Problem(f"Patient/{patient.id} name", "is missing"))
    mrn = next(
        (i.value for i in patient.identifier or [] if i.type and any(c.code == "MR" for c in i.type.coding or [])),
        (patient.identifier or [None])[0].value if patient.identifier else "",
    )
    if not coverage.subscriberId:
        raise InvalidInput(Problem(f"Coverage/{coverage.id} subscriberId", "is missing: it is the member ID"))
    payer = coverage.payor[0].display if coverage.payor and coverage.payor[0].display else ""
    if not payer and coverage.payor:
        org = by_ref.get(coverage.payor[0].reference or "")
        payer = getattr(org, "name", "") or ""
    group = (
        next((c for c in coverage.class_fhir or [] if any(t.code == "group" for t in c.type.coding or [])), None)
        if hasattr(coverage, "class_fhir")
        else None
    )
    plan = (
        next((c for c in coverage.class_fhir or [] if any(t.code == "plan" for t in c.type.coding or [])), None)
        if hasattr(coverage, "class_fhir")
        else None
    )
    address = (patient.address or [None])[0]

    # The physician.
    practitioner = by_ref.get(claim.provider.reference) if claim.provider and claim.provider.reference else None
    practitioner = practitioner or (by_type.get("Practitioner") or [None])[0]
    physician_name = credentials = npi = specialty = ""
    if practitioner is not None:
        pname = (practitioner.name or [None])[0]
        physician_name = " ".join([*(pname.given or []), pname.family or ""]).strip() if pname else ""
        credentials = ", ".join(pname.suffix or []) if pname else ""
        npi = next((i.value for i in practitioner.identifier or [] if i.system == NPI), "")
        for role in by_type.get("PractitionerRole", []):
            if role.practitioner and role.practitioner.reference == f"Practitioner/{practitioner.id}":
                specialty = _text((role.specialty or [None])[0])

    # Diagnosis: the claim's, else the first ICD-10-CM condition.
    conditions = by_type.get("Condition", [])
    diagnosis_code = ""
    for dx in claim.diagnosis or []:
        for coding in getattr(dx.diagnosisCodeableConcept, "coding", None) or []:
            if coding.system == ICD10CM and not diagnosis_code:
                diagnosis_code = coding.code
    descriptions = {}
    for condition in conditions:
        for coding in condition.code.coding or [] if condition.code else []:
            if coding.system == ICD10CM:
                descriptions[coding.code] = coding.display or _text(condition.code)
                diagnosis_code = diagnosis_code or coding.code
    if not diagnosis_code:
        raise InvalidInput(Problem("Bundle Condition", "no ICD-10-CM diagnosis in the Claim or any Condition"))
    comorbidities = [
        _text(c.code) for c in conditions if c.code and not any(k.code == diagnosis_code for k in c.code.coding or [])
    ]

    # The service and the denial.
    item = claim.item[0]
    service_code = next((c.code for c in item.productOrService.coding or [] if c.code), "")
    if not service_code:
        raise InvalidInput(Problem(f"Claim/{claim.id} item[0].productOrService", "has no CPT/HCPCS code"))
    period = item.servicedPeriod
    denial_code = ""
    for adjudication_item in response.item or []:
        for adjudication in adjudication_item.adjudication or []:
            for ext in adjudication.extension or []:
                if ext.url == REVIEW_ACTION:
                    for sub in ext.extension or []:
                        if sub.url == "reasonCode" and sub.valueCodeableConcept:
                            coding = (sub.valueCodeableConcept.coding or [None])[0]
                            if coding is not None:
                                denial_code = f"{coding.code} ({coding.display})" if coding.display else coding.code

    treatments: list[PriorTreatment] = []
    for statement in by_type.get("MedicationStatement", []):
        eff = statement.effectivePeriod
        treatments.append(
            PriorTreatment(
                therapy=_text(statement.medicationCodeableConcept) or "Medication",
                dose=(statement.dosage or [None])[0].text if statement.dosage else "",
                start=_day(eff.start) if eff else _day(statement.effectiveDateTime),
                end=_day(eff.end) if eff else None,
                outcome=_note(statement),
                why_stopped="; ".join(_text(r) for r in statement.statusReason or []),
            )
        )
    for request in by_type.get("MedicationRequest", []):
        treatments.append(
            PriorTreatment(
                therapy=_text(request.medicationCodeableConcept) or "Medication",
                dose=(request.dosageInstruction or [None])[0].text if request.dosageInstruction else "",
                start=_day(request.authoredOn),
                outcome=_note(request),
                why_stopped="" if request.status == "active" else request.status or "",
            )
        )
    for procedure in by_type.get("Procedure", []):
        per = procedure.performedPeriod
        treatments.append(
            PriorTreatment(
                therapy=_text(procedure.code) or "Procedure",
                start=_day(per.start) if per else _day(procedure.performedDateTime),
                end=_day(per.end) if per else None,
                outcome=_note(procedure),
            )
        )
    treatments.sort(key=lambda t: t.start or date.max)
    measures = []
    for obs in by_type.get("Observation", []):
        if obs.valueQuantity is not None and obs.valueQuantity.value is not None:
            value, unit = f"{obs.valueQuantity.value:g}", obs.valueQuantity.unit or ""
        elif obs.valueString:
            value, unit = obs.valueString, ""
        else:
            continue
        measures.append(SeverityMeasure(_text(obs.code) or "Observation", value, unit, _measured_on(obs)))

    return Case(
        patient_name=patient_name,
        patient_dob=_day(patient.birthDate),
        patient_mrn=mrn or "",
        member_id=coverage.subscriberId,
        group_number=group.value if group else "",
        plan_name=(plan.name or plan.value) if plan else (group.name or "" if group else ""),
        payer=payer or "payer not named",
        plan_type=_plan_type(coverage),
        state=_state(address.state if address else None),
        claim_number=(claim.identifier[0].value if claim.identifier else "") or response.preAuthRef or "",
        physician_name=physician_name,
        physician_credentials=credentials,
        physician_specialty=specialty,
        physician_npi=npi,
        diagnosis_code=diagnosis_code.upper(),
        diagnosis_description=descriptions.get(diagnosis_code, ""),
        service_code=service_code.upper(),
        service_description=_text(item.productOrService),
        service_start=_day(period.start) if period else _day(item.servicedDate),
        service_end=_day(period.end) if period else None,
        # Claim.priority "stat" is an immediate (urgent) request: the expedited decision clock.
        urgent=any(c.code == "stat" for c in (claim.priority.coding or [])) if claim.priority else False,
        denial_date=_day(response.created),
        denial_reason=response.disposition or "",
        denial_code=denial_code,
        comorbidities=[c for c in comorbidities if c],
        severity_measures=measures,
        prior_treatments=treatments,
    )


def _state(value: str | None) -> str:
    """A US state as its two-letter code, or "" when the address does not give one (left to be
    filled in, rather than guessed from a name's first letters: "Texas" is not "TE")."""
    text = (value or "").strip()
    return text.upper() if len(text) == 2 and text.isalpha() else ""
