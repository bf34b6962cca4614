"""The case: what was denied, for whom, and everything the physician needs to argue it."""

from __future__ import annotations

from dataclasses import field
from datetime import date
from enum import StrEnum

from p2pdesk.domain.plain import plain

# The case's classes are plain data classes (see p2pdesk.domain.plain): no repr, which would print
# the patient's details into any traceback or log line that shows the object.


class PlanType(StrEnum):
    """The kind of plan, which decides which rules and deadlines apply."""

    ERISA = "erisa"
    ACA_MARKETPLACE = "aca_marketplace"
    MEDICARE_ADVANTAGE = "medicare_advantage"
    MEDICAID_MANAGED_CARE = "medicaid_managed_care"
    STATE_COMMERCIAL = "state_commercial"
    OTHER = "other"

    @property
    def label(self) -> str:
        return _PLAN_LABELS[self]


_PLAN_LABELS = {
    PlanType.ERISA: "ERISA employer plan",
    PlanType.ACA_MARKETPLACE: "ACA marketplace plan",
    PlanType.MEDICARE_ADVANTAGE: "Medicare Advantage",
    PlanType.MEDICAID_MANAGED_CARE: "Medicaid managed care",
    PlanType.STATE_COMMERCIAL: "State-regulated commercial",
    PlanType.OTHER: "Other plan",
}


@plain
class SeverityMeasure:
    """An objective measure of severity, e.g. DAS28-CRP 5.1 on a date."""

    name: str
    value: str
    unit: str = ""
    measured_on: date | None = None


@plain
class PriorTreatment:
    """A therapy tried (or ruled out) before the requested service."""

    therapy: str
    dose: str = ""
    start: date | None = None
    end: date | None = None
    outcome: str = ""
    why_stopped: str = ""


@plain
class GuidelineCitation:
    """A guideline or study the physician will cite, by organisation, title, year and category."""

    organization: str
    title: str
    year: int | None = None
    recommendation: str = ""
    pmid: str = ""


@plain
class PolicyCriterion:
    """One criterion of the payer's coverage policy, mapped to the patient's fact that meets it."""

    text: str
    patient_fact: str = ""
    evidence: str = ""


@plain
class Objection:
    """An objection the denial reason implies, with the answer prepared for it."""

    objection: str
    answer: str = ""


@plain
class Case:
    """One denied (or about to be denied) service for one patient.

    Flat fields hold identifiers and one-line facts; the lists hold the brief's tables.
    """

    patient_name: str
    member_id: str
    payer: str
    plan_type: PlanType
    diagnosis_code: str
    service_code: str
    id: int | None = None
    patient_dob: date | None = None
    patient_mrn: str = ""
    plan_name: str = ""
    state: str = ""
    group_number: str = ""
    claim_number: str = ""
    authorization_number: str = ""
    physician_name: str = ""
    physician_credentials: str = ""
    physician_specialty: str = ""
    physician_npi: str = ""
    diagnosis_description: str = ""
    service_description: str = ""
    service_start: date | None = None
    service_end: date | None = None
    denial_date: date | None = None
    #: When the prior-authorization request was made (the plan's decision clock runs from it).
    requested_on: date | None = None
    #: The request is urgent (expedited): the standard time could seriously jeopardize the patient's
    #: life, health or ability to regain maximum function. The plan's shorter decision clock applies.
    urgent: bool = False
    #: When the written internal appeal of the denial was filed (the case is then at the appeal stage).
    appeal_filed_on: date | None = None
    #: The final internal adverse determination, once there is one (external review runs from it).
    final_denial_date: date | None = None
    #: When external review of the final denial was requested (its 4-month clock then stops).
    external_review_requested_on: date | None = None
    denial_reason: str = ""
    denial_code: str = ""
    bottom_line: str = ""
    consequence: str = ""
    policy_name: str = ""
    policy_number: str = ""
    comorbidities: list[str] = field(default_factory=list)
    severity_measures: list[SeverityMeasure] = field(default_factory=list)
    prior_treatments: list[PriorTreatment] = field(default_factory=list)
    guidelines: list[GuidelineCitation] = field(default_factory=list)
    criteria: list[PolicyCriterion] = field(default_factory=list)
    objections: list[Objection] = field(default_factory=list)

    @property
    def physician_display(self) -> str:
        """The physician as they introduce themselves: "Dr Ana Ruiz, MD"."""
        if not self.physician_name:
            return ""
        cred = f", {self.physician_credentials}" if self.physician_credentials else ""
        return f"{self.physician_name}{cred}"


#: The lists of a case, in the order the brief shows them, with the class of their items
#: (comorbidities are plain text).
CASE_LISTS: dict[str, type | None] = {
    "comorbidities": None,
    "severity_measures": SeverityMeasure,
    "prior_treatments": PriorTreatment,
    "guidelines": GuidelineCitation,
    "criteria": PolicyCriterion,
    "objections": Objection,
}
