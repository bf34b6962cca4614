"""Import from the EHR: the example FHIR bundle prefills a case; a malformed one is refused by resource."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from p2pdesk.domain.errors import InvalidInput
from p2pdesk.services.desk import Desk
from tests.conftest import ROOT

BUNDLE = ROOT / "resources" / "fhir" / "chronic-migraine-denial.bundle.json"


def _bundle() -> dict:
    return json.loads(BUNDLE.read_text(encoding="utf-8"))


def test_example_bundle_prefills_the_case(desk: Desk) -> None:
    case = desk.case(desk.import_fhir(BUNDLE.read_text(encoding="utf-8")))
    assert (case.patient_name, case.member_id, case.payer) == ("Zoë Nguyễn", "PMH-55120488", "Prairie Mutual Health")
    assert (case.diagnosis_code, case.service_code) == ("G43.709", "64615")
    assert case.denial_reason.startswith("Denied: not medically necessary")
    assert case.denial_code == "MN (Not medically necessary)"
    assert str(case.denial_date) == "2026-11-16"
    assert [t.therapy for t in case.prior_treatments] == [
        "Topiramate",
        "Propranolol ER",
        "Amitriptyline",
        "Greater occipital nerve block",
    ]
    assert (case.physician_name, case.physician_npi, case.physician_specialty) == (
        "Daniel Whitfield",
        "1234567893",
        "Neurology",
    )
    assert [(m.name, m.value) for m in case.severity_measures] == [
        ("Headache days per month", "18"),
        ("MIDAS score", "62"),
    ]


def test_the_imported_case_brief_shows_diagnosis_treatments_and_denial(desk: Desk) -> None:
    from p2pdesk.record.brief_pdf import render_brief

    case = desk.case(desk.import_fhir(BUNDLE.read_text(encoding="utf-8")))
    pdf = render_brief(case)
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    for expected in ("G43.709", "Topiramate", "Propranolol ER", "not medically necessary"):
        assert expected in text, expected
    assert "[bottom line missing]" in text  # what the EHR cannot know is shown as missing


@pytest.mark.parametrize(
    ("break_it", "where"),
    [
        (
            lambda b: b["entry"][14]["resource"].__setitem__("created", "16 Nov 2026"),
            "Bundle.entry[14] (ClaimResponse/cr1)",
        ),
        (lambda b: b["entry"][2]["resource"].__setitem__("status", ["active"]), "Bundle.entry[2] (Coverage/cov1)"),
        (lambda b: b["entry"].pop(14), "Bundle ClaimResponse"),
        (lambda b: b["entry"][2]["resource"].pop("subscriberId"), "Coverage/cov1 subscriberId"),
    ],
    ids=["bad date in ClaimResponse", "wrong type in Coverage", "no denial", "no member ID"],
)
def test_a_malformed_bundle_names_the_resource_and_imports_nothing(desk: Desk, break_it, where: str) -> None:  # noqa: ANN001
    bundle = _bundle()
    break_it(bundle)
    with pytest.raises(InvalidInput) as err:
        desk.import_fhir(json.dumps(bundle))
    assert any(p.field.startswith(where) for p in err.value.problems), [str(p) for p in err.value.problems]
    assert desk.cases() == []


def test_import_fhir_command(db_url: str, tmp_path: Path) -> None:
    run = [sys.executable, "-m", "p2pdesk", "--db", db_url, "import-fhir"]
    good = subprocess.run([*run, str(BUNDLE)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert good.returncode == 0 and good.stdout.strip() == "1", good.stderr
    broken = tmp_path / "broken.json"
    broken.write_text('{"resourceType": "Patient"}', encoding="utf-8")
    bad = subprocess.run([*run, str(broken)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "is not a FHIR Bundle" in bad.stderr


def test_what_the_ehr_cannot_say_is_on_the_readiness_list(desk: Desk) -> None:
    from p2pdesk.playbook.readiness import readiness

    case = desk.case(desk.import_fhir(BUNDLE.read_text(encoding="utf-8")))
    fields = {item.field for item in readiness(case)}
    assert {"plan_type", "bottom_line", "criteria", "guidelines", "consequence"} <= fields


def test_a_stat_claim_is_an_urgent_request(desk: Desk) -> None:
    assert desk.case(desk.import_fhir(BUNDLE.read_text(encoding="utf-8"))).urgent is False  # priority "normal"
    bundle = _bundle()
    (claim,) = [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Claim"]
    claim["priority"]["coding"][0]["code"] = "stat"
    claim["identifier"][0]["value"] += "-STAT"  # another request: a second import of one claim is refused
    assert desk.case(desk.import_fhir(json.dumps(bundle))).urgent is True


def test_a_bundle_imported_again_is_refused(desk: Desk) -> None:
    first = desk.import_fhir(BUNDLE.read_text(encoding="utf-8"))
    on_file = f"'PA-PMH-2026-88410' of member 'PMH-55120488' is already on file as case {first}"
    with pytest.raises(InvalidInput, match=on_file):
        desk.import_fhir(BUNDLE.read_text(encoding="utf-8"))
    assert [c.id for c in desk.cases()] == [first]


def test_an_observation_over_a_period_is_dated_by_its_last_day(desk: Desk) -> None:
    bundle = _bundle()
    headache, midas = (e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Observation")
    del headache["effectiveDateTime"], midas["effectiveDateTime"]
    headache["effectivePeriod"] = {"start": "2026-10-01", "end": "2026-10-30"}  # a month of a headache diary
    midas["effectiveInstant"] = "2026-10-29T16:20:00Z"
    case = desk.case(desk.import_fhir(json.dumps(bundle)))
    assert [(m.name, m.measured_on) for m in case.severity_measures] == [
        ("Headache days per month", date(2026, 10, 30)),
        ("MIDAS score", date(2026, 10, 29)),
    ]
    # FHIR's dates may stop at the month or the year: such a measure is kept, undated.
    headache["effectivePeriod"] = {"start": "2026-09", "end": "2026-10"}
    del midas["effectiveInstant"]
    midas["effectiveDateTime"] = "2026"
    claim = next(e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Claim")
    claim["identifier"][0]["value"] += "-B"  # another request than the one imported above
    case = desk.case(desk.import_fhir(json.dumps(bundle)))
    assert [(m.name, m.measured_on) for m in case.severity_measures] == [
        ("Headache days per month", None),
        ("MIDAS score", None),
    ]


def test_an_observation_without_a_value_is_left_out_and_a_state_name_is_not_guessed(desk: Desk) -> None:
    bundle = _bundle()
    observations = [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Observation"]
    del observations[0]["valueQuantity"]["value"]  # a quantity with only its unit
    for entry in bundle["entry"]:
        resource = entry["resource"]
        for address in resource.get("address", []):
            address["state"] = "Texas"
    case = desk.case(desk.import_fhir(json.dumps(bundle)))
    assert [m.name for m in case.severity_measures] == ["MIDAS score"]
    assert case.state == ""  # left to be filled in (the readiness list asks for it), not "TE"


def _resource(bundle: dict, kind: str) -> dict:
    return next(e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind)


def test_a_bundle_value_a_case_file_cannot_hold_is_refused_by_name(desk: Desk) -> None:
    # A record sealed from such a case would not verify on another desk: the case is refused instead.
    bundle = _bundle()
    claim = _resource(bundle, "Claim")
    claim["item"][0]["productOrService"]["coding"][0]["code"] = "64615-50"  # a CPT code with its modifier
    _resource(bundle, "Patient")["birthDate"] = "2099-01-01"
    with pytest.raises(InvalidInput) as err:
        desk.import_fhir(json.dumps(bundle))
    shown = [str(p) for p in err.value.problems]
    assert any(s.startswith("service.code: '64615-50' is not in the expected form") for s in shown), shown
    assert "patient.date_of_birth: 2099-01-01 is in the future" in shown
    assert desk.cases() == []


def test_a_member_id_with_a_trailing_space_is_the_same_denial(desk: Desk) -> None:
    first = desk.import_fhir(BUNDLE.read_text(encoding="utf-8"))
    bundle = _bundle()
    _resource(bundle, "Coverage")["subscriberId"] += " "  # as copied from a screen
    with pytest.raises(InvalidInput, match="is already on file as case"):
        desk.import_fhir(json.dumps(bundle))
    assert [c.id for c in desk.cases()] == [first]
    assert desk.case(first).member_id == "PMH-55120488"
