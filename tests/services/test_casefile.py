"""Case files: the demo round-trips, and every kind of bad file is refused by name, storing nothing."""

from __future__ import annotations

import json

import pytest

from p2pdesk.domain.errors import InvalidInput
from p2pdesk.services.casefile import parse_case
from p2pdesk.services.desk import Desk


def test_demo_case_round_trips_exactly(desk: Desk, demo_text: str) -> None:
    case_id = desk.import_case(demo_text)
    assert json.loads(desk.export_case(case_id)) == json.loads(demo_text)


def test_exported_file_imports_to_the_same_case(desk: Desk, demo_text: str, tmp_path) -> None:  # noqa: ANN001
    first = desk.import_case(demo_text)
    other = Desk.open(f"sqlite:///{tmp_path / 'other-desk.sqlite3'}")  # another desk: one case per denial here
    second = other.import_case(desk.export_case(first))
    a, b = desk.case(first), other.case(second)
    a.id = b.id = None
    assert a == b


def test_a_case_file_imported_again_is_refused_naming_the_case_on_file(desk: Desk, demo_text: str) -> None:
    first = desk.import_case(demo_text)
    kept = desk.export_case(first)
    with pytest.raises(InvalidInput) as refused:
        desk.import_case(demo_text)
    assert str(refused.value) == (
        f"claim number: 'PA-2026-1118-0457' of member 'LHP448120933' is already on file as case {first}; "
        "open and edit that case instead"
    )
    assert [c.id for c in desk.cases()] == [first] and desk.export_case(first) == kept
    data = json.loads(demo_text)
    data["coverage"]["claim_number"] = "PA-2026-1118-0458"  # the same member, another denial
    second = desk.import_case(json.dumps(data))
    assert sorted(c.id for c in desk.cases()) == sorted([first, second])


def _mutated(demo_text: str, change) -> str:  # noqa: ANN001
    data = json.loads(demo_text)
    change(data)
    return json.dumps(data)


def _set(path: str, value):  # noqa: ANN001, ANN202
    def change(data: dict) -> None:
        *parents, leaf = path.split(".")
        for p in parents:
            data = data[int(p)] if p.isdigit() else data[p]
        if value is KeyError:
            del data[leaf]
        else:
            data[leaf] = value

    return change


BAD = [
    ("malformed JSON", lambda t: t[:-20], "file", "is not valid JSON"),
    ("not an object", lambda t: "[1, 2]", "file", "should hold one JSON object"),
    (
        "missing member ID",
        lambda t: _mutated(t, _set("coverage.member_id", KeyError)),
        "coverage.member_id",
        "is required but missing",
    ),
    (
        "member ID as a number",
        lambda t: _mutated(t, _set("coverage.member_id", 448120933)),
        "coverage.member_id",
        "should be text, not a number",
    ),
    (
        "year as text",
        lambda t: _mutated(t, _set("guidelines.0.year", "2021")),
        "guidelines[0].year",
        "should be a whole number, not text",
    ),
    (
        "impossible date",
        lambda t: _mutated(t, _set("denial.date", "2026-02-30")),
        "denial.date",
        "'2026-02-30' is not a real calendar date",
    ),
    (
        "date in another format",
        lambda t: _mutated(t, _set("patient.date_of_birth", "04/12/1978")),
        "patient.date_of_birth",
        "is not a real calendar date",
    ),
    (
        "treatment ends before it starts",
        lambda t: _mutated(t, _set("prior_treatments.1.end", "2026-01-01")),
        "prior_treatments[1].end",
        "2026-01-01 is before start 2026-03-16",
    ),
    (
        "service ends before it starts",
        lambda t: _mutated(t, _set("service.end", "2026-11-30")),
        "service.end",
        "is before start",
    ),
    (
        "unknown plan type",
        lambda t: _mutated(t, _set("coverage.plan_type", "ppo")),
        "coverage.plan_type",
        "'ppo' is not one of",
    ),
    (
        "state not a code",
        lambda t: _mutated(t, _set("coverage.state", "Texas")),
        "coverage.state",
        "two capital letters",
    ),
    ("unknown field", lambda t: _mutated(t, _set("patient.nickname", "Carmie")), "patient", "nickname"),
    (
        "bottom line far too long",
        lambda t: _mutated(t, _set("bottom_line", "x" * 100_000)),
        "bottom_line",
        "100,000 characters",
    ),
]


@pytest.mark.parametrize(("name", "make", "field", "message"), BAD, ids=[b[0] for b in BAD])
def test_bad_case_file_is_refused_by_field_and_nothing_changes(
    desk: Desk,
    demo_text: str,
    name: str,
    make,
    field: str,
    message: str,  # noqa: ANN001
) -> None:
    kept_id = desk.import_case(demo_text)
    call = desk.start_call(kept_id)
    desk.add_note(call.id, "reviewer_claim", "kept note")
    before = (desk.export_case(kept_id), [n.text for n in desk.notes(call.id)], len(desk.cases()))

    with pytest.raises(InvalidInput) as err:
        desk.import_case(make(demo_text))
    problems = [(p.field, p.message) for p in err.value.problems]
    assert any(f == field and message in m for f, m in problems), problems

    assert (desk.export_case(kept_id), [n.text for n in desk.notes(call.id)], len(desk.cases())) == before


def test_every_problem_is_reported_at_once(demo_text: str) -> None:
    def change(data: dict) -> None:
        del data["coverage"]["payer"]
        data["denial"]["date"] = "2026-13-01"
        data["physician"]["npi"] = "12345"

    with pytest.raises(InvalidInput) as err:
        parse_case(_mutated(demo_text, change))
    fields = {p.field for p in err.value.problems}
    assert fields == {"coverage.payer", "denial.date", "physician.npi"}
    assert "physician.npi: '12345' is not in the expected form (ten digits)" in str(err.value)


def test_markup_and_any_script_in_a_case_file_are_kept_as_text(desk: Desk, demo_text: str) -> None:
    name = 'Zoë Nguyễn <b>"Łukasz"</b> & 李 مرحبا'
    case_id = desk.import_case(_mutated(demo_text, _set("patient.name", name)))
    assert desk.case(case_id).patient_name == name


def test_urgency_and_the_appeal_dates_round_trip_and_a_non_boolean_is_refused(desk: Desk, demo_text: str) -> None:
    data = json.loads(demo_text)
    data["service"]["urgent"] = True
    data["denial"]["appeal_filed_on"] = "2026-11-24"
    data["denial"]["final_date"] = "2027-01-08"
    data["denial"]["external_review_requested_on"] = "2027-01-20"
    case_id = desk.import_case(json.dumps(data))
    assert desk.case(case_id).urgent is True
    assert str(desk.case(case_id).appeal_filed_on) == "2026-11-24"
    assert str(desk.case(case_id).external_review_requested_on) == "2027-01-20"
    assert json.loads(desk.export_case(case_id)) == data
    data["service"]["urgent"] = "yes"
    with pytest.raises(InvalidInput) as refused:
        desk.import_case(json.dumps(data))
    assert [p.field for p in refused.value.problems] == ["service.urgent"]
    assert len(desk.cases()) == 1


def test_required_texts_of_only_spaces_are_refused_with_the_dates_at_once(desk: Desk, demo_text: str) -> None:
    def change(data):  # noqa: ANN001, ANN202
        data["patient"]["name"] = "   "
        data["coverage"]["member_id"] = "\t"
        data["service"]["end"] = "2020-01-01"  # before its start: reported in the same list

    with pytest.raises(InvalidInput) as err:
        desk.import_case(_mutated(demo_text, change))
    fields = [p.field for p in err.value.problems]
    assert fields[:2] == ["patient.name", "coverage.member_id"] and "is blank" in str(err.value)
    assert any(f.startswith("service") for f in fields[2:])
    assert desk.cases() == []
