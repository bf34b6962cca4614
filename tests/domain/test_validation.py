"""Validators with real codes: billable, header-only, unknown, malformed; NPI check digits; dates;
the three-sentence bottom line; and the readiness list built from them."""

from __future__ import annotations

import json
from datetime import date

import pytest

from p2pdesk.codes import check_icd10cm, check_npi, check_service_code, npi_check_digit
from p2pdesk.domain.case import PriorTreatment
from p2pdesk.domain.validation import bottom_line_problems, date_problems, sentences
from p2pdesk.playbook.readiness import code_problems, readiness
from p2pdesk.services.casefile import parse_case
from tests.conftest import DEMO


@pytest.mark.parametrize(
    ("code", "kind", "ok", "words"),
    [
        ("M05.79", "billable", True, "Rheumatoid arthritis with rheumatoid factor of multiple sites"),
        ("E11.9", "billable", True, "Type 2 diabetes mellitus without complications"),
        ("S72.001A", "billable", True, "Fracture"),
        ("M05.7", "header", False, "Rheumatoid arthritis with rheumatoid factor"),
        ("E11", "header", False, "Type 2 diabetes mellitus"),
        ("Z99.99", "unknown", False, ""),
        ("M05.799", "unknown", False, ""),
        ("5M05", "malformed", False, ""),
        ("M05-79", "malformed", False, ""),
    ],
)
def test_icd10cm_against_the_real_code_set(code: str, kind: str, ok: bool, words: str) -> None:
    check = check_icd10cm(code)
    assert (check.kind, check.ok) == (kind, ok), check
    assert words in check.description
    if not ok:
        assert check.message


@pytest.mark.parametrize(
    ("code", "kind", "ok"),
    [
        ("99214", "cpt", True),
        ("0042T", "cpt", True),
        ("3074F", "cpt", True),
        ("0001U", "cpt", True),
        ("J1745", "hcpcs", True),
        ("E0114", "hcpcs", True),
        ("9921", "malformed", False),
        ("99214A", "malformed", False),
        ("W1234", "malformed", False),
        ("J17450", "malformed", False),
    ],
)
def test_service_code_forms(code: str, kind: str, ok: bool) -> None:
    check = check_service_code(code)
    assert (check.kind, check.ok) == (kind, ok)


def test_npi_check_digits() -> None:
    assert npi_check_digit("123456789") == 3  # the CMS worked example: 1234567893
    assert check_npi("1234567893").ok
    assert check_npi("1523847618").ok  # the demo physician
    bad = check_npi("1234567890")
    assert not bad.ok and "check digit" in bad.message
    assert check_npi("12345").kind == "malformed"


def test_three_sentence_rule_counts_real_sentences() -> None:
    three = "DAS28 is 5.4 on 2026-11-03. Dr. Okafor tried MTX vs. HCQ. A biologic is next!"
    assert len(sentences(three)) == 3
    assert bottom_line_problems(three) == []
    four = three + " She cannot take sulfasalazine."
    (problem,) = bottom_line_problems(four)
    assert problem.field == "bottom line" and "has 4 sentences" in problem.message
    # A unit ends a sentence before a capital letter; a quote closes the sentence it ends.
    doses = "She failed methotrexate 25 mg. She failed leflunomide 20 mg. She cannot take SSZ. Without it, she stops."
    assert len(sentences(doses)) == 4
    quoted = sentences('The reviewer said "not necessary." We disagree.')
    assert quoted == ['The reviewer said "not necessary."', "We disagree."]
    assert len(sentences("Methotrexate 25 mg. weekly for 14 weeks; trial no. 2 failed, etc. and more.")) == 1


def test_dates_in_order(demo_text: str) -> None:
    case = parse_case(demo_text)
    assert date_problems(case, today=date(2026, 11, 25)) == []
    case.prior_treatments.append(PriorTreatment("Leflunomide", start=date(2026, 5, 1), end=date(2026, 4, 1)))
    case.denial_date = date(2026, 12, 30)
    problems = {
        p.field: p.message for p in date_problems(case, today=date(2026, 11, 25), call_dates=[date(2026, 11, 20)])
    }
    assert problems["treatment 5 end"] == "2026-04-01 is before its start 2026-05-01"
    assert problems["denial date"] == "2026-12-30 is in the future"
    assert "before the denial" in problems["call date"]


def test_readiness_lists_what_is_missing_by_field(demo_text: str) -> None:
    case = parse_case(demo_text)
    assert readiness(case, code_problems(case)) == []  # the demo case is ready
    data = json.loads(DEMO.read_text(encoding="utf-8"))
    del data["denial"]["reason"], data["consequence_of_denial"], data["physician"]["specialty"]
    data["policy"]["criteria"][1].pop("patient_fact")
    data["guidelines"][0].pop("year")
    data["prior_treatments"][1].pop("start"), data["prior_treatments"][1].pop("end")
    data["diagnosis"]["code"] = "M05.7"
    weak = parse_case(json.dumps(data))
    fields = {item.field for item in readiness(weak, code_problems(weak))}
    assert fields == {
        "denial_reason",
        "consequence",
        "physician_specialty",
        "criteria[2].patient_fact",
        "guidelines[1].year",
        "prior_treatments[2].start",
        "diagnosis_code",
    }


def test_the_request_comes_before_its_denial_and_the_final_denial_after(demo_text: str) -> None:
    case = parse_case(demo_text)
    case.requested_on = date(2026, 11, 20)  # after the 2026-11-18 denial: impossible
    case.final_denial_date = date(2026, 11, 1)
    problems = {p.field: p.message for p in date_problems(case, today=date(2026, 11, 25))}
    assert problems["denial date"] == "2026-11-18 is before the request it denies (2026-11-20)"
    assert problems["final denial date"] == "2026-11-01 is before the first denial 2026-11-18"


def test_an_appeal_is_filed_after_the_denial_it_appeals(demo_text: str) -> None:
    case = parse_case(demo_text)
    case.appeal_filed_on = date(2026, 11, 10)  # before the 2026-11-18 denial
    problems = {p.field: p.message for p in date_problems(case, today=date(2026, 11, 25))}
    assert problems["appeal filed on"] == "2026-11-10 is before the denial it appeals (2026-11-18)"
    case.denial_date = None
    problems = {p.field: p.message for p in date_problems(case, today=date(2026, 11, 25))}
    assert problems["appeal filed on"] == "an appeal needs the denial it appeals: give the denial date"
    case.denial_date, case.appeal_filed_on = date(2026, 11, 18), date(2026, 11, 24)
    assert date_problems(case, today=date(2026, 11, 25)) == []


def test_the_final_denial_comes_after_the_appeal_it_decides(demo_text: str) -> None:
    case = parse_case(demo_text)
    case.appeal_filed_on, case.final_denial_date = date(2026, 11, 24), date(2026, 11, 20)
    problems = {p.field: p.message for p in date_problems(case, today=date(2026, 11, 25))}
    assert problems["final denial date"] == "2026-11-20 is before the appeal it decides (filed 2026-11-24)"


def test_external_review_is_requested_after_the_denial_it_reviews(demo_text: str) -> None:
    case = parse_case(demo_text)
    case.external_review_requested_on = date(2026, 11, 10)  # before the 2026-11-18 denial
    problems = {p.field: p.message for p in date_problems(case, today=date(2026, 11, 25))}
    assert problems["external review requested on"] == "2026-11-10 is before the denial it reviews (2026-11-18)"
    # Once the final internal denial is known, that is the denial external review reviews.
    case.appeal_filed_on, case.final_denial_date = date(2026, 11, 19), date(2026, 11, 24)
    case.external_review_requested_on = date(2026, 11, 20)
    problems = {p.field: p.message for p in date_problems(case, today=date(2026, 11, 25))}
    assert problems["external review requested on"] == "2026-11-20 is before the final denial it reviews (2026-11-24)"
    case.urgent = True  # expedited external review may run alongside the urgent appeal
    assert date_problems(case, today=date(2026, 11, 25)) == []
    case.urgent = False
    case.external_review_requested_on = date(2026, 12, 1)
    problems = {p.field: p.message for p in date_problems(case, today=date(2026, 11, 25))}
    assert problems["external review requested on"] == "2026-12-01 is in the future"
    case.external_review_requested_on = date(2026, 11, 25)
    assert date_problems(case, today=date(2026, 11, 25)) == []
    case.denial_date = case.appeal_filed_on = case.final_denial_date = None
    problems = {p.field: p.message for p in date_problems(case, today=date(2026, 11, 25))}
    assert problems["external review requested on"] == "external review reviews a denial: give the denial date"


def test_a_cleared_identifier_makes_the_case_not_ready(demo_text: str) -> None:
    case = parse_case(demo_text)
    assert readiness(case) == []  # the demo case is ready
    case.payer, case.member_id, case.service_code = "", " ", ""
    gaps = {item.field: item.message for item in readiness(case) if item.severity == "missing"}
    assert gaps == {
        "payer": "the payer is not recorded",
        "member_id": "the member ID is not recorded",
        "service_code": "the service code (CPT/HCPCS) is not recorded",
    }
